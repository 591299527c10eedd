// Container launch latency of a real `yarn nodemanager` process against a minimal in-process
// ResourceTracker (127.0.0.1, ephemeral ports), next to the floor measured in the same run:
//
//   launch     StartContainers sent -> its reply (the NM has spawned launch_container.sh; the
//              container is RUNNING)                  floor: posix_spawn of the same command
//   complete   StartContainers sent -> the NM's heartbeat reports the container COMPLETE
//                                                     floor: posix_spawn + waitpid
//   cgroup     create + attach + remove of one cgroup (root with a writable hierarchy only)
//   RSS        the NodeManager's resident memory with 100 running `sleep` containers
//
// Containers run /bin/true one after another (no resources to localize).
//
//   build-nmloc-rel/bin/container_launch_bench [--containers 1000] [--running 100]
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/rpc.h"
#include "common/token.h"
#include "protos/container_manager.grpc.pb.h"
#include "protos/resource_tracker.grpc.pb.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

void Report(const char* what, const std::vector<double>& v) {
  if (v.empty()) return;
  printf("%-34s median %7.3f ms   p90 %7.3f ms   p99 %7.3f ms   (n=%zu)\n", what,
         Percentile(v, 0.5), Percentile(v, 0.9), Percentile(v, 0.99), v.size());
}

// The RM side: registers the NM with a master key, records completions, acknowledges them.
class Tracker final : public skein::proto::ResourceTracker::Service {
 public:
  grpc::Status RegisterNodeManager(grpc::ServerContext*,
                                   const skein::proto::RegisterNodeManagerRequest* req,
                                   skein::proto::RegisterNodeManagerResponse* resp) override {
    std::lock_guard<std::mutex> lock(mu_);
    node_ = skein::NodeId::FromProto(req->node_id()).ToString();
    resp->mutable_container_token_master_key()->set_key_id(1);
    resp->mutable_container_token_master_key()->set_bytes(key_);
    resp->set_nodeaction(skein::proto::NORMAL);
    changed_.notify_all();
    return grpc::Status::OK;
  }
  grpc::Status NodeHeartbeat(grpc::ServerContext*, const skein::proto::NodeHeartbeatRequest* req,
                             skein::proto::NodeHeartbeatResponse* resp) override {
    const auto now = Clock::now();
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& s : req->node_status().containersstatuses()) {
      if (s.state() != skein::proto::C_COMPLETE) continue;
      completed_.emplace(skein::ContainerId::FromProto(s.container_id()).ToString(), now);
      *resp->add_containers_to_be_removed_from_nm() = s.container_id();
    }
    resp->set_response_id(req->node_status().response_id() + 1);
    resp->set_nextheartbeatinterval(1000);
    resp->set_nodeaction(skein::proto::NORMAL);
    changed_.notify_all();
    return grpc::Status::OK;
  }
  std::string WaitRegistered(std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, timeout, [&] { return !node_.empty(); });
    return node_;
  }
  // When the completion of `id` reached the RM, or nullopt after `timeout`.
  std::optional<Clock::time_point> WaitCompleted(const std::string& id,
                                                 std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!changed_.wait_for(lock, timeout, [&] { return completed_.count(id) > 0; })) {
      return std::nullopt;
    }
    return completed_.at(id);
  }
  const std::string& key() const { return key_; }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  const std::string key_ = skein::RandomBytes(32);
  std::string node_;
  std::map<std::string, Clock::time_point> completed_;
};

skein::proto::StartContainersRequest StartRequest(const Tracker& rm, const std::string& node,
                                                  const skein::ContainerId& id,
                                                  const std::vector<std::string>& command) {
  skein::proto::ContainerTokenIdentifierProto ident;
  *ident.mutable_container_id() = id.ToProto();
  ident.set_nm_host_port(node);
  ident.set_app_submitter(skein::CurrentUser());
  ident.mutable_resource()->set_memory_mb(64);
  ident.mutable_resource()->set_virtual_cores(1);
  ident.set_expiry_timestamp_ms(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch() + std::chrono::minutes(10))
          .count());
  ident.set_master_key_id(1);
  skein::proto::StartContainersRequest req;
  auto* r = req.add_start_container_request();
  r->mutable_container_token()->set_identifier(ident.SerializeAsString());
  r->mutable_container_token()->set_password(
      skein::HmacSha256(rm.key(), ident.SerializeAsString()));
  for (const auto& c : command) r->mutable_container_launch_context()->add_command(c);
  return req;
}

