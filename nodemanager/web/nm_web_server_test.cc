// The NodeManager REST API against a real HTTP server on 127.0.0.1 fed by a fixed snapshot:
// Hadoop's documented field lists and types, filters, XML and every error status.
#include "nodemanager/web/nm_web_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include "nlohmann/json.hpp"

namespace skein::nm::web {
namespace {

using json = nlohmann::ordered_json;

proto::ContainerStatusProto Status(const std::string& id, bool done, int exit, int64_t mb) {
  proto::ContainerStatusProto s;
  *s.mutable_container_id() = ContainerId::Parse(id)->ToProto();
  s.set_state(done ? proto::C_COMPLETE : proto::C_RUNNING);
  s.set_exit_status(done ? exit : -1000);
  s.set_nm_state(done ? "DONE" : "RUNNING");
  s.mutable_capability()->set_memory_mb(mb);
  s.mutable_capability()->set_virtual_cores(1);
  if (done) s.set_diagnostics("exited with 1");
  return s;
}

class NmWebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loop_.Start();
    server_ = std::make_unique<NmWebServer>(loop_, [this] {
      EXPECT_TRUE(loop_.IsLoopThread());
      NmWebSnapshot s;
      s.node_id = NodeId("127.0.0.1", 45454);
      s.total = Resource(8192, 8);
      s.health.set_is_node_healthy(true);
      s.last_update_ms = 1700000000000;
      s.containers = {Status("container_1700_0001_01_000001", false, 0, 1024),
                      Status("container_1700_0001_01_000002", false, 0, 2048),
                      Status("container_1700_0002_01_000001", true, 1, 512)};
      s.container_users = {{"container_1700_0001_01_000001", "alice"},
                           {"container_1700_0001_01_000002", "alice"},
                           {"container_1700_0002_01_000001", "bob"}};
      return s;
    });
    ASSERT_TRUE(server_->Start("127.0.0.1:0").ok());
    http_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    http_->set_read_timeout(10, 0);
  }
  void TearDown() override {
    server_->Stop();
    loop_.Stop();
  }
  std::pair<int, json> Get(const std::string& path) {
    auto r = http_->Get(path.c_str());
    if (!r) {
      ADD_FAILURE() << path << ": no response";
      return {0, json()};
    }
    return {r->status, json::parse(r->body, nullptr, false)};
  }
  void ExpectError(const std::string& path, int status, const std::string& exception) {
    auto [code, doc] = Get(path);
    EXPECT_EQ(code, status) << path << " " << doc.dump();
    EXPECT_EQ(doc["RemoteException"]["exception"], exception) << path << " " << doc.dump();
    EXPECT_TRUE(doc["RemoteException"]["message"].is_string());
    EXPECT_TRUE(doc["RemoteException"]["javaClassName"].is_string());
  }

  EventLoop loop_{"nm-web-test"};
  std::unique_ptr<NmWebServer> server_;
  std::unique_ptr<httplib::Client> http_;
};

TEST_F(NmWebTest, NodeInfoFields) {
  for (const char* path : {"/ws/v1/node", "/ws/v1/node/info"}) {
    auto [code, doc] = Get(path);
    ASSERT_EQ(code, 200);
    const json& n = doc["nodeInfo"];
    for (const char* s : {"id", "nodeHostName", "healthReport", "nodeManagerVersion",
                          "nodeManagerBuildVersion", "nodeManagerVersionBuiltOn", "hadoopVersion",
                          "hadoopBuildVersion", "hadoopVersionBuiltOn"}) {
      EXPECT_TRUE(n[s].is_string()) << s;
    }
    for (const char* i : {"totalPmemAllocatedContainersMB", "totalVmemAllocatedContainersMB",
                          "totalVCoresAllocatedContainers", "lastNodeUpdateTime"}) {
      EXPECT_TRUE(n[i].is_number_integer()) << i;
    }
    EXPECT_TRUE(n["nodeHealthy"].is_boolean());
    EXPECT_EQ(n["id"], "127.0.0.1:45454");
    EXPECT_EQ(n["totalPmemAllocatedContainersMB"], 8192);
  }
}

