// The `yarn` command end to end against a fake ApplicationClientProtocol server on loopback.
#include "client/yarn_cli.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "common/ids.h"
#include "common/rpc.h"
#include "protos/client_protocol.grpc.pb.h"

namespace skein::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int64_t kTs = 1700000000000;

class FakeRM final : public proto::ApplicationClientProtocol::Service {
 public:
  FakeRM() {
    proto::ApplicationReportProto a;
    *a.mutable_application_id() = ApplicationId(kTs, 1).ToProto();
    a.set_name("sleeper");
    a.set_application_type("YARN");
    a.set_user("alice");
    a.set_queue("default");
    a.set_yarn_application_state(proto::RUNNING);
    a.set_progress(0.5f);
    apps.push_back(a);
    a.set_name("done");
    *a.mutable_application_id() = ApplicationId(kTs, 2).ToProto();
    a.set_yarn_application_state(proto::FINISHED);
    a.set_final_application_status(proto::APP_SUCCEEDED);
    a.set_progress(1.0f);
    apps.push_back(a);

    proto::NodeReportProto n;
    *n.mutable_node_id() = NodeId("127.0.0.1", 40001).ToProto();
    n.set_http_address("127.0.0.1:8042");
    n.set_node_state(proto::NS_RUNNING);
    n.mutable_capability()->set_memory_mb(8192);
    n.mutable_capability()->set_virtual_cores(8);
    nodes.push_back(n);
    *n.mutable_node_id() = NodeId("127.0.0.1", 40002).ToProto();
    n.set_node_state(proto::NS_LOST);
    nodes.push_back(n);
  }

  grpc::Status GetApplications(grpc::ServerContext*, const proto::GetApplicationsRequest* req,
                               proto::GetApplicationsResponse* resp) override {
    std::lock_guard<std::mutex> l(mu);
    last_apps_request = *req;
    for (const auto& t : req->application_types()) {
      if (t == "BAD") return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad type BAD");
    }
    for (const auto& a : apps) {
      bool match = req->application_states_size() == 0;
      for (auto s : req->application_states()) match |= s == a.yarn_application_state();
      if (match) *resp->add_applications() = a;
    }
    return grpc::Status::OK;
  }