pid_t Spawn(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return -1;
  return pid;
}

int WaitPid(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

long RssKb(pid_t pid, const char* field) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + strlen(field));
  }
  return -1;
}

// One cgroup created, the bench process attached to it and moved back, the group removed.
// Returns the times, or prints why it cannot and returns none.
std::vector<double> CgroupFloor(int n) {
  if (geteuid() != 0) {
    printf("cgroup floor: skipped (not root)\n");
    return {};
  }
  std::string root;
  if (fs::exists("/sys/fs/cgroup/cgroup.controllers")) {
    root = "/sys/fs/cgroup";  // v2
  } else if (fs::exists("/sys/fs/cgroup/cpu/cgroup.procs")) {
    root = "/sys/fs/cgroup/cpu";  // v1
  } else {
    printf("cgroup floor: skipped (no cgroup v2 root or v1 cpu hierarchy mounted)\n");
    return {};
  }
  const std::string self = absl::StrCat(getpid());
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    const std::string dir = absl::StrCat(root, "/skein-bench-", getpid(), "-", i);
    const auto t0 = Clock::now();
    if (mkdir(dir.c_str(), 0755) != 0) {
      printf("cgroup floor: skipped (mkdir %s: %s)\n", dir.c_str(), strerror(errno));
      return {};
    }
    bool ok = static_cast<bool>(std::ofstream(dir + "/cgroup.procs") << self);
    ok = static_cast<bool>(std::ofstream(root + "/cgroup.procs") << self) && ok;
    if (rmdir(dir.c_str()) != 0 || !ok) {
      printf("cgroup floor: skipped (attach or rmdir in %s failed: %s)\n", dir.c_str(),
             strerror(errno));
      return {};
    }
    out.push_back(Ms(Clock::now() - t0));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int containers = 1000;
  int running = 100;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--containers") && i + 1 < argc) containers = std::max(1, atoi(argv[++i]));
    if (!strcmp(argv[i], "--running") && i + 1 < argc) running = std::max(1, atoi(argv[++i]));
  }
  const std::string base = absl::StrCat("/tmp/skein-launch-bench-", getpid());
  fs::create_directories(base + "/conf");

  Tracker tracker;
  int rm_port = 0;
  auto server = skein::StartGrpcServer("127.0.0.1:0", "bench.rm", {&tracker}, &rm_port);
  if (!server.ok()) {
    fprintf(stderr, "%s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  {
    std::ofstream site(base + "/conf/yarn-site.xml");
    site << "<configuration>\n";
    for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
             {"yarn.resourcemanager.resource-tracker.address", absl::StrCat("127.0.0.1:", rm_port)},
             {"yarn.nodemanager.address", "127.0.0.1:0"},
             {"yarn.nodemanager.webapp.address", "127.0.0.1:0"},
             {"yarn.nodemanager.local-dirs", base + "/local"},
             {"yarn.nodemanager.log-dirs", base + "/logs"},
             {"yarn.nodemanager.vmem-check-enabled", "false"},
             {"yarn.log-aggregation-enable", "false"}}) {
      site << "<property><name>" << k << "</name><value>" << v << "</value></property>\n";
    }
    site << "</configuration>\n";
  }
  const std::string yarn = std::string(SKEIN_BIN_DIR) + "/yarn";
  std::vector<std::string> nm_argv = {yarn, "--config", base + "/conf", "nodemanager"};
  pid_t nm = Spawn(nm_argv);
  if (nm < 0) {
    fprintf(stderr, "cannot start %s\n", yarn.c_str());
    return 1;
  }
  const std::string node = tracker.WaitRegistered(std::chrono::seconds(30));
  if (node.empty()) {
    fprintf(stderr, "the NodeManager did not register within 30 s\n");
    kill(nm, SIGKILL);
    return 1;
  }
  auto stub = skein::proto::ContainerManagementProtocol::NewStub(skein::MakeChannel(node));
  const skein::ApplicationId app(1700000000000, 1);
  const skein::ApplicationAttemptId attempt(app, 1);
  int64_t seq = 1;
  int failures = 0;
  // One container: launch and completion times, or false.
  auto run_one = [&](const std::vector<std::string>& command, std::vector<double>* launch,
                     std::vector<double>* complete) {
    skein::ContainerId id = skein::ContainerId::Make(attempt, 0, seq++);
    skein::proto::StartContainersRequest req = StartRequest(tracker, node, id, command);
    skein::proto::StartContainersResponse resp;
    grpc::ClientContext ctx;
    const auto t0 = Clock::now();
    grpc::Status st = stub->StartContainers(&ctx, req, &resp);
    const auto t1 = Clock::now();
    if (!st.ok() || resp.succeeded_requests_size() != 1) {
      ++failures;
      return;
    }
    if (launch != nullptr) launch->push_back(Ms(t1 - t0));
    if (complete == nullptr) return;
    auto done = tracker.WaitCompleted(id.ToString(), std::chrono::seconds(30));
    if (!done.has_value()) {
      ++failures;
      return;
    }
    complete->push_back(Ms(*done - t0));
  };

  const std::vector<std::string> kTrue = {"/bin/true"};
  std::vector<double> ignore;
  for (int i = 0; i < 20; ++i) run_one(kTrue, &ignore, &ignore);  // warm-up
  std::vector<double> launch, complete;
  for (int i = 0; i < containers; ++i) run_one(kTrue, &launch, &complete);

  std::vector<double> spawn_floor, exit_floor, bash_floor;
  for (int i = 0; i < containers; ++i) {
    const auto t0 = Clock::now();
    pid_t p = Spawn(kTrue);
    const auto t1 = Clock::now();
    WaitPid(p);
    const auto t2 = Clock::now();
    spawn_floor.push_back(Ms(t1 - t0));
    exit_floor.push_back(Ms(t2 - t0));
  }
  for (int i = 0; i < containers; ++i) {
    const auto t0 = Clock::now();
    WaitPid(Spawn({"/bin/bash", "-c", "exec /bin/bash -c /bin/true"}));
    bash_floor.push_back(Ms(Clock::now() - t0));
  }
  std::vector<double> cgroup = CgroupFloor(std::min(containers, 200));

  // Resident memory with `running` live containers.
  const long idle_rss = RssKb(nm, "VmRSS:");
  for (int i = 0; i < running; ++i) run_one({"sleep", "600"}, &ignore, nullptr);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // a heartbeat and a monitor pass
  const long busy_rss = RssKb(nm, "VmRSS:");
  const long peak_rss = RssKb(nm, "VmHWM:");

  printf("container_launch_bench: %d containers running /bin/true, sequential\n", containers);
  Report("NM launch (StartContainers reply)", launch);
  Report("floor: posix_spawn /bin/true", spawn_floor);
  Report("NM complete (reported to the RM)", complete);
  Report("floor: posix_spawn+wait /bin/true", exit_floor);
  Report("floor: bash -c 'exec bash -c true'", bash_floor);
  Report("floor: cgroup create+attach+rm", cgroup);
  if (!launch.empty()) {
    printf("launch / floor (medians): %.1fx   complete / floor: %.1fx\n",
           Percentile(launch, 0.5) / Percentile(spawn_floor, 0.5),
           Percentile(complete, 0.5) / Percentile(exit_floor, 0.5));
  }
  printf("NodeManager RSS: %.1f MB idle, %.1f MB with %d running containers (peak %.1f MB)\n",
         idle_rss / 1024.0, busy_rss / 1024.0, running, peak_rss / 1024.0);
  if (failures > 0) printf("FAILURES: %d containers did not start or complete\n", failures);

  kill(nm, SIGTERM);
  WaitPid(nm);
  (*server)->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  std::error_code ec;
  fs::remove_all(base, ec);
  return failures == 0 ? 0 : 1;
}
