// Container log pages against a real HTTP server on 127.0.0.1 and real log files on disk.
#include "nodemanager/web/nm_log_pages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "nlohmann/json.hpp"
#include "nodemanager/web/nm_web_server.h"

namespace skein::nm::web {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using ::testing::HasSubstr;

constexpr char kRunning[] = "container_1700_0001_01_000001";
constexpr char kForgotten[] = "container_1700_0001_01_000002";  // not in the snapshot any more

class NmLogPagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nm_log_pages_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    Write(dir_ / "known" / "stdout", "0123456789");
    Write(dir_ / "known" / "stderr", "<b>bold</b>\n");
    Write(dir_ / "logs" / "application_1700_0001" / kForgotten / "stdout", "old output\n");
    loop_.Start();
    server_ = std::make_unique<NmWebServer>(loop_, [this] {
      NmWebSnapshot s;
      s.node_id = NodeId("127.0.0.1", 45454);
      proto::ContainerStatusProto c;
      *c.mutable_container_id() = ContainerId::Parse(kRunning)->ToProto();
      c.set_state(proto::C_RUNNING);
      c.set_nm_state("RUNNING");
      s.containers = {c};
      s.container_users = {{kRunning, "alice"}};
      s.container_log_dirs = {{kRunning, (dir_ / "known").string()}};
      s.log_dirs = {(dir_ / "logs").string()};
      return s;
    });
    ASSERT_TRUE(server_->Start("127.0.0.1:0").ok());
    http_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    http_->set_read_timeout(10, 0);
  }
  void TearDown() override {
    server_->Stop();
    loop_.Stop();
    fs::remove_all(dir_);
  }
  void Write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  httplib::Result Get(const std::string& path) { return http_->Get(path.c_str()); }

  fs::path dir_;
  EventLoop loop_{"test-nm-loop"};
  std::unique_ptr<NmWebServer> server_;
  std::unique_ptr<httplib::Client> http_;
};

TEST_F(NmLogPagesTest, LogsInfoListsFilesWithSizes) {
  auto r = Get(std::string("/ws/v1/node/containers/") + kRunning + "/logs");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  json j = json::parse(r->body);
  const json& info = j["containerLogsInfo"];
  EXPECT_EQ(info["logAggregationType"], "LOCAL");
  EXPECT_EQ(info["containerId"], kRunning);
  EXPECT_EQ(info["nodeId"], "127.0.0.1:45454");
  ASSERT_EQ(info["containerLogInfo"].size(), 2u);
  EXPECT_EQ(info["containerLogInfo"][0]["fileName"], "stderr");
  EXPECT_EQ(info["containerLogInfo"][1]["fileName"], "stdout");
  EXPECT_EQ(info["containerLogInfo"][1]["fileSize"], "10");
  EXPECT_FALSE(info["containerLogInfo"][1]["lastModifiedTime"].get<std::string>().empty());
}

TEST_F(NmLogPagesTest, LogFileInYarnLayoutWithSize) {
  auto r = Get(std::string("/ws/v1/node/containerlogs/") + kRunning + "/stdout?size=-4");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->get_header_value("Content-Type"), HasSubstr("text/plain"));
  EXPECT_THAT(r->body, HasSubstr(std::string("Container: ") + kRunning +
                                 " on 127.0.0.1:45454\n"
                                 "LogAggregationType: LOCAL\n"));
  EXPECT_THAT(r->body, HasSubstr("LogType:stdout\n"));
  EXPECT_THAT(r->body, HasSubstr("LogLength:10\nLogContents:\n6789End of LogType:stdout."
                                 "This log file belongs to a running container"));
  r = Get(std::string("/ws/v1/node/containers/") + kRunning + "/logs/stdout?size=3");
  ASSERT_TRUE(r);
  EXPECT_THAT(r->body, HasSubstr("LogContents:\n012End of LogType:stdout."));
}

TEST_F(NmLogPagesTest, ForgottenContainerLogsAreFoundOnDisk) {
  auto r = Get(std::string("/ws/v1/node/containerlogs/") + kForgotten + "/stdout");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr("old output\nEnd of LogType:stdout.\n***"));
}

TEST_F(NmLogPagesTest, HtmlPagesLinkAndEscape) {
  auto r = Get(std::string("/node/containerlogs/") + kRunning + "/alice");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body,
              HasSubstr(std::string("href=\"/node/containerlogs/") + kRunning + "/alice/stderr\""));
  r = Get(std::string("/node/containerlogs/") + kRunning + "/alice/stderr");
  ASSERT_TRUE(r);
  EXPECT_THAT(r->body, HasSubstr("&lt;b&gt;bold&lt;/b&gt;"));
  r = Get(std::string("/node/container/") + kRunning);
  ASSERT_TRUE(r);
  EXPECT_THAT(r->body,
              HasSubstr(std::string("href=\"/node/containerlogs/") + kRunning + "/alice\""));
}

TEST_F(NmLogPagesTest, ErrorsAreRemoteExceptions) {
  auto r = Get("/ws/v1/node/containers/container_1700_0009_01_000001/logs");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  json j = json::parse(r->body);
  EXPECT_EQ(j["RemoteException"]["exception"], "NotFoundException");
  EXPECT_THAT(j["RemoteException"]["message"].get<std::string>(), HasSubstr("Unknown container"));
  r = Get(std::string("/ws/v1/node/containerlogs/") + kRunning + "/nosuchfile");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_THAT(r->body, HasSubstr("nosuchfile"));
  r = Get(std::string("/ws/v1/node/containerlogs/") + kRunning + "/..");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = Get("/ws/v1/node/containers/not_a_container/logs");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("invalid container id, not_a_container"));
  r = Get(std::string("/ws/v1/node/containerlogs/") + kRunning + "/stdout?size=lots");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("'lots'"));
  r = Get("/node/container/container_1700_0009_01_000001");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

}  // namespace
}  // namespace skein::nm::web