  grpc::Status GetApplicationReport(grpc::ServerContext*,
                                    const proto::GetApplicationReportRequest* req,
                                    proto::GetApplicationReportResponse* resp) override {
    std::lock_guard<std::mutex> l(mu);
    ApplicationId id = ApplicationId::FromProto(req->application_id());
    if (submitted && id == ApplicationId(kTs, 3)) {
      auto [state, final_status] = script.front();
      if (script.size() > 1) script.erase(script.begin());
      proto::ApplicationReportProto* r = resp->mutable_application_report();
      *r->mutable_application_id() = id.ToProto();
      r->set_yarn_application_state(state);
      r->set_final_application_status(final_status);
      if (final_status == proto::APP_FAILED) r->set_diagnostics("Diagnostics., total=1, failed=1");
      return grpc::Status::OK;
    }
    for (const auto& a : apps) {
      if (ApplicationId::FromProto(a.application_id()) == id) {
        *resp->mutable_application_report() = a;
        return grpc::Status::OK;
      }
    }
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "Application with id '" + id.ToString() + "' doesn't exist in RM.");
  }

  grpc::Status ForceKillApplication(grpc::ServerContext*, const proto::KillApplicationRequest* req,
                                    proto::KillApplicationResponse* resp) override {
    std::lock_guard<std::mutex> l(mu);
    killed.push_back(ApplicationId::FromProto(req->application_id()).ToString());
    resp->set_is_kill_completed(true);
    return grpc::Status::OK;
  }

  grpc::Status GetClusterNodes(grpc::ServerContext*, const proto::GetClusterNodesRequest* req,
                               proto::GetClusterNodesResponse* resp) override {
    std::lock_guard<std::mutex> l(mu);
    last_nodes_request = *req;
    for (const auto& n : nodes) *resp->add_node_reports() = n;  // ignores the filter on purpose
    return grpc::Status::OK;
  }

  grpc::Status GetQueueInfo(grpc::ServerContext*, const proto::GetQueueInfoRequest* req,
                            proto::GetQueueInfoResponse* resp) override {
    if (req->queue_name() != "default") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "no queue " + req->queue_name());
    }
    auto* q = resp->mutable_queue_info();
    q->set_queue_name("default");
    q->set_queue_path("root.default");
    resp->mutable_queue_info()->set_weight(-1.0f);
    resp->mutable_queue_info()->set_max_parallel_apps(2147483647);
    q->set_state(proto::Q_RUNNING);
    q->set_capacity(1.0f);
    q->set_maximum_capacity(1.0f);
    q->set_preemption_disabled(true);
    return grpc::Status::OK;
  }

  grpc::Status MoveApplicationAcrossQueues(grpc::ServerContext*,
                                           const proto::MoveApplicationAcrossQueuesRequest* req,
                                           proto::MoveApplicationAcrossQueuesResponse*) override {
    if (req->target_queue() == "locked") {
      return grpc::Status(
          grpc::StatusCode::PERMISSION_DENIED,
          "User bob cannot submit applications to target queue or the target "
          "queue doesn't exist: locked while moving application_1700000000000_0001");
    }
    std::lock_guard<std::mutex> l(mu);
    moved_to = req->target_queue();
    return grpc::Status::OK;
  }

  grpc::Status UpdateApplicationPriority(grpc::ServerContext*,
                                         const proto::UpdateApplicationPriorityRequest* req,
                                         proto::UpdateApplicationPriorityResponse* resp) override {
    // The cluster maximum is 4.
    resp->mutable_applicationpriority()->set_priority(
        std::min(req->applicationpriority().priority(), 4));
    return grpc::Status::OK;
  }

  grpc::Status GetNewApplication(grpc::ServerContext*, const proto::GetNewApplicationRequest*,
                                 proto::GetNewApplicationResponse* resp) override {
    *resp->mutable_application_id() = ApplicationId(kTs, 3).ToProto();
    resp->mutable_maximum_capability()->set_memory_mb(8192);
    return grpc::Status::OK;
  }

  grpc::Status SubmitApplication(grpc::ServerContext*, const proto::SubmitApplicationRequest* req,
                                 proto::SubmitApplicationResponse*) override {
    std::lock_guard<std::mutex> l(mu);
    submission = req->application_submission_context();
    submitted = true;
    return grpc::Status::OK;
  }

  std::mutex mu;
  std::vector<proto::ApplicationReportProto> apps;
  std::vector<proto::NodeReportProto> nodes;
  proto::GetApplicationsRequest last_apps_request;
  proto::GetClusterNodesRequest last_nodes_request;
  std::vector<std::string> killed;
  std::string moved_to;
  bool submitted = false;
  proto::ApplicationSubmissionContextProto submission;
  std::vector<std::pair<proto::YarnApplicationState, proto::FinalApplicationStatus>> script = {
      {proto::ACCEPTED, proto::APP_UNDEFINED},
      {proto::ACCEPTED, proto::APP_UNDEFINED},
      {proto::RUNNING, proto::APP_UNDEFINED},
      {proto::FINISHED, proto::APP_SUCCEEDED}};
};

std::string WriteConf(const std::string& dir, const std::string& body) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/yarn-site.xml") << body;
  return dir;
}

std::string SiteXml(const std::string& rm_address) {
  return "<?xml version=\"1.0\"?>\n<configuration>\n"
         "  <property><name>yarn.resourcemanager.address</name><value>" +
         rm_address +
         "</value></property>\n"
         "  <property><name>yarn.resourcemanager.connect.max-wait.ms</name><value>300</value>"
         "</property>\n"
         "  <property><name>yarn.client.application-client-protocol.poll-interval-ms</name>"
         "<value>20</value></property>\n"
         "  <property><name>yarn.nodemanager.log-dirs</name><value>/tmp/nm-logs</value>"
         "</property>\n"
         "</configuration>\n";
}

class YarnCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = StartGrpcServer("127.0.0.1:0", "test", {&rm_}, &port_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    dir_ = std::filesystem::temp_directory_path() /
           ("yarn_cli_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    WriteConf(dir_, SiteXml("127.0.0.1:" + std::to_string(port_)));
  }
  void TearDown() override {
    server_->Shutdown();
    std::filesystem::remove_all(dir_);
  }
  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    args.insert(args.begin(), {"--config", dir_.string()});
    return RunYarn(args, out_, err_);
  }

  FakeRM rm_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::filesystem::path dir_;
  std::ostringstream out_, err_;
};

