#include "nodemanager/localizer/resource_localizer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/url.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nodemanager/localizer/archive_for_test.h"

namespace skein::nm {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using namespace std::chrono_literals;

const ApplicationId kApp(1700000000000, 7);

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

proto::LocalResourceProto Resource(const std::string& url, proto::LocalResourceVisibility v,
                                   proto::LocalResourceType type = proto::FILE) {
  proto::LocalResourceProto r;
  *r.mutable_resource() = ParseUrl(url);
  r.set_visibility(v);
  r.set_type(type);
  return r;
}

class ResourceLocalizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/localizer_test_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_ + "/src");
    LocalizerOptions o;
    o.local_dirs = {dir_ + "/local"};
    o.threads = 3;
    localizer_ = std::make_unique<ResourceLocalizer>(o);
  }
  void TearDown() override {
    localizer_.reset();
    if (server_thread_.joinable()) {
      server_.stop();
      server_thread_.join();
    }
    fs::remove_all(dir_);
  }
  std::string Source(const std::string& name, const std::string& content) {
    std::string path = dir_ + "/src/" + name;
    std::ofstream(path) << content;
    return "file://" + path;
  }
  absl::StatusOr<std::string> One(const proto::LocalResourceProto& r,
                                  const std::string& user = "alice") {
    auto paths = localizer_->LocalizeSync(user, kApp, {{"key", r}});
    if (!paths.ok()) return paths.status();
    return paths->at("key");
  }

  std::string dir_;
  std::unique_ptr<ResourceLocalizer> localizer_;
  httplib::Server server_;
  std::thread server_thread_;
};

TEST_F(ResourceLocalizerTest, CacheLayoutPerVisibility) {
  const std::string url = Source("conf.txt", "c");
  const std::string local = dir_ + "/local";
  auto pub = One(Resource(url, proto::PUBLIC));
  auto priv = One(Resource(url, proto::PRIVATE));
  auto app = One(Resource(url, proto::APPLICATION));
  ASSERT_TRUE(pub.ok() && priv.ok() && app.ok()) << pub.status() << priv.status() << app.status();
  EXPECT_THAT(*pub, MatchesRegex(local + "/filecache/[0-9]+/conf.txt"));
  EXPECT_THAT(*priv, MatchesRegex(local + "/usercache/alice/filecache/[0-9]+/conf.txt"));
  EXPECT_THAT(*app, MatchesRegex(local + "/usercache/alice/appcache/" + kApp.ToString() +
                                 "/filecache/[0-9]+/conf.txt"));
  for (const auto& p : {*pub, *priv, *app}) EXPECT_EQ(Read(p), "c");
  EXPECT_EQ(localizer_->fetches(), 3);

  // Cached: the same resources again fetch nothing; PRIVATE is per user.
  EXPECT_EQ(*One(Resource(url, proto::PUBLIC), "bob"), *pub);
  EXPECT_EQ(*One(Resource(url, proto::PRIVATE)), *priv);
  EXPECT_EQ(localizer_->fetches(), 3);
  auto bob = One(Resource(url, proto::PRIVATE), "bob");
  ASSERT_TRUE(bob.ok());
  EXPECT_THAT(*bob, MatchesRegex(local + "/usercache/bob/filecache/[0-9]+/conf.txt"));
  EXPECT_EQ(localizer_->fetches(), 4);
}

