// `yarn logs` end to end: a fake ApplicationClientProtocol on loopback, aggregated files on
// disk for finished applications, and for running ones a fake RM REST server plus a real
// NodeManager web server over real log files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "client/yarn_cli.h"
#include "common/event_loop.h"
#include "common/ids.h"
#include "common/rpc.h"
#include "nodemanager/logaggregation/aggregated_log_file.h"
#include "nodemanager/web/nm_web_server.h"
#include "protos/client_protocol.grpc.pb.h"

namespace skein::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kTs = 1700000000000;
const ApplicationId kFinished(kTs, 1);
const ApplicationId kRunning(kTs, 2);

ContainerId Cid(const ApplicationId& app, int attempt, int seq) {
  return ContainerId::Make(ApplicationAttemptId(app, attempt), 0, seq);
}

class FakeRM final : public proto::ApplicationClientProtocol::Service {
 public:
  grpc::Status GetApplicationReport(grpc::ServerContext*,
                                    const proto::GetApplicationReportRequest* req,
                                    proto::GetApplicationReportResponse* resp) override {
    ApplicationId id = ApplicationId::FromProto(req->application_id());
    if (id != kFinished && id != kRunning) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "Application with id '" + id.ToString() + "' doesn't exist in RM.");
    }
    proto::ApplicationReportProto* r = resp->mutable_application_report();
    *r->mutable_application_id() = id.ToProto();
    r->set_user("alice");
    r->set_yarn_application_state(id == kFinished ? proto::FINISHED : proto::RUNNING);
    return grpc::Status::OK;
  }
};

class YarnLogsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("yarn_logs_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "conf");
    auto server = StartGrpcServer("127.0.0.1:0", "test.rm", {&rm_}, &rm_port_);
    ASSERT_TRUE(server.ok()) << server.status();
    rm_server_ = *std::move(server);
    // The RM's REST API: one attempt of kRunning with its AM container on the test NM.
    rest_.Get(R"(/ws/v1/cluster/apps/([^/]+)/appattempts)", [this](const httplib::Request& req,
                                                                   httplib::Response& res) {
      if (req.matches[1] != kRunning.ToString()) {
        res.status = 404;
        return;
      }
      std::string am = Cid(kRunning, 1, 1).ToString();
      res.set_content(R"({"appAttempts":{"appAttempt":[{"id":1,"appAttemptId":")" +
                          ApplicationAttemptId(kRunning, 1).ToString() + R"(","containerId":")" +
                          am + R"(","nodeHttpAddress":"127.0.0.1:)" + std::to_string(nm_port_) +
                          R"(","nodeId":"127.0.0.1:45454"}]}})",
                      "application/json");
    });
    rest_.Get(R"(/ws/v1/cluster/apps/([^/]+)/appattempts/([^/]+)/containers)",
              [this](const httplib::Request&, httplib::Response& res) {
                res.set_content(R"({"containers":{"container":[{"containerId":")" +
                                    Cid(kRunning, 1, 2).ToString() +
                                    R"(","nodeHttpAddress":"http://127.0.0.1:)" +
                                    std::to_string(nm_port_) +
                                    R"(","nodeId":"127.0.0.1:45454"}]}})",
                                "application/json");
              });
    rest_port_ = rest_.bind_to_any_port("127.0.0.1");
    rest_thread_ = std::thread([this] { rest_.listen_after_bind(); });
    // cpp-httplib's stop() is a no-op until the listen loop runs: wait for it (bounded) so
    // that an early stop cannot leave the thread listening forever.
    for (int i = 0; i < 5000 && !rest_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    // A real NM web server over real log files.
    Write(dir_ / "nmlogs" / kRunning.ToString() / Cid(kRunning, 1, 1).ToString() / "stdout",
          "am says hi\n");
    Write(dir_ / "nmlogs" / kRunning.ToString() / Cid(kRunning, 1, 2).ToString() / "stdout",
          "worker output\n");
    loop_.Start();
    nm_web_ = std::make_unique<nm::web::NmWebServer>(loop_, [this] {
      nm::web::NmWebSnapshot s;
      s.node_id = NodeId("127.0.0.1", 45454);
      s.log_dirs = {(dir_ / "nmlogs").string()};
      proto::ContainerStatusProto c;
      *c.mutable_container_id() = Cid(kRunning, 1, 2).ToProto();
      c.set_state(proto::C_RUNNING);
      s.containers = {c};
      return s;
    });
    ASSERT_TRUE(nm_web_->Start("127.0.0.1:0").ok());
    nm_port_ = nm_web_->port();
    std::ofstream(dir_ / "conf" / "yarn-site.xml")
        << "<configuration>"
        << Prop("yarn.resourcemanager.address", "127.0.0.1:" + std::to_string(rm_port_))
        << Prop("yarn.resourcemanager.webapp.address", "127.0.0.1:" + std::to_string(rest_port_))
        << Prop("yarn.resourcemanager.connect.max-wait.ms", "500")
        << Prop("yarn.nodemanager.remote-app-log-dir", (dir_ / "remote").string())
        << "</configuration>";
    WriteAggregated();
  }
  void TearDown() override {
    nm_web_->Stop();
    loop_.Stop();
    rest_.stop();
    if (rest_thread_.joinable()) rest_thread_.join();
    rm_server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    fs::remove_all(dir_);
  }
  static std::string Prop(const std::string& k, const std::string& v) {
    return "<property><name>" + k + "</name><value>" + v + "</value></property>";
  }
  void Write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  // kFinished ran two attempts on node h1 and a worker on node h2.
  void WriteAggregated() {
    const std::string app_dir =
        logs::RemoteAppLogDir((dir_ / "remote").string(), "alice", "logs", kFinished);
    auto file = [](std::string name, std::string text) {
      return logs::LogFile{std::move(name), kTs, std::move(text)};
    };
    ASSERT_TRUE(
        logs::WriteAggregatedLogFile(
            app_dir + "/h1_8041", {{Cid(kFinished, 1, 1).ToString(),
                                    {file("stderr", "first am failed\n"), file("stdout", "am1\n")}},
                                   {Cid(kFinished, 2, 1).ToString(),
                                    {file("stderr", ""), file("stdout", "am2 0123456789\n")}}})
            .ok());
    ASSERT_TRUE(
        logs::WriteAggregatedLogFile(
            app_dir + "/h2_8041", {{Cid(kFinished, 2, 2).ToString(), {file("stdout", "worker\n")}}})
            .ok());
  }

  struct Result {
    int code;
    std::string out, err;
  };
  Result Yarn(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", (dir_ / "conf").string(), "logs"});
    std::ostringstream out, err;
    int code = RunYarn(args, out, err);
    return {code, out.str(), err.str()};
  }

  fs::path dir_;
  FakeRM rm_;
  std::unique_ptr<grpc::Server> rm_server_;
  int rm_port_ = 0;
  httplib::Server rest_;
  int rest_port_ = 0;
  std::thread rest_thread_;
  EventLoop loop_{"test-nm"};
  std::unique_ptr<nm::web::NmWebServer> nm_web_;
  int nm_port_ = 0;
};