TEST(YarnCliBasics, VersionHelpAndUnknownCommand) {
  std::ostringstream out, err;
  EXPECT_EQ(RunYarn({"version"}, out, err), 0);
  EXPECT_EQ(out.str(), "Skein 0.1.0\nCompatible with Hadoop YARN 3.x\n");
  out.str("");
  EXPECT_EQ(RunYarn({"-help"}, out, err), 0);
  EXPECT_THAT(out.str(), HasSubstr("distributedshell"));
  EXPECT_THAT(out.str(), HasSubstr("minicluster"));
  EXPECT_EQ(RunYarn({}, out, err), 1);
  err.str("");
  EXPECT_EQ(RunYarn({"frobnicate"}, out, err), 1);
  EXPECT_THAT(err.str(), StartsWith("yarn: unknown command 'frobnicate'\nUsage: yarn"));
  err.str("");
  EXPECT_EQ(RunYarn({"--config"}, out, err), 1);
  EXPECT_THAT(err.str(), HasSubstr("--config needs a configuration directory"));
}

// With no action: -help prints the command's usage; nothing prints Hadoop's "Invalid Command
// Usage" before it. Both exit 0, as Hadoop's.
TEST(YarnCliBasics, HelpOrInvalidUsageOfEachCommand) {
  for (const std::string command : {"application", "node", "queue", "container"}) {
    std::ostringstream out, err;
    EXPECT_EQ(RunYarn({command, "-help"}, out, err), 0) << command;
    EXPECT_THAT(out.str(), StartsWith("usage: " + command + "\n")) << command;
    EXPECT_EQ(err.str(), "") << command;
    out.str("");
    EXPECT_EQ(RunYarn({command}, out, err), 0) << command;
    EXPECT_EQ(err.str(), "Invalid Command Usage : \n") << command;
    EXPECT_THAT(out.str(), StartsWith("usage: " + command + "\n")) << command;
  }
}

