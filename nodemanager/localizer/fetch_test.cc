#include "nodemanager/localizer/fetch.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/url.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace skein::nm {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

proto::LocalResourceProto Resource(const std::string& url, int64_t size = 0, int64_t ts = 0) {
  proto::LocalResourceProto r;
  *r.mutable_resource() = ParseUrl(url);
  r.set_size(size);
  r.set_timestamp(ts);
  return r;
}

class FetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/fetch_test_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (server_thread_.joinable()) {
      server_.stop();
      server_thread_.join();
    }
    fs::remove_all(dir_);
  }
  // Serves `body` at /files/data.bin and 404 elsewhere; returns the base URL.
  std::string Serve(const std::string& body) {
    server_.Get("/files/data.bin", [body](const httplib::Request&, httplib::Response& res) {
      res.set_header("Last-Modified", "Tue, 14 Nov 2023 22:13:20 GMT");
      res.set_content(body, "application/octet-stream");
    });
    int port = server_.bind_to_any_port("127.0.0.1");
    server_thread_ = std::thread([this] { server_.listen_after_bind(); });
    // cpp-httplib's stop() is a no-op until the listen loop runs: wait for it (bounded) so
    // that an early stop cannot leave the thread listening forever.
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return absl::StrCat("http://127.0.0.1:", port);
  }

  std::string dir_;
  std::atomic<bool> cancel_{false};
  httplib::Server server_;
  std::thread server_thread_;
};

TEST(FetchUrlTest, SchemesPathsAndNames) {
  EXPECT_EQ(*ResourceScheme("file:///a/b"), "file");
  EXPECT_EQ(*ResourceScheme("HTTP://h/x"), "http");
  EXPECT_EQ(*ResourceScheme("https://h/x"), "https");
  absl::Status hdfs = ResourceScheme("hdfs://nn:8020/x").status();
  EXPECT_EQ(hdfs.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(hdfs.message(), HasSubstr("Resource hdfs://nn:8020/x: only file://, http://"));
  EXPECT_EQ(ResourceScheme("/plain/path").status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(ResourceScheme("http:x").status().message(), HasSubstr("expected http://host/path"));

  EXPECT_EQ(*FileUrlPath("file:///a/b.txt"), "/a/b.txt");
  EXPECT_EQ(*FileUrlPath("file:/a/b.txt"), "/a/b.txt");
  EXPECT_EQ(*FileUrlPath("file://localhost/a"), "/a");
  EXPECT_THAT(FileUrlPath("file://otherhost/a").status().message(),
              HasSubstr("must name a local path"));
  EXPECT_THAT(FileUrlPath("file:relative").status().message(), HasSubstr("must be absolute"));

  EXPECT_EQ(ResourceFileName("file:///a/b/env.tgz"), "env.tgz");
  EXPECT_EQ(ResourceFileName("http://h:1/x/lib.jar?sig=1#frag"), "lib.jar");
  EXPECT_EQ(ResourceFileName("http://h:1"), "resource");
  EXPECT_EQ(ResourceFileName("http://h:1/dir/"), "resource");
}

TEST_F(FetchTest, FileIsCopiedWhenSizeAndTimestampMatch) {
  const std::string src = dir_ + "/src.txt";
  std::ofstream(src) << "hello";
  struct stat st;
  ASSERT_EQ(stat(src.c_str(), &st), 0);
  const int64_t ts = ModificationTimeMillis(st);
  ASSERT_TRUE(FetchResource(Resource("file://" + src, 5, ts), dir_ + "/a", {}, cancel_).ok());
  EXPECT_EQ(Read(dir_ + "/a"), "hello");
  // Not declared (0): not checked.
  ASSERT_TRUE(FetchResource(Resource("file:" + src), dir_ + "/b", {}, cancel_).ok());
  EXPECT_EQ(Read(dir_ + "/b"), "hello");
}

TEST_F(FetchTest, FileMismatchAndMissingAreClearErrors) {
  const std::string src = dir_ + "/src.txt";
  std::ofstream(src) << "hello";
  struct stat st;
  ASSERT_EQ(stat(src.c_str(), &st), 0);
  const int64_t ts = ModificationTimeMillis(st);

  absl::Status size = FetchResource(Resource("file://" + src, 123, ts), dir_ + "/a", {}, cancel_);
  EXPECT_EQ(size.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(size.message(), absl::StrCat("Resource file://", src,
                                         " changed on src filesystem (expected size 123, was 5)"));
  EXPECT_FALSE(fs::exists(dir_ + "/a"));

  absl::Status time =
      FetchResource(Resource("file://" + src, 5, ts - 1000), dir_ + "/b", {}, cancel_);
  EXPECT_EQ(time.message(),
            absl::StrCat("Resource file://", src, " changed on src filesystem (expected ",
                         ts - 1000, ", was ", ts, ")"));

  absl::Status missing =
      FetchResource(Resource("file://" + dir_ + "/nope"), dir_ + "/c", {}, cancel_);
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("Resource file://" + dir_ + "/nope does not exist"));

  fs::create_directories(dir_ + "/adir");
  EXPECT_THAT(
      FetchResource(Resource("file://" + dir_ + "/adir"), dir_ + "/d", {}, cancel_).message(),
      HasSubstr("is not a regular file"));
}

TEST_F(FetchTest, HttpDownloadAndItsErrors) {
  const std::string base = Serve("0123456789");
  ASSERT_TRUE(FetchResource(Resource(base + "/files/data.bin", 10), dir_ + "/a", {}, cancel_).ok());
  EXPECT_EQ(Read(dir_ + "/a"), "0123456789");
  // Last-Modified (Tue, 14 Nov 2023 22:13:20 GMT) is the timestamp.
  EXPECT_TRUE(
      FetchResource(Resource(base + "/files/data.bin", 10, 1700000000000), dir_ + "/b", {}, cancel_)
          .ok());

  absl::Status stale = FetchResource(Resource(base + "/files/data.bin", 10, 1600000000000),
                                     dir_ + "/c", {}, cancel_);
  EXPECT_EQ(stale.message(), absl::StrCat("Resource ", base,
                                          "/files/data.bin changed on src filesystem (expected "
                                          "1600000000000, was 1700000000000)"));
  absl::Status size =
      FetchResource(Resource(base + "/files/data.bin", 11), dir_ + "/d", {}, cancel_);
  EXPECT_THAT(size.message(), HasSubstr("(expected size 11, was 10)"));

  absl::Status missing = FetchResource(Resource(base + "/files/none"), dir_ + "/e", {}, cancel_);
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.message(),
              HasSubstr("Resource " + base + "/files/none could not be downloaded: HTTP 404"));

  // Nobody listens on the port the server had before it stopped.
  server_.stop();
  server_thread_.join();
  absl::Status down = FetchResource(Resource(base + "/files/data.bin"), dir_ + "/f", {}, cancel_);
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(down.message(),
              HasSubstr("Resource " + base + "/files/data.bin could not be downloaded"));
}

}  // namespace
}  // namespace skein::nm