TEST_F(NmWebTest, AppsAndFilters) {
  auto [code, doc] = Get("/ws/v1/node/apps");
  ASSERT_EQ(code, 200);
  ASSERT_EQ(doc["apps"]["app"].size(), 2u);
  const json& a = doc["apps"]["app"][0];
  EXPECT_EQ(a["id"], "application_1700_0001");
  EXPECT_EQ(a["state"], "RUNNING");
  EXPECT_EQ(a["user"], "alice");
  EXPECT_EQ(a["containerids"].size(), 2u);
  EXPECT_EQ(Get("/ws/v1/node/apps?state=finished").second["apps"]["app"].size(), 1u);
  EXPECT_EQ(Get("/ws/v1/node/apps?user=bob").second["apps"]["app"].size(), 1u);
  EXPECT_EQ(Get("/ws/v1/node/apps?user=carol").second["apps"]["app"].size(), 0u);
  auto [one_code, one] = Get("/ws/v1/node/apps/application_1700_0002");
  EXPECT_EQ(one_code, 200);
  EXPECT_EQ(one["app"]["state"], "FINISHED");
}

TEST_F(NmWebTest, ContainersFields) {
  auto [code, doc] = Get("/ws/v1/node/containers");
  ASSERT_EQ(code, 200);
  ASSERT_EQ(doc["containers"]["container"].size(), 3u);
  for (const json& c : doc["containers"]["container"]) {
    for (const char* s : {"id", "state", "nodeId", "containerLogsLink", "user", "diagnostics"}) {
      EXPECT_TRUE(c[s].is_string()) << s;
    }
    for (const char* i : {"exitCode", "totalMemoryNeededMB", "totalVCoresNeeded"}) {
      EXPECT_TRUE(c[i].is_number_integer()) << i;
    }
  }
  EXPECT_EQ(doc["containers"]["container"][0]["exitCode"], -1000);
  auto [one_code, one] = Get("/ws/v1/node/containers/container_1700_0002_01_000001");
  ASSERT_EQ(one_code, 200);
  EXPECT_EQ(one["container"]["exitCode"], 1);
  EXPECT_EQ(one["container"]["state"], "DONE");
  EXPECT_EQ(one["container"]["user"], "bob");
  EXPECT_EQ(one["container"]["totalMemoryNeededMB"], 512);
}

TEST_F(NmWebTest, XmlAndMetrics) {
  auto r = http_->Get("/ws/v1/node/containers", {{"Accept", "application/xml"}});
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("<containers><container><id>container_1700_0001_01_000001</id>"),
            std::string::npos)
      << r->body;
  auto m = http_->Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("yarn_nm_containers_running 2\n"), std::string::npos) << m->body;
  EXPECT_NE(m->body.find("yarn_nm_allocated_memory_bytes 3221225472\n"), std::string::npos);
  EXPECT_NE(m->body.find("yarn_nm_available_memory_bytes 5368709120\n"), std::string::npos);
}

TEST_F(NmWebTest, ErrorStatuses) {
  ExpectError("/ws/v1/node/apps/application_1700_0099", 404, "NotFoundException");
  ExpectError("/ws/v1/node/apps/garbage", 400, "BadRequestException");
  ExpectError("/ws/v1/node/apps?state=SLEEPING", 400, "BadRequestException");
  ExpectError("/ws/v1/node/containers/container_1700_0009_01_000001", 404, "NotFoundException");
  ExpectError("/ws/v1/node/containers/nope", 400, "BadRequestException");
  ExpectError("/ws/v1/node/bogus", 404, "NotFoundException");
  auto r = http_->Delete("/ws/v1/node/apps");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_FALSE(NmWebServer(loop_, [] { return NmWebSnapshot(); }).Start("nonsense").ok());
}

}  // namespace
}  // namespace skein::nm::web
