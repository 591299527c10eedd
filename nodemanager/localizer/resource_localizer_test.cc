#include "nodemanager/localizer/resource_localizer.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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
  r.set_resource(url);
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
  server_.Get("/big.bin", [&](const httplib::Request&, httplib::Response& res) {
    ++requests;
    std::this_thread::sleep_for(200ms);  // both containers ask while this one is in flight
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
  ASSERT_EQ(fa.wait_for(10s), std::future_status::ready);
  ASSERT_EQ(fb.wait_for(10s), std::future_status::ready);
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

TEST(ResourceLocalizerNoDirTest, NoUsableLocalDirIsAClearError) {
  LocalizerOptions o;
  o.local_dirs = {"/proc/no-such-dir/local"};
  ResourceLocalizer localizer(o);
  proto::LocalResourceProto r;
  r.set_resource("file:///etc/hostname");
  auto paths = localizer.LocalizeSync("alice", kApp, {{"h", r}});
  EXPECT_EQ(paths.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      paths.status().message(),
      HasSubstr("no usable directory in yarn.nodemanager.local-dirs (/proc/no-such-dir/local)"));
}

}  // namespace
}  // namespace skein::nm
