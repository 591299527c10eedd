// RpcMetrics: bucket arithmetic, and real calls against a server started by StartGrpcServer
// whose latency shows up in the Prometheus text.
#include "common/rpc_metrics.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/rpc.h"
#include "protos/resource_tracker.grpc.pb.h"

namespace skein {
namespace {

// The value of every sample line of `text`, keyed by "name{labels}".
std::map<std::string, double> Samples(const std::string& text) {
  std::map<std::string, double> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (line.front() == '#') continue;
    size_t space = line.rfind(' ');
    double v = 0;
    EXPECT_TRUE(absl::SimpleAtod(line.substr(space + 1), &v)) << line;
    out[std::string(line.substr(0, space))] = v;
  }
  return out;
}

TEST(RpcMetricsTest, BucketsAreCumulativeAndCountMatches) {
  RpcMetrics m;
  EXPECT_EQ(m.RenderPrometheus(), "");
  m.Record("/svc.S/A", 0.003);   // <= 0.005
  m.Record("/svc.S/A", 0.0005);  // <= 0.0005 (bounds are inclusive)
  m.Record("/svc.S/A", 20);      // only +Inf
  m.Record("svc.S/B", 0.2);
  std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE skein_rpc_latency_seconds histogram\n"), std::string::npos);
  auto s = Samples(text);
  const std::string a = "{method=\"svc.S/A\"";
  EXPECT_EQ(s["skein_rpc_latency_seconds_bucket" + a + ",le=\"0.0005\"}"], 1);
  EXPECT_EQ(s["skein_rpc_latency_seconds_bucket" + a + ",le=\"0.0025\"}"], 1);
  EXPECT_EQ(s["skein_rpc_latency_seconds_bucket" + a + ",le=\"0.005\"}"], 2);
  EXPECT_EQ(s["skein_rpc_latency_seconds_bucket" + a + ",le=\"10\"}"], 2);
  EXPECT_EQ(s["skein_rpc_latency_seconds_bucket" + a + ",le=\"+Inf\"}"], 3);
  EXPECT_EQ(s["skein_rpc_latency_seconds_count" + a + "}"], 3);
  EXPECT_NEAR(s["skein_rpc_latency_seconds_sum" + a + "}"], 20.0035, 1e-6);
  EXPECT_EQ(s["skein_rpc_latency_seconds_count{method=\"svc.S/B\"}"], 1);
  EXPECT_EQ(s["skein_rpc_latency_seconds_bucket{method=\"svc.S/B\",le=\"0.1\"}"], 0);
  EXPECT_EQ(s["skein_rpc_latency_seconds_bucket{method=\"svc.S/B\",le=\"0.25\"}"], 1);
}

// Answers RegisterNodeManager after `delay`; NodeHeartbeat stays unimplemented.
class SlowTracker final : public proto::ResourceTracker::Service {
 public:
  grpc::Status RegisterNodeManager(grpc::ServerContext*, const proto::RegisterNodeManagerRequest*,
                                   proto::RegisterNodeManagerResponse*) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    return grpc::Status::OK;
  }
};

TEST(RpcMetricsTest, ServersStartedByStartGrpcServerRecordEveryCall) {
  SlowTracker tracker;
  int port = 0;
  auto server = StartGrpcServer("127.0.0.1:0", "test.address", {&tracker}, &port);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = proto::ResourceTracker::NewStub(MakeChannel("127.0.0.1:" + std::to_string(port)));
  for (int i = 0; i < 3; ++i) {
    proto::RegisterNodeManagerResponse resp;
    auto ctx = MakeClientContext(std::chrono::seconds(10));
    ASSERT_TRUE(stub->RegisterNodeManager(ctx.get(), {}, &resp).ok());
  }
  proto::NodeHeartbeatResponse hb;
  auto ctx = MakeClientContext(std::chrono::seconds(10));
  EXPECT_EQ(stub->NodeHeartbeat(ctx.get(), {}, &hb).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  (*server)->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));

  auto s = Samples(RpcMetrics::Global().RenderPrometheus());
  const std::string reg = "{method=\"skein.proto.ResourceTracker/RegisterNodeManager\"";
  EXPECT_EQ(s["skein_rpc_latency_seconds_count" + reg + "}"], 3);
  EXPECT_EQ(s["skein_rpc_latency_seconds_bucket" + reg + ",le=\"+Inf\"}"], 3);
  // Each call slept 30 ms: none is under 25 ms, all are under 10 s.
  EXPECT_EQ(s["skein_rpc_latency_seconds_bucket" + reg + ",le=\"0.025\"}"], 0);
  EXPECT_EQ(s["skein_rpc_latency_seconds_bucket" + reg + ",le=\"10\"}"], 3);
  EXPECT_GE(s["skein_rpc_latency_seconds_sum" + reg + "}"], 0.09);
  EXPECT_EQ(s["skein_rpc_latency_seconds_count{method=\"skein.proto.ResourceTracker/"
              "NodeHeartbeat\"}"],
            1);
}

}  // namespace
}  // namespace skein