TEST_F(ResourceLocalizerTest, SameResourceForTwoContainersDownloadsOnce) {
  std::atomic<int> requests{0};
  std::atomic<bool> joined{false};
  server_.Get("/big.bin", [&](const httplib::Request&, httplib::Response& res) {
    ++requests;
    // The download stays in flight until the other container's request has joined it (bounded:
    // the test then fails on joined_fetches below rather than hanging).
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (localizer_->joined_fetches() == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
    joined = localizer_->joined_fetches() > 0;
    res.set_content("payload", "application/octet-stream");
  });
  int port = server_.bind_to_any_port("127.0.0.1");
  server_thread_ = std::thread([this] { server_.listen_after_bind(); });
  // cpp-httplib's stop() is a no-op until the listen loop runs: wait for it (bounded) so
  // that an early stop cannot leave the thread listening forever.
  for (int i = 0; i < 5000 && !server_.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const std::string url = absl::StrCat("http://127.0.0.1:", port, "/big.bin");

  std::promise<absl::StatusOr<ResourceLocalizer::Paths>> a, b;
  localizer_->Localize("alice", kApp, {{"data", Resource(url, proto::APPLICATION)}},
                       [&](absl::StatusOr<ResourceLocalizer::Paths> p) { a.set_value(p); });
  localizer_->Localize("alice", kApp, {{"other-name", Resource(url, proto::APPLICATION)}},
                       [&](absl::StatusOr<ResourceLocalizer::Paths> p) { b.set_value(p); });
  auto fa = a.get_future(), fb = b.get_future();
  ASSERT_EQ(fa.wait_for(60s), std::future_status::ready);
  ASSERT_EQ(fb.wait_for(60s), std::future_status::ready);
  // The second request waited for the first one's download, which was still in flight.
  EXPECT_TRUE(joined.load());
  EXPECT_EQ(localizer_->joined_fetches(), 1);
  auto pa = fa.get(), pb = fb.get();
  ASSERT_TRUE(pa.ok() && pb.ok()) << pa.status() << pb.status();
  EXPECT_EQ(pa->at("data"), pb->at("other-name"));
  EXPECT_EQ(Read(pa->at("data")), "payload");
  EXPECT_EQ(requests.load(), 1);
  EXPECT_EQ(localizer_->fetches(), 1);
}

TEST_F(ResourceLocalizerTest, ArchivesAreUnpackedAndPatternsKeepTheJar) {
  const std::string tgz = dir_ + "/src/env.tgz";
  ASSERT_TRUE(testing::WriteArchive(tgz, testing::ArchiveKind::kTarGz,
                                    {{"bin/tool", "t"}, {"lib/x.py", "x"}}));
  auto env = One(Resource("file://" + tgz, proto::APPLICATION, proto::ARCHIVE));
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_TRUE(absl::EndsWith(*env, "/env.tgz"));
  EXPECT_TRUE(fs::is_directory(*env));
  EXPECT_EQ(Read(*env + "/bin/tool"), "t");
  EXPECT_EQ(Read(*env + "/lib/x.py"), "x");
  EXPECT_FALSE(fs::exists(fs::path(*env).parent_path() / ".env.tgz.download"));

  const std::string jar = dir_ + "/src/app.jar";
  ASSERT_TRUE(testing::WriteArchive(jar, testing::ArchiveKind::kZip,
                                    {{"com/A.class", "a"}, {"docs/readme", "r"}}));
  proto::LocalResourceProto p = Resource("file://" + jar, proto::PUBLIC, proto::PATTERN);
  p.set_pattern("com/.*");
  auto unjarred = One(p);
  ASSERT_TRUE(unjarred.ok()) << unjarred.status();
  EXPECT_EQ(Read(*unjarred + "/com/A.class"), "a");
  EXPECT_FALSE(fs::exists(*unjarred + "/docs/readme"));
  EXPECT_TRUE(fs::is_regular_file(*unjarred + "/app.jar"));

  const std::string evil = dir_ + "/src/evil.tgz";
  ASSERT_TRUE(testing::WriteArchive(evil, testing::ArchiveKind::kTarGz, {{"../../x", "x"}}));
  auto refused = One(Resource("file://" + evil, proto::PUBLIC, proto::ARCHIVE));
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("Resource file://" + evil + ": cannot unpack"));
  EXPECT_THAT(refused.status().message(), HasSubstr("'../../x' would be written outside"));
}

TEST_F(ResourceLocalizerTest, FailuresAreReportedAndNotCached) {
  const std::string path = dir_ + "/src/late.txt";
  auto missing = One(Resource("file://" + path, proto::PUBLIC));
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("Resource file://" + path + " does not exist"));
  // Nothing is left in the cache directory.
  EXPECT_TRUE(fs::is_empty(dir_ + "/local/filecache"));
  std::ofstream(path) << "now here";
  auto later = One(Resource("file://" + path, proto::PUBLIC));
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(Read(*later), "now here");

  // The first failing resource fails the whole container.
  auto both = localizer_->LocalizeSync("alice", kApp,
                                       {{"a", Resource("file://" + path, proto::PUBLIC)},
                                        {"b", Resource("hdfs://nn/b", proto::PUBLIC)}});
  EXPECT_EQ(both.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(both.status().message(), HasSubstr("hdfs://nn/b"));
}

TEST_F(ResourceLocalizerTest, ApplicationResourcesGoWhenTheApplicationFinishes) {
  const std::string url = Source("app.txt", "a");
  auto app = One(Resource(url, proto::APPLICATION));
  auto pub = One(Resource(url, proto::PUBLIC));
  ASSERT_TRUE(app.ok() && pub.ok());
  localizer_->RemoveApplication(kApp);
  const std::string app_cache =
      dir_ + "/local/usercache/alice/appcache/" + kApp.ToString() + "/filecache";
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (fs::exists(app_cache) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_FALSE(fs::exists(app_cache));
  EXPECT_TRUE(fs::exists(*pub));
  auto again = One(Resource(url, proto::APPLICATION));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Read(*again), "a");
  EXPECT_EQ(localizer_->fetches(), 3);
}

// The NM state store's localized-resource records, in memory (nm_state_store_test covers the
// LevelDB one).
class MemoryResourceStore final : public LocalizedResourceStore {
 public:
  absl::Status StoreLocalizedResource(const LocalizedResourceRecord& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    records_[r.key] = r;
    return absl::OkStatus();
  }
  absl::Status RemoveLocalizedResource(const std::string& key) override {
    std::lock_guard<std::mutex> lock(mu_);
    records_.erase(key);
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<LocalizedResourceRecord>> LoadLocalizedResources() override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<LocalizedResourceRecord> out;
    for (const auto& [key, r] : records_) out.push_back(r);
    return out;
  }
  std::vector<LocalizedResourceRecord> All() { return *LoadLocalizedResources(); }

 private:
  std::mutex mu_;
  std::map<std::string, LocalizedResourceRecord> records_;
};

class ResourceLocalizerRecoveryTest : public ResourceLocalizerTest {
 protected:
  // A localizer over the store and the same local dir: what a restarted NodeManager builds.
  void Restart() {
    localizer_.reset();
    LocalizerOptions o;
    o.local_dirs = {dir_ + "/local"};
    o.threads = 2;
    o.store = &store_;
    localizer_ = std::make_unique<ResourceLocalizer>(o);
  }
  MemoryResourceStore store_;
};

TEST_F(ResourceLocalizerRecoveryTest, RestartedLocalizerKeepsWhatItHas) {
  Restart();
  const std::string url = Source("conf.txt", "conf");
  const std::string tgz = dir_ + "/src/env.tgz";
  ASSERT_TRUE(testing::WriteArchive(tgz, testing::ArchiveKind::kTarGz, {{"bin/tool", "tool"}}));
  auto pub = One(Resource(url, proto::PUBLIC));
  auto priv = One(Resource(url, proto::PRIVATE));
  auto env = One(Resource("file://" + tgz, proto::APPLICATION, proto::ARCHIVE));
  ASSERT_TRUE(pub.ok() && priv.ok() && env.ok()) << pub.status() << priv.status() << env.status();
  ASSERT_EQ(store_.All().size(), 3u);
  for (const LocalizedResourceRecord& r : store_.All()) {
    EXPECT_TRUE(r.localized) << r.key;
    EXPECT_GT(r.size, 0) << r.key;
  }

  Restart();
  EXPECT_EQ(localizer_->recovered(), 3);
  EXPECT_EQ(*One(Resource(url, proto::PUBLIC)), *pub);
  EXPECT_EQ(*One(Resource(url, proto::PRIVATE)), *priv);
  EXPECT_EQ(*One(Resource("file://" + tgz, proto::APPLICATION, proto::ARCHIVE)), *env);
  EXPECT_EQ(localizer_->fetches(), 0);  // nothing downloaded again
  EXPECT_EQ(Read(*env + "/bin/tool"), "tool");
  // Another timestamp is another resource.
  proto::LocalResourceProto later = Resource(url, proto::PUBLIC);
  later.set_timestamp(ModificationTimeMillis([&] {
    struct stat st;
    stat((dir_ + "/src/conf.txt").c_str(), &st);
    return st;
  }()));
  auto fresh = One(later);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_NE(*fresh, *pub);
  EXPECT_EQ(localizer_->fetches(), 1);

  // APPLICATION resources still go with their application, records too.
  localizer_->RemoveApplication(kApp);
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (fs::exists(*env) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_FALSE(fs::exists(*env));
  for (const LocalizedResourceRecord& r : store_.All()) EXPECT_EQ(r.app, "") << r.key;
  EXPECT_EQ(store_.All().size(), 3u);
}

TEST_F(ResourceLocalizerRecoveryTest, VanishedOrChangedFilesAreDroppedAndFetchedAgain) {
  Restart();
  const std::string a = Source("a.txt", "aaa");
  const std::string b = Source("b.txt", "bbb");
  auto pa = One(Resource(a, proto::PUBLIC));
  auto pb = One(Resource(b, proto::PUBLIC));
  ASSERT_TRUE(pa.ok() && pb.ok());
  localizer_.reset();
  fs::remove(*pa);                              // vanished
  std::ofstream(*pb, std::ios::app) << "more";  // changed size
  Restart();
  EXPECT_EQ(localizer_->recovered(), 0);
  EXPECT_FALSE(fs::exists(fs::path(*pa).parent_path()));  // the vanished copy's directory went
  // The changed copy is not used again, but stays where it is: a running container may use it.
  EXPECT_TRUE(fs::exists(*pb));
  EXPECT_TRUE(store_.All().empty());
  auto again_a = One(Resource(a, proto::PUBLIC));
  auto again_b = One(Resource(b, proto::PUBLIC));
  ASSERT_TRUE(again_a.ok() && again_b.ok());
  EXPECT_EQ(Read(*again_a), "aaa");
  EXPECT_EQ(Read(*again_b), "bbb");
  EXPECT_NE(*again_b, *pb);
  EXPECT_EQ(localizer_->fetches(), 2);
  EXPECT_EQ(store_.All().size(), 2u);
}

TEST_F(ResourceLocalizerRecoveryTest, FetchCutShortByTheRestartIsCleanedUp) {
  const std::string partial = dir_ + "/local/filecache/7";
  fs::create_directories(partial);
  std::ofstream(partial + "/big.bin") << "half";
  LocalizedResourceRecord started;
  started.key = "0|||0||http://example.invalid/big.bin";
  started.dir = partial;
  started.user = "alice";
  ASSERT_TRUE(store_.StoreLocalizedResource(started).ok());
  Restart();
  EXPECT_FALSE(fs::exists(partial));
  EXPECT_TRUE(store_.All().empty());
  EXPECT_EQ(localizer_->recovered(), 0);
}

TEST_F(ResourceLocalizerRecoveryTest, FailedFetchLeavesNoRecord) {
  Restart();
  auto missing = One(Resource("file://" + dir_ + "/src/none", proto::PUBLIC));
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(store_.All().empty());
}

TEST(DiskUsageTest, CountsFilesUnderADirectory) {
  const std::string dir = ::testing::TempDir() + "/disk_usage_" + std::to_string(getpid());
  fs::remove_all(dir);
  fs::create_directories(dir + "/d/e");
  std::ofstream(dir + "/d/x") << "12345";
  std::ofstream(dir + "/d/e/y") << "123";
  EXPECT_EQ(DiskUsage(dir + "/d"), 8);
  EXPECT_EQ(DiskUsage(dir + "/d/x"), 5);
  EXPECT_EQ(DiskUsage(dir + "/none"), 0);
  fs::remove_all(dir);
}

TEST(ResourceLocalizerNoDirTest, NoUsableLocalDirIsAClearError) {
  LocalizerOptions o;
  o.local_dirs = {"/proc/no-such-dir/local"};
  ResourceLocalizer localizer(o);
  proto::LocalResourceProto r;
  *r.mutable_resource() = ParseUrl("file:///etc/hostname");
  auto paths = localizer.LocalizeSync("alice", kApp, {{"h", r}});
  EXPECT_EQ(paths.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      paths.status().message(),
      HasSubstr("no usable directory in yarn.nodemanager.local-dirs (/proc/no-such-dir/local)"));
}

}  // namespace
}  // namespace skein::nm
