#include "common/rpc_metrics.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace skein {
namespace {

using grpc::experimental::InterceptionHookPoints;

class LatencyInterceptor : public grpc::experimental::Interceptor {
 public:
  LatencyInterceptor(RpcMetrics& metrics, const char* method)
      : metrics_(metrics),
        method_(method != nullptr ? method : ""),
        start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (!recorded_ &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      recorded_ = true;
      std::chrono::duration<double> took = std::chrono::steady_clock::now() - start_;
      metrics_.Record(method_, took.count());
    }
    methods->Proceed();
  }

 private:
  RpcMetrics& metrics_;
  std::string method_;
  std::chrono::steady_clock::time_point start_;
  bool recorded_ = false;
};

class LatencyInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit LatencyInterceptorFactory(RpcMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new LatencyInterceptor(metrics_, info->method());  // gRPC owns it
  }

 private:
  RpcMetrics& metrics_;
};

std::string LabelValue(absl::string_view v) {
  return absl::StrReplaceAll(v, {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}});
}

}  // namespace

RpcMetrics& RpcMetrics::Global() {
  static RpcMetrics* const metrics = new RpcMetrics();  // never destroyed: servers may outlive main
  return *metrics;
}

void RpcMetrics::Record(absl::string_view method, double seconds) {
  // "/skein.proto.ApplicationClientProtocol/GetNewApplication" -> without the leading slash.
  if (!method.empty() && method.front() == '/') method.remove_prefix(1);
  if (seconds < 0) seconds = 0;
  Histogram* h;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_method_.find(method);
    if (it == by_method_.end()) {
      it = by_method_.emplace(std::string(method), std::make_unique<Histogram>()).first;
    }
    h = it->second.get();
  }
  size_t bucket = 0;
  while (bucket < kBucketBounds.size() && seconds > kBucketBounds[bucket]) ++bucket;
  h->buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  h->sum_nanos.fetch_add(static_cast<uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

std::string RpcMetrics::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (by_method_.empty()) return "";
  std::string out =
      "# HELP skein_rpc_latency_seconds Server-side latency of gRPC calls per method.\n"
      "# TYPE skein_rpc_latency_seconds histogram\n";
  for (const auto& [method, h] : by_method_) {
    std::string label = LabelValue(method);
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= kBucketBounds.size(); ++i) {
      cumulative += h->buckets[i].load(std::memory_order_relaxed);
      std::string le = i < kBucketBounds.size() ? absl::StrCat(kBucketBounds[i]) : "+Inf";
      absl::StrAppend(&out, "skein_rpc_latency_seconds_bucket{method=\"", label, "\",le=\"", le,
                      "\"} ", cumulative, "\n");
    }
    double sum = static_cast<double>(h->sum_nanos.load(std::memory_order_relaxed)) / 1e9;
    absl::StrAppend(&out, "skein_rpc_latency_seconds_sum{method=\"", label, "\"} ", sum, "\n");
    absl::StrAppend(&out, "skein_rpc_latency_seconds_count{method=\"", label, "\"} ", cumulative,
                    "\n");
  }
  return out;
}

std::map<std::string, RpcMetrics::MethodTotals> RpcMetrics::Totals() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, MethodTotals> out;
  for (const auto& [method, h] : by_method_) {
    MethodTotals& t = out[method];
    for (const auto& b : h->buckets) t.calls += b.load(std::memory_order_relaxed);
    t.seconds = static_cast<double>(h->sum_nanos.load(std::memory_order_relaxed)) / 1e9;
  }
  return out;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeRpcLatencyInterceptor(
    RpcMetrics& metrics) {
  return std::make_unique<LatencyInterceptorFactory>(metrics);
}

}  // namespace skein
