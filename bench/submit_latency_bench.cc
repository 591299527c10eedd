// Submit-to-RUNNING latency of a distributed-shell application on a local cluster: an in-process
// ResourceManager and two NodeManagers on 127.0.0.1 (ephemeral ports), real AM processes.
// For each of N applications: time from SubmitApplication's return until the report first says
// RUNNING (the AM registered), polling every millisecond; then until FINISHED. Prints the median
// and percentiles, and JSON with --json.
//
//   build-release/bin/submit_latency_bench [--apps 20] [--json FILE]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/conf/configuration.h"
#include "common/ids.h"
#include "common/resource.h"
#include "common/rpc.h"
#include "nodemanager/node_manager.h"
#include "protos/client_protocol.grpc.pb.h"
#include "resourcemanager/resource_manager.h"

namespace {

using Clock = std::chrono::steady_clock;

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  int apps = 20;
  std::string json_path;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--apps") && i + 1 < argc) apps = std::max(1, atoi(argv[++i]));
    if (!strcmp(argv[i], "--json") && i + 1 < argc) json_path = argv[++i];
  }
  namespace fs = std::filesystem;
  std::string base = absl::StrCat("/tmp/skein-bench-", getpid());
  fs::create_directories(base);

  skein::conf::Configuration conf = skein::conf::Configuration::WithYarnDefaults();
  for (const char* key :
       {"yarn.resourcemanager.address", "yarn.resourcemanager.scheduler.address",
        "yarn.resourcemanager.resource-tracker.address", "yarn.resourcemanager.admin.address",
        "yarn.resourcemanager.webapp.address"}) {
    conf.Set(key, "127.0.0.1:0");
  }
  auto rm = skein::rm::ResourceManager::Create(conf, skein::RealClock::Get());
  if (!rm.ok() || !(*rm)->Start().ok()) {
    fprintf(stderr, "cannot start the ResourceManager\n");
    return 1;
  }
  std::vector<std::unique_ptr<skein::nm::NodeManager>> nms;
  for (int i = 0; i < 2; ++i) {
    skein::conf::Configuration nm_conf = conf;
    nm_conf.Set("yarn.resourcemanager.resource-tracker.address", (*rm)->resource_tracker_address());
    nm_conf.Set("yarn.nodemanager.address", "127.0.0.1:0");
    nm_conf.Set("yarn.nodemanager.webapp.address", "127.0.0.1:0");
    nm_conf.Set("yarn.nodemanager.local-dirs", absl::StrCat(base, "/nm", i, "/local"));
    nm_conf.Set("yarn.nodemanager.log-dirs", absl::StrCat(base, "/nm", i, "/logs"));
    auto nm = skein::nm::NodeManager::Create(nm_conf, skein::RealClock::Get());
    if (!nm.ok() || !(*nm)->Start().ok()) {
      fprintf(stderr, "cannot start a NodeManager\n");
      return 1;
    }
    nms.push_back(std::move(*nm));
  }
  for (auto& nm : nms) {
    for (int i = 0; i < 500 && !nm->registered(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  auto stub =
      skein::proto::ApplicationClientProtocol::NewStub(skein::MakeChannel((*rm)->client_address()));
  std::string am = std::string(SKEIN_BIN_DIR) + "/skein-dshell-am";

  std::vector<double> to_running, to_finished;
  // Every application must reach FINISHED with SUCCEEDED: a failed, killed or stuck one fails the
  // run, so no figure is ever an average over fewer applications than asked for.
  std::string failure;
  for (int n = 0; n < apps && failure.empty(); ++n) {
    skein::proto::GetNewApplicationResponse fresh;
    auto ctx = skein::MakeClientContext();
    if (!stub->GetNewApplication(ctx.get(), {}, &fresh).ok()) return 1;
    skein::proto::SubmitApplicationRequest req;
    auto* sc = req.mutable_application_submission_context();
    *sc->mutable_application_id() = fresh.application_id();
    sc->set_application_name("bench");
    *sc->mutable_resource() = skein::Resource(1024, 1).ToProto();
    auto* clc = sc->mutable_am_container_spec();
    clc->add_command(am + " 1><LOG_DIR>/AppMaster.stdout 2><LOG_DIR>/AppMaster.stderr");
    (*clc->mutable_environment())["DISTRIBUTEDSHELL_SHELL_COMMAND"] = "true";
    (*clc->mutable_environment())["DISTRIBUTEDSHELL_NUM_CONTAINERS"] = "1";
    skein::proto::SubmitApplicationResponse ignored;
    auto sctx = skein::MakeClientContext();
    if (!stub->SubmitApplication(sctx.get(), req, &ignored).ok()) return 1;
    auto t0 = Clock::now();
    bool running = false;
    bool finished = false;
    while (!finished && failure.empty() && Clock::now() - t0 < std::chrono::seconds(60)) {
      skein::proto::GetApplicationReportRequest rr;
      *rr.mutable_application_id() = fresh.application_id();
      skein::proto::GetApplicationReportResponse resp;
      auto rctx = skein::MakeClientContext();
      if (!stub->GetApplicationReport(rctx.get(), rr, &resp).ok()) return 1;
      auto state = resp.application_report().yarn_application_state();
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      if (!running && (state == skein::proto::RUNNING || state == skein::proto::FINISHED)) {
        running = true;
        to_running.push_back(ms);
      }
      if (state == skein::proto::FAILED || state == skein::proto::KILLED ||
          (state == skein::proto::FINISHED &&
           resp.application_report().final_application_status() != skein::proto::APP_SUCCEEDED)) {
        failure = absl::StrCat("application ", n + 1, " of ", apps, " ended ",
                               skein::proto::YarnApplicationState_Name(state), ": ",
                               resp.application_report().diagnostics());
      } else if (state == skein::proto::FINISHED) {
        to_finished.push_back(ms);
        finished = true;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    if (failure.empty() && !finished) {
      failure = absl::StrCat("application ", n + 1, " of ", apps, " did not finish within 60 s");
    }
  }
  for (auto& nm : nms) nm->Stop();
  (*rm)->Stop();
  fs::remove_all(base);
  if (failure.empty() && (static_cast<int>(to_running.size()) != apps ||
                          static_cast<int>(to_finished.size()) != apps)) {
    failure = absl::StrCat(to_running.size(), " applications reached RUNNING and ",
                           to_finished.size(), " FINISHED of ", apps);
  }
  if (!failure.empty()) {
    fprintf(stderr, "submit_latency_bench: %s\n", failure.c_str());
    return 1;
  }
  printf("applications: %d (distributed shell, 1 container running `true`, 2 NodeManagers)\n",
         apps);
  printf("submit -> RUNNING  : median %.1f ms  p90 %.1f ms  max %.1f ms\n",
         Percentile(to_running, 0.5), Percentile(to_running, 0.9),
         *std::max_element(to_running.begin(), to_running.end()));
  printf("submit -> FINISHED : median %.1f ms  p90 %.1f ms\n", Percentile(to_finished, 0.5),
         Percentile(to_finished, 0.9));
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    out << "{\"apps\":" << apps
        << ",\"submit_to_running_ms\":{\"median\":" << Percentile(to_running, 0.5)
        << ",\"p90\":" << Percentile(to_running, 0.9)
        << "},\"submit_to_finished_ms\":{\"median\":" << Percentile(to_finished, 0.5) << "}}\n";
  }
  return 0;
}
