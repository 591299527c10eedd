// Server-side gRPC latency per method, as Prometheus histograms. StartGrpcServer (common/rpc.h)
// installs the interceptor on every server of the process, so each daemon's /metrics and /prom
// append RpcMetrics::Global().RenderPrometheus():
//
//   skein_rpc_latency_seconds_bucket{method="skein.proto.ApplicationClientProtocol/GetNewApplication",le="0.001"}
//   3 skein_rpc_latency_seconds_sum{method="..."} 0.0021
//   skein_rpc_latency_seconds_count{method="..."} 3
//
// The latency of one call runs from the moment gRPC hands it to the server (the interceptor is
// created) until its status is about to be sent, so it includes the RM loop hand-off and an
// Allocate long poll. Thread-safe: recording is one short map lookup under a mutex (the method
// set is small and fixed) and a few relaxed atomic increments; rendering may run concurrently.
#ifndef SKEIN_COMMON_RPC_METRICS_H_
#define SKEIN_COMMON_RPC_METRICS_H_

#include <grpcpp/support/server_interceptor.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/strings/string_view.h"

namespace skein {

class RpcMetrics {
 public:
  // Upper bounds (seconds) of the histogram buckets; +Inf is implied.
  static constexpr std::array<double, 14> kBucketBounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  // The registry every server of this process records into.
  static RpcMetrics& Global();

  void Record(absl::string_view method, double seconds);
  // Prometheus text (format 0.0.4) of every method seen so far; "" when none.
  std::string RenderPrometheus() const;
  // Calls and total latency per method so far (the daemons' /jmx RpcActivity beans).
  struct MethodTotals {
    uint64_t calls = 0;
    double seconds = 0;
  };
  std::map<std::string, MethodTotals> Totals() const;

 private:
  struct Histogram {
    std::array<std::atomic<uint64_t>, kBucketBounds.size() + 1> buckets{};  // not cumulative
    std::atomic<uint64_t> sum_nanos{0};
  };
  mutable std::mutex mu_;  // guards the map's shape; histograms are updated atomically
  std::map<std::string, std::unique_ptr<Histogram>, std::less<>> by_method_;
};

// The interceptor factory StartGrpcServer installs: records every call into `metrics`
// (not owned; must outlive the server).
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeRpcLatencyInterceptor(
    RpcMetrics& metrics = RpcMetrics::Global());

}  // namespace skein

#endif  // SKEIN_COMMON_RPC_METRICS_H_
