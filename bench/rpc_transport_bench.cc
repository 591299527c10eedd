// The same RM calls over Hadoop IPC and over gRPC, on the same port of one real
// `yarn resourcemanager` process: calls per second and the RM's CPU time per call
// (utime + stime of the RM process from /proc, divided by the calls served), for
// getApplicationReport and getApplications (all applications), with 1 and 16 concurrent clients.
//
//   rpc_transport_bench [--apps 1000] [--seconds 3] [--clients 1,16] [--json out.json]
//
// The RM holds --apps submitted applications (no NodeManagers: they stay ACCEPTED, which is all
// a report needs). Each client thread owns one connection (Hadoop IPC) or one channel (gRPC).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/hadoop_rpc/client.h"
#include "common/hadoop_rpc/server.h"
#include "common/rpc.h"
#include "protos/client_protocol.grpc.pb.h"
#include "tests/integration/test_cluster.h"

namespace skein {
namespace {

double CpuSeconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::vector<std::string> fields = absl::StrSplit(stat.substr(close + 2), ' ');
  // After "pid (comm) ": state is field 3 → index 0; utime is field 14 → index 11.
  double ticks = 0;
  for (int i : {11, 12}) {
    double v = 0;
    if (i < static_cast<int>(fields.size()) && absl::SimpleAtod(fields[i], &v)) ticks += v;
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct Row {
  std::string transport, method;
  int clients = 0;
  int64_t calls = 0;
  double seconds = 0, rm_cpu = 0;
};

}  // namespace
}  // namespace skein

int main(int argc, char** argv) {
  using namespace skein;  // NOLINT: a benchmark main
  int apps = 1000;
  double seconds = 3;
  std::vector<int> client_counts = {1, 16};
  std::string json_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--apps") apps = std::stoi(v);
    if (a == "--seconds") seconds = std::stod(v);
    if (a == "--json") json_path = v;
    if (a == "--clients") {
      client_counts.clear();
      for (absl::string_view c : absl::StrSplit(v, ','))
        client_counts.push_back(std::stoi(std::string(c)));
    }
  }
  testing::TestCluster cluster(0, {{"yarn.resourcemanager.max-completed-applications", "100000"}});
  if (auto s = cluster.Start(); !s.ok()) {
    std::cerr << "cannot start the RM: " << s << std::endl;
    return 1;
  }
  const std::string address = cluster.rm_address("yarn.resourcemanager.address");
  const pid_t rm = cluster.rm_pid();
  proto::ApplicationIdProto some_app;
  for (int i = 0; i < apps; ++i) {
    proto::GetNewApplicationResponse fresh;
    auto c1 = MakeClientContext();
    if (!cluster.client().GetNewApplication(c1.get(), {}, &fresh).ok()) return 1;
    proto::SubmitApplicationRequest req;
    auto* sub = req.mutable_application_submission_context();
    *sub->mutable_application_id() = fresh.application_id();
    sub->set_application_name(absl::StrCat("bench-", i));
    sub->mutable_resource()->set_memory_mb(1024);
    sub->mutable_resource()->set_virtual_cores(1);
    sub->mutable_am_container_spec()->add_command("true");
    proto::SubmitApplicationResponse resp;
    auto c2 = MakeClientContext();
    if (!cluster.client().SubmitApplication(c2.get(), req, &resp).ok()) return 1;
    some_app = fresh.application_id();
  }
  std::vector<Row> rows;
  for (const std::string method : {"getApplicationReport", "getApplications"}) {
    for (int clients : client_counts) {
      for (const std::string transport : {"hadoop-ipc", "grpc"}) {
        std::atomic<bool> stop{false};
        std::atomic<int64_t> calls{0}, failures{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < clients; ++t) {
          threads.emplace_back([&] {
            proto::GetApplicationReportRequest report_req;
            *report_req.mutable_application_id() = some_app;
            proto::GetApplicationsRequest list_req;
            if (transport == "hadoop-ipc") {
              auto client = hrpc::HadoopRpcClient::Connect(address, "bench", hrpc::kClientProtocol);
              if (!client.ok()) {
                failures++;
                return;
              }
              while (!stop.load(std::memory_order_relaxed)) {
                absl::Status s;
                if (method == "getApplicationReport") {
                  proto::GetApplicationReportResponse r;
                  s = (*client)->Call(method, report_req, &r);
                } else {
                  proto::GetApplicationsResponse r;
                  s = (*client)->Call(method, list_req, &r);
                  if (s.ok() && r.applications_size() != apps) s = absl::InternalError("count");
                }
                (s.ok() ? calls : failures)++;
              }
            } else {
              auto stub = proto::ApplicationClientProtocol::NewStub(MakeChannel(address));
              while (!stop.load(std::memory_order_relaxed)) {
                auto ctx = MakeClientContext(std::chrono::seconds(30), "bench");
                grpc::Status s;
                if (method == "getApplicationReport") {
                  proto::GetApplicationReportResponse r;
                  s = stub->GetApplicationReport(ctx.get(), report_req, &r);
                } else {
                  proto::GetApplicationsResponse r;
                  s = stub->GetApplications(ctx.get(), list_req, &r);
                  if (s.ok() && r.applications_size() != apps) s = grpc::Status::CANCELLED;
                }
                (s.ok() ? calls : failures)++;
              }
            }
          });
        }
        // Warm up, then measure a fixed window.
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        int64_t calls0 = calls.load();
        double cpu0 = CpuSeconds(rm);
        auto t0 = std::chrono::steady_clock::now();
        std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
        int64_t calls1 = calls.load();
        double cpu1 = CpuSeconds(rm);
        double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        stop = true;
        for (auto& t : threads) t.join();
        if (failures.load() > 0) {
          std::cerr << transport << " " << method << ": " << failures.load() << " failed calls"
                    << std::endl;
          return 2;
        }
        rows.push_back({transport, method, clients, calls1 - calls0, elapsed, cpu1 - cpu0});
      }
    }
  }
  std::printf("%-22s %-8s %7s %12s %16s %10s\n", "method", "clients", "transport", "calls/s",
              "RM CPU us/call", "ipc/grpc");
  std::string json = "[";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    double rate = r.calls / r.seconds;
    double cpu_us = r.calls > 0 ? r.rm_cpu * 1e6 / r.calls : 0;
    std::string ratio;
    if (r.transport == "grpc" && i > 0) {
      const Row& ipc = rows[i - 1];
      double ipc_cpu = ipc.calls > 0 ? ipc.rm_cpu * 1e6 / ipc.calls : 0;
      ratio = absl::StrCat(absl::SixDigits(cpu_us > 0 ? ipc_cpu / cpu_us : 0));
    }
    std::printf("%-22s %-8d %9s %12.0f %16.1f %10s\n", r.method.c_str(), r.clients,
                r.transport.c_str(), rate, cpu_us, ratio.c_str());
    absl::StrAppend(&json, i ? "," : "", "{\"method\":\"", r.method, "\",\"clients\":", r.clients,
                    ",\"transport\":\"", r.transport, "\",\"calls\":", r.calls,
                    ",\"seconds\":", r.seconds, ",\"rm_cpu_seconds\":", r.rm_cpu, "}");
  }
  json += "]\n";
  if (!json_path.empty()) std::ofstream(json_path) << json;
  std::printf("(ipc/grpc: RM CPU per call over Hadoop IPC / over gRPC; apps=%d)\n", apps);
  return 0;
}