TEST(YarnCliBasics, MalformedConfigNamesFileAndLine) {
  std::string dir =
      std::filesystem::temp_directory_path() / ("yarn_cli_badconf_" + std::to_string(getpid()));
  WriteConf(dir, "<configuration>\n<property><name>x</name>\n<value>1</value>\n</oops>\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunYarn({"--config", dir, "application", "-list"}, out, err), 1);
  EXPECT_THAT(err.str(), HasSubstr("yarn-site.xml:"));
  EXPECT_THAT(err.str(), HasSubstr("cannot load the configuration"));
  std::filesystem::remove_all(dir);
  out.str("");
  err.str("");
  EXPECT_EQ(RunYarn({"--config", "/nonexistent/skein/conf", "node", "-list"}, out, err), 1);
  EXPECT_THAT(err.str(), HasSubstr("/nonexistent/skein/conf"));
}

TEST_F(YarnCliTest, ApplicationListDefaultStates) {
  EXPECT_EQ(Run({"application", "-list"}), 0) << err_.str();
  EXPECT_THAT(out_.str(), StartsWith("Total number of applications (application-types: [], states: "
                                     "[SUBMITTED, ACCEPTED, RUNNING] and tags: []):1\n"));
  EXPECT_THAT(out_.str(), HasSubstr("application_1700000000000_0001\t             sleeper\t"));
  EXPECT_THAT(out_.str(), HasSubstr("50%"));
  EXPECT_EQ(rm_.last_apps_request.application_states_size(), 3);
}

TEST_F(YarnCliTest, ApplicationListAllStatesAndTypes) {
  EXPECT_EQ(Run({"application", "-list", "-appStates", "ALL", "-appTypes", "yarn"}), 0);
  EXPECT_THAT(out_.str(),
              StartsWith("Total number of applications (application-types: [YARN], states: "
                         "[NEW, NEW_SAVING, SUBMITTED, ACCEPTED, RUNNING, FINISHED, FAILED, "
                         "KILLED] and tags: []):2\n"));
  ASSERT_EQ(rm_.last_apps_request.application_types_size(), 1);
  EXPECT_EQ(rm_.last_apps_request.application_types(0), "YARN");
}

TEST_F(YarnCliTest, ApplicationListBadState) {
  EXPECT_EQ(Run({"application", "-list", "-appStates", "RUNNING,bogus"}), 255);
  EXPECT_EQ(
      out_.str(),
      "The application state bogus is invalid.\nThe valid application state can be one of "
      "the following: ALL,NEW,NEW_SAVING,SUBMITTED,ACCEPTED,RUNNING,FINISHED,FAILED,KILLED\n");
}

TEST_F(YarnCliTest, RpcErrorIsPrintedWithItsMessage) {
  EXPECT_EQ(Run({"application", "-list", "-appTypes", "bad"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("bad type BAD"));
}

TEST_F(YarnCliTest, ApplicationStatus) {
  EXPECT_EQ(Run({"application", "-status", "application_1700000000000_0002"}), 0);
  EXPECT_THAT(out_.str(),
              StartsWith("Application Report : \n\tApplication-Id : "
                         "application_1700000000000_0002\n\tApplication-Name : done\n"));
  EXPECT_THAT(out_.str(), HasSubstr("\tFinal-State : SUCCEEDED\n"));
  EXPECT_EQ(Run({"application", "-status", "application_1700000000000_0009"}), 255);
  EXPECT_EQ(out_.str(),
            "Application with id 'application_1700000000000_0009' doesn't exist in RM or "
            "Timeline Server.\n");
  EXPECT_EQ(Run({"application", "-status", "app_bogus"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("'app_bogus'"));
  EXPECT_EQ(Run({"application", "-status"}), 255);
  EXPECT_THAT(out_.str(), StartsWith("Missing argument for options\nusage: application"));
}

TEST_F(YarnCliTest, ApplicationKill) {
  EXPECT_EQ(Run({"application", "-kill", "application_1700000000000_0001",
                 "application_1700000000000_0002"}),
            0)
      << err_.str();
  EXPECT_EQ(out_.str(),
            "Killing application application_1700000000000_0001\n"
            "Application application_1700000000000_0002 has already finished \n");
  EXPECT_THAT(rm_.killed, ::testing::ElementsAre("application_1700000000000_0001"));
  EXPECT_EQ(Run({"application", "-kill", "application_1700000000000_0042"}), 255);
  EXPECT_EQ(out_.str(),
            "Application with id 'application_1700000000000_0042' doesn't exist in RM.\n");
}

TEST_F(YarnCliTest, UnknownApplicationOption) {
  EXPECT_EQ(Run({"application", "-lst"}), 1);
  EXPECT_THAT(err_.str(), StartsWith("Unrecognized option: -lst\n"));
}

TEST_F(YarnCliTest, NodeListFiltersRunningByDefault) {
  EXPECT_EQ(Run({"node", "-list"}), 0);
  EXPECT_EQ(out_.str(),
            "Total Nodes:1\n"
            "         Node-Id\t     Node-State\tNode-Http-Address\tNumber-of-Running-Containers\n"
            " 127.0.0.1:40001\t        RUNNING\t   127.0.0.1:8042\t                           0\n");
  ASSERT_EQ(rm_.last_nodes_request.node_states_size(), 1);
  EXPECT_EQ(rm_.last_nodes_request.node_states(0), proto::NS_RUNNING);
  EXPECT_EQ(Run({"node", "-list", "-All"}), 0);
  EXPECT_THAT(out_.str(), StartsWith("Total Nodes:2\n"));
  EXPECT_EQ(Run({"node", "-list", "-states", "lost", "-showDetails"}), 0);
  EXPECT_THAT(out_.str(), StartsWith("Total Nodes:1\n"));
  EXPECT_THAT(out_.str(), HasSubstr("\tConfigured Resources : <memory:8192, vCores:8>\n"));
  EXPECT_EQ(Run({"node", "-list", "-states", "gone"}), 255);
  EXPECT_THAT(out_.str(), StartsWith("The node state gone is invalid.\n"));
}

TEST_F(YarnCliTest, NodeStatus) {
  EXPECT_EQ(Run({"node", "-status", "127.0.0.1:40001"}), 0);
  EXPECT_THAT(out_.str(), StartsWith("Node Report : \n\tNode-Id : 127.0.0.1:40001\n"));
  EXPECT_EQ(Run({"node", "-status", "127.0.0.1:1"}), 0);
  EXPECT_EQ(out_.str(), "Could not find the node report for node id : 127.0.0.1:1\n");
  EXPECT_EQ(Run({"node", "-status", "nocolon"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("nocolon"));
}

TEST_F(YarnCliTest, QueueStatus) {
  EXPECT_EQ(Run({"queue", "-status", "default"}), 0);
  EXPECT_THAT(out_.str(), StartsWith("Queue Information : \nQueue Name : default\nQueue Path : "
                                     "root.default\n\tState : RUNNING\n\tCapacity : 100.00%\n"));
  EXPECT_THAT(out_.str(), HasSubstr("\tWeight : -1.00\n\tMaximum Parallel Apps : 2147483647\n"));
  EXPECT_EQ(Run({"queue", "-status", "nope"}), 255);
  EXPECT_EQ(out_.str(), "Cannot get queue from RM by queueName = nope, please check.\n");
}

TEST_F(YarnCliTest, MoveToQueue) {
  const std::string id = ApplicationId(kTs, 1).ToString();
  EXPECT_EQ(Run({"application", "-movetoqueue", id, "-queue", "b"}), 0);
  EXPECT_EQ(out_.str(), "Moving application " + id + " to queue b\nSuccessfully completed move.\n");
  EXPECT_EQ(rm_.moved_to, "b");
  EXPECT_EQ(Run({"application", "-appId", id, "-changeQueue", "c"}), 0);
  EXPECT_EQ(rm_.moved_to, "c");
  // The RM's refusal reaches the user; non-zero exit.
  EXPECT_EQ(Run({"application", "-movetoqueue", id, "-queue", "locked"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("target queue doesn't exist: locked"));
  // Finished, unknown, malformed, incomplete.
  const std::string done = ApplicationId(kTs, 2).ToString();
  EXPECT_EQ(Run({"application", "-movetoqueue", done, "-queue", "b"}), 0);
  EXPECT_EQ(out_.str(), "Application " + done + " has already finished \n");
  const std::string unknown = ApplicationId(kTs, 77).ToString();
  EXPECT_EQ(Run({"application", "-movetoqueue", unknown, "-queue", "b"}), 255);
  EXPECT_EQ(out_.str(), "Application with id '" + unknown + "' doesn't exist in RM.\n");
  EXPECT_EQ(Run({"application", "-movetoqueue", "app_1", "-queue", "b"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("app_1"));
  EXPECT_EQ(Run({"application", "-movetoqueue", id}), 255);
  EXPECT_THAT(out_.str(), StartsWith("usage: application\n"));
  EXPECT_EQ(Run({"application", "-changeQueue", "b"}), 255);
}

TEST_F(YarnCliTest, UpdatePriority) {
  const std::string id = ApplicationId(kTs, 1).ToString();
  EXPECT_EQ(Run({"application", "-appId", id, "-updatePriority", "3"}), 0);
  EXPECT_EQ(out_.str(), "Updating priority of an application " + id +
                            "\nSuccessfully updated the application " + id +
                            " with priority '3'\n");
  // Capped by the RM: Hadoop's other message.
  EXPECT_EQ(Run({"application", "-updatePriority", "9", "-appId", id}), 0);
  EXPECT_THAT(out_.str(), HasSubstr("Updated priority of an application  " + id +
                                    " to cluster max priority OR keeping old priority as "
                                    "application is in final states\n"));
  EXPECT_EQ(Run({"application", "-appId", id, "-updatePriority", "x"}), 1);
  EXPECT_EQ(err_.str(), "Invalid priority 'x': expected an integer\n");
  EXPECT_EQ(
      Run({"application", "-appId", ApplicationId(kTs, 77).ToString(), "-updatePriority", "1"}),
      255);
  EXPECT_EQ(Run({"application", "-updatePriority", "1"}), 255);
  EXPECT_THAT(out_.str(), StartsWith("usage: application\n"));
}

TEST(YarnCliUnreachable, BoundedRetryThenClearError) {
  // A port nobody listens on: bind one, remember it, close it.
  int port = 0;
  {
    proto::ApplicationClientProtocol::Service dummy;
    auto s = StartGrpcServer("127.0.0.1:0", "probe", {&dummy}, &port);
    ASSERT_TRUE(s.ok());
    (*s)->Shutdown();
  }
  std::string dir =
      std::filesystem::temp_directory_path() / ("yarn_cli_unreach_" + std::to_string(getpid()));
  WriteConf(dir, SiteXml("127.0.0.1:" + std::to_string(port)));
  std::ostringstream out, err;
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(RunYarn({"--config", dir, "application", "-list"}, out, err), 1);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_THAT(err.str(), StartsWith("Cannot reach the ResourceManager at 127.0.0.1:" +
                                    std::to_string(port) + " (yarn.resourcemanager.address): "));
  std::filesystem::remove_all(dir);
}

TEST_F(YarnCliTest, DistributedShellFlagErrors) {
  EXPECT_EQ(Run({"distributedshell", "-num_containers", "2"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("-shell_command"));
  EXPECT_EQ(Run({"distributedshell", "-shell_command", "ls", "-num_containers", "0"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("-num_containers: invalid value 0: must be at least 1"));
  EXPECT_EQ(Run({"distributedshell", "-shell_command", "ls", "-container_memory", "-5"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("-container_memory: invalid value -5"));
  EXPECT_EQ(Run({"distributedshell", "-shell_command", "ls", "-num_containers", "many"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("-num_containers: invalid value 'many': not an integer"));
  EXPECT_EQ(Run({"distributedshell", "-shell_command", "ls", "-bogus", "1"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("Unrecognized option: -bogus"));
  EXPECT_EQ(Run({"distributedshell", "-shell_command", "ls", "-shell_env", "NOEQUALS"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("-shell_env: invalid value 'NOEQUALS'"));
  EXPECT_FALSE(rm_.submitted);
}

TEST_F(YarnCliTest, DistributedShellSubmitsAndFollowsToSuccess) {
  EXPECT_EQ(Run({"distributedshell", "-shell_command", "echo", "-shell_args", "hi there",
                 "-num_containers", "2", "-shell_env", "A=1", "-shell_env", "B=x=y", "-queue",
                 "default"}),
            0)
      << out_.str() << err_.str();
  EXPECT_EQ(out_.str().substr(0, out_.str().find("\tcontainer logs")),
            "Submitted application application_1700000000000_0003\n"
            "Application report for application_1700000000000_0003 (state: ACCEPTED)\n"
            "Application report for application_1700000000000_0003 (state: RUNNING)\n"
            "Application report for application_1700000000000_0003 (state: FINISHED)\n"
            "Application application_1700000000000_0003 finished with state FINISHED and final "
            "status SUCCEEDED\n"
            "\tdiagnostics: N/A\n"
            "\ttracking URL: N/A\n");
  EXPECT_THAT(out_.str(), HasSubstr("/tmp/nm-logs/application_1700000000000_0003/"));
  const auto& sub = rm_.submission;
  EXPECT_EQ(sub.applicationtype(), "YARN");
  EXPECT_EQ(sub.application_name(), "DistributedShell");
  EXPECT_EQ(sub.queue(), "default");
  EXPECT_EQ(sub.resource().memory_mb(), 10);
  ASSERT_EQ(sub.am_container_spec().command_size(), 3);
  EXPECT_THAT(sub.am_container_spec().command(0), ::testing::EndsWith("/bin/skein-dshell-am"));
  EXPECT_EQ(sub.am_container_spec().command(1), "1><LOG_DIR>/AppMaster.stdout");
  EXPECT_EQ(sub.am_container_spec().command(2), "2><LOG_DIR>/AppMaster.stderr");
  const auto& env = sub.am_container_spec().environment();
  EXPECT_EQ(env.at("DISTRIBUTEDSHELL_SHELL_COMMAND"), "echo");
  EXPECT_EQ(env.at("DISTRIBUTEDSHELL_SHELL_ARGS"), "hi there");
  EXPECT_EQ(env.at("DISTRIBUTEDSHELL_NUM_CONTAINERS"), "2");
  EXPECT_EQ(env.at("DISTRIBUTEDSHELL_SHELL_ENV"), "A=1\nB=x=y\n");
}

TEST_F(YarnCliTest, DistributedShellFailedAppExitsOne) {
  rm_.script = {{proto::RUNNING, proto::APP_UNDEFINED}, {proto::FINISHED, proto::APP_FAILED}};
  EXPECT_EQ(Run({"distributedshell", "-shell_command", "false"}), 1);
  EXPECT_THAT(out_.str(), HasSubstr("final status FAILED\n\tdiagnostics: Diagnostics., total=1"));
  EXPECT_THAT(out_.str(), HasSubstr("Application failed to complete successfully"));
}

TEST_F(YarnCliTest, DistributedShellTimeoutKillsAndExitsTwo) {
  rm_.script = {{proto::RUNNING, proto::APP_UNDEFINED}};
  EXPECT_EQ(Run({"distributedshell", "-shell_command", "sleep 100", "-timeout", "200"}), 2);
  EXPECT_THAT(out_.str(), HasSubstr("Reached client specified timeout for application. Killing "
                                    "application application_1700000000000_0003"));
  EXPECT_THAT(rm_.killed, ::testing::ElementsAre("application_1700000000000_0003"));
}

}  // namespace
}  // namespace skein::cli