TEST_F(YarnLogsTest, FinishedAppPrintsEveryAggregatedLogInYarnLayout) {
  Result r = Yarn({"-applicationId", kFinished.ToString()});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string first = "Container: " + Cid(kFinished, 1, 1).ToString() + " on h1_8041";
  EXPECT_THAT(r.out, HasSubstr(first + "\nLogAggregationType: AGGREGATED\n" +
                               std::string(first.size(), '=') + "\nLogType:stderr\n"));
  EXPECT_THAT(r.out, HasSubstr("LogLength:16\nLogContents:\nfirst am failed\n\n"
                               "End of LogType:stderr\n" +
                               std::string(71, '*') + "\n\n"));
  EXPECT_THAT(r.out, HasSubstr("Container: " + Cid(kFinished, 2, 2).ToString() + " on h2_8041"));
  EXPECT_THAT(r.out, HasSubstr("worker\n"));
}

TEST_F(YarnLogsTest, FiltersByFileContainerNodeAmAndSize) {
  Result r = Yarn({"-applicationId", kFinished.ToString(), "-log_files", "stdout"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("LogType:stderr")));
  EXPECT_THAT(r.out, HasSubstr("am1\n"));

  r = Yarn({"-applicationId", kFinished.ToString(), "-log_files_pattern", "^std.r+$"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("LogType:stderr"));
  EXPECT_THAT(r.out, Not(HasSubstr("LogType:stdout")));

  r = Yarn({"-containerId", Cid(kFinished, 2, 2).ToString()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("worker\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("am1")));

  r = Yarn({"-applicationId", kFinished.ToString(), "-nodeAddress", "h2:8041"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("am1")));
  EXPECT_THAT(r.out, HasSubstr("worker"));

  r = Yarn({"-applicationId", kFinished.ToString(), "-am", "-1", "-log_files", "stdout"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("am2"));
  EXPECT_THAT(r.out, Not(HasSubstr("am1")));
  EXPECT_THAT(r.out, Not(HasSubstr("worker")));

  r = Yarn({"-applicationId", kFinished.ToString(), "-am", "1", "-log_files", "stdout"});
  EXPECT_THAT(r.out, HasSubstr("am1"));
  EXPECT_THAT(r.out, Not(HasSubstr("am2")));

  r = Yarn(
      {"-applicationId", kFinished.ToString(), "-am", "2", "-log_files", "stdout", "-size", "-11"});
  EXPECT_THAT(r.out, HasSubstr("LogLength:15\nLogContents:\n0123456789\n\nEnd of LogType:stdout"));
  r = Yarn(
      {"-applicationId", kFinished.ToString(), "-am", "2", "-log_files", "stdout", "-size", "3"});
  EXPECT_THAT(r.out, HasSubstr("LogContents:\nam2\nEnd of LogType:stdout"));
}

TEST_F(YarnLogsTest, NoMatchingFileIsAnError) {
  Result r = Yarn({"-applicationId", kFinished.ToString(), "-log_files", "syslog"});
  EXPECT_EQ(r.code, 255);
  EXPECT_THAT(r.err, HasSubstr("Can not find any log file matching the pattern: [syslog] for the "
                               "application: " +
                               kFinished.ToString()));
  r = Yarn({"-containerId", Cid(kFinished, 1, 9).ToString()});
  EXPECT_EQ(r.code, 255);
  EXPECT_THAT(r.err, HasSubstr("Can not find the container:" + Cid(kFinished, 1, 9).ToString()));
}

TEST_F(YarnLogsTest, UnknownAppFallsBackToTheFileSystemThenFails) {
  Result r = Yarn({"-applicationId", ApplicationId(kTs, 99).ToString(), "-appOwner", "bob"});
  EXPECT_EQ(r.code, 255);
  EXPECT_THAT(r.err, HasSubstr("Unable to get ApplicationState. Attempting to fetch logs directly "
                               "from the filesystem."));
  EXPECT_THAT(r.err, HasSubstr("Can not find the logs for the application: " +
                               ApplicationId(kTs, 99).ToString() + " with the appOwner: bob"));
}

TEST_F(YarnLogsTest, BadArgumentsAreClearErrors) {
  Result r = Yarn({});
  EXPECT_EQ(r.code, 255);
  EXPECT_THAT(r.err, HasSubstr("usage: yarn logs -applicationId"));
  r = Yarn({"-help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("-log_files_pattern"));
  r = Yarn({"-applicationId", "app_1"});
  EXPECT_EQ(r.code, 255);
  EXPECT_THAT(r.err, HasSubstr("Invalid ApplicationId specified"));
  r = Yarn({"-containerId", "container_x"});
  EXPECT_THAT(r.err, HasSubstr("Invalid ContainerId specified"));
  r = Yarn({"-applicationId", kFinished.ToString(), "-am", "0"});
  EXPECT_THAT(r.err, HasSubstr("Invalid input for option -am"));
  r = Yarn({"-applicationId", kFinished.ToString(), "-size", "big"});
  EXPECT_THAT(r.err, HasSubstr("-size must be a number of bytes, got 'big'"));
  r = Yarn({"-applicationId", kFinished.ToString(), "-log_files_pattern", "("});
  EXPECT_THAT(r.err, HasSubstr("Invalid -log_files_pattern '('"));
  r = Yarn(
      {"-applicationId", kFinished.ToString(), "-containerId", Cid(kRunning, 1, 1).ToString()});
  EXPECT_THAT(r.err, HasSubstr("does not have the container:"));
  r = Yarn({"-applicationId", kFinished.ToString(), "-bogus"});
  EXPECT_EQ(r.code, 255);
  EXPECT_THAT(r.err, HasSubstr("Unrecognized option: -bogus"));
}

TEST_F(YarnLogsTest, RunningAppLogsComeFromTheNodeManagers) {
  Result r = Yarn({"-applicationId", kRunning.ToString()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Container: " + Cid(kRunning, 1, 1).ToString() +
                               " on 127.0.0.1:45454\nLogAggregationType: LOCAL\n"));
  EXPECT_THAT(r.out, HasSubstr("am says hi\nEnd of LogType:stdout.\n"));
  EXPECT_THAT(r.out, HasSubstr("worker output\nEnd of LogType:stdout.This log file belongs to a "
                               "running container (" +
                               Cid(kRunning, 1, 2).ToString() + ") and so may not be complete."));
  r = Yarn({"-applicationId", kRunning.ToString(), "-am", "1", "-size", "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("LogContents:\nam End of LogType:stdout."));
  EXPECT_THAT(r.out, Not(HasSubstr("worker")));
}

}  // namespace
}  // namespace skein::cli
