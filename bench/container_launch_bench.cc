// Container launch latency of a real `yarn nodemanager` process against a minimal in-process
// ResourceTracker (127.0.0.1, ephemeral ports), next to the floor measured in the same run.
//
// Every container runs `launch_probe <fifo>` (bench/launch_probe.cc), which writes one byte to a
// FIFO the bench reads; the byte arriving is "the container's command has started executing",
// whether or not the NodeManager has answered StartContainers by then.
//
//   launch     StartContainers sent -> the probe's byte read
//   reply      StartContainers sent -> its reply (informational)
//   complete   StartContainers sent -> the NM's heartbeat reports the container COMPLETE
//   floor      measured right after each NM container, without the NM (so both see the same
//              load): posix_spawn of the probe -> its byte (launch), + waitpid (complete); with
//              cgroups: mkdir a cpu group, fork, the child joins it and execs the probe -> byte
//              (launch), + waitpid + rmdir (complete)
//   cgroup     create + attach + remove of one cgroup (root with a writable hierarchy only)
//   RSS        the NodeManager's resident memory with 100 running `sleep` containers
//
// NodeManager configurations, each a fresh `yarn nodemanager`: plain (the default settings),
// cgroups (cpu controller on; root with a writable hierarchy only) and recovery
// (yarn.nodemanager.recovery.enabled: each container runs under skein-exitcode-helper, which
// records its exit code).
// Containers start one after another (no resources to localize).
//
//   build-nml-rel/bin/container_launch_bench [--containers 1000] [--running 100] [--bin-dir DIR]
//
// --bin-dir: where `yarn` and `launch_probe` are (default: this build's bin directory), e.g. to
// measure another build's NodeManager with the same bench.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
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
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
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

void Report(const std::string& what, const std::vector<double>& v) {
  if (v.empty()) return;
  printf("%-44s median %7.3f ms   p90 %7.3f ms   p99 %7.3f ms   (n=%zu)\n", what.c_str(),
         Percentile(v, 0.5), Percentile(v, 0.9), Percentile(v, 0.99), v.size());
}

void Ratio(const std::string& what, const std::vector<double>& v,
           const std::vector<double>& floor) {
  if (v.empty() || floor.empty()) return;
  printf("%-44s %.1fx\n", what.c_str(), Percentile(v, 0.5) / Percentile(floor, 0.5));
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return absl::StrCat(one, " ", five, " ", fifteen);
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
  // Forgets the registered node: the next WaitRegistered waits for a new NodeManager.
  void Reset() {
    std::lock_guard<std::mutex> lock(mu_);
    node_.clear();
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

// A free TCP port on 127.0.0.1 (recovery needs a fixed NM port), or 0.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

// The probes' FIFO, held open read-write so it never reports end-of-file.
class Fifo {
 public:
  explicit Fifo(std::string path) : path_(std::move(path)) {
    if (mkfifo(path_.c_str(), 0666) == 0)
      fd_ = open(path_.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  }
  ~Fifo() {
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
  }
  bool ok() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  // Drops bytes left by an earlier probe.
  void Drain() {
    char buf[64];
    while (read(fd_, buf, sizeof(buf)) > 0) {
    }
  }
  // When a probe's byte arrived, or nullopt after `timeout`.
  std::optional<Clock::time_point> WaitByte(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
      char b;
      if (read(fd_, &b, 1) == 1) return Clock::now();
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      poll(&p, 1, static_cast<int>(left.count()) + 1);
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
};

// Where the cpu controller is mounted on cgroup v1 ("" when it is not).
std::string CpuCgroupRoot() {
  return fs::exists("/sys/fs/cgroup/cpu/cgroup.procs") ? "/sys/fs/cgroup/cpu" : "";
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
  } else {
    root = CpuCgroupRoot();  // v1
  }
  if (root.empty()) {
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

// One floor measurement next to an NM launch: posix_spawn of the probe -> its byte (launch),
// + waitpid (complete).
bool SpawnFloorOnce(const std::vector<std::string>& probe, Fifo& fifo, std::vector<double>* launch,
                    std::vector<double>* complete) {
  fifo.Drain();
  const auto t0 = Clock::now();
  pid_t p = Spawn(probe);
  if (p < 0) return false;
  auto byte = fifo.WaitByte(std::chrono::seconds(30));
  WaitPid(p);
  const auto t2 = Clock::now();
  if (!byte.has_value()) return false;
  launch->push_back(Ms(*byte - t0));
  complete->push_back(Ms(t2 - t0));
  return true;
}

// The floor of a launch into a cgroup (v1 cpu): mkdir the group, fork, the child writes itself
// into the group's cgroup.procs and execs the probe; launch = byte read, complete = after
// waitpid and rmdir.
bool CgroupLaunchFloorOnce(int i, const std::vector<std::string>& probe, Fifo& fifo,
                           std::vector<double>* launch, std::vector<double>* complete) {
  const std::string root = CpuCgroupRoot();
  if (geteuid() != 0 || root.empty()) return false;
  std::vector<char*> args;
  for (const auto& a : probe) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::string dir = absl::StrCat(root, "/skein-bench-launch-", getpid(), "-", i);
  const std::string procs = dir + "/cgroup.procs";
  fifo.Drain();
  const auto t0 = Clock::now();
  if (mkdir(dir.c_str(), 0755) != 0) return false;
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(procs.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0", 1) != 1) _exit(126);
    close(fd);
    execve(args[0], args.data(), environ);
    _exit(127);
  }
  auto byte = fifo.WaitByte(std::chrono::seconds(30));
  WaitPid(pid);
  rmdir(dir.c_str());
  const auto t2 = Clock::now();
  if (!byte.has_value()) return false;
  launch->push_back(Ms(*byte - t0));
  complete->push_back(Ms(t2 - t0));
  return true;
}

struct NmResults {
  std::vector<double> launch, reply, complete;
  // The floor, measured right after each NM container (same load).
  std::vector<double> floor_launch, floor_complete;
  long idle_rss_kb = -1, busy_rss_kb = -1, peak_rss_kb = -1;
  int failures = 0;
  bool started = false;
};

// Starts `yarn nodemanager` with `props` (on top of the common ones), runs `containers` probes
// one after another, each followed by one floor measurement (`floor_once`, interleaved so that
// both see the same machine load), then (when `running` > 0) `running` sleeping containers for
// the RSS figure.
NmResults RunNodeManager(const std::string& bin_dir, const std::string& base, Tracker& tracker,
                         int rm_port, const std::vector<std::pair<std::string, std::string>>& props,
                         const std::vector<std::string>& probe, Fifo& fifo, int containers,
                         int running, const std::string& must_exist,
                         const std::function<bool(int, NmResults*)>& floor_once) {
  NmResults r;
  fs::remove_all(base);
  fs::create_directories(base + "/conf");
  {
    std::ofstream site(base + "/conf/yarn-site.xml");
    site << "<configuration>\n";
    std::vector<std::pair<std::string, std::string>> all = {
        {"yarn.resourcemanager.resource-tracker.address", absl::StrCat("127.0.0.1:", rm_port)},
        {"yarn.nodemanager.address", "127.0.0.1:0"},
        {"yarn.nodemanager.webapp.address", "127.0.0.1:0"},
        {"yarn.nodemanager.local-dirs", base + "/local"},
        {"yarn.nodemanager.log-dirs", base + "/logs"},
        {"yarn.nodemanager.vmem-check-enabled", "false"},
        {"yarn.log-aggregation-enable", "false"}};
    for (const auto& p : props) {
      auto same = std::find_if(all.begin(), all.end(), [&](auto& a) { return a.first == p.first; });
      if (same != all.end()) {
        same->second = p.second;
      } else {
        all.push_back(p);
      }
    }
    for (const auto& [k, v] : all) {
      site << "<property><name>" << k << "</name><value>" << v << "</value></property>\n";
    }
    site << "</configuration>\n";
  }
  tracker.Reset();
  const std::string yarn = bin_dir + "/yarn";
  pid_t nm = Spawn({yarn, "--config", base + "/conf", "nodemanager"});
  if (nm < 0) {
    fprintf(stderr, "cannot start %s\n", yarn.c_str());
    return r;
  }
  const std::string node = tracker.WaitRegistered(std::chrono::seconds(30));
  if (node.empty()) {
    fprintf(stderr, "the NodeManager did not register within 30 s\n");
    kill(nm, SIGKILL);
    WaitPid(nm);
    return r;
  }
  if (!must_exist.empty() && !fs::exists(must_exist)) {
    printf("(this NodeManager did not create %s: cgroups not in use, phase skipped)\n",
           must_exist.c_str());
    kill(nm, SIGTERM);
    WaitPid(nm);
    return r;
  }
  r.started = true;
  auto stub = skein::proto::ContainerManagementProtocol::NewStub(skein::MakeChannel(node));
  static int64_t cluster_ts = 1700000000000;
  const skein::ApplicationId app(++cluster_ts, 1);
  const skein::ApplicationAttemptId attempt(app, 1);
  int64_t seq = 1;
  // One container: launch (probe byte), reply and completion times.
  auto run_one = [&](const std::vector<std::string>& command, bool record, bool wait) {
    skein::ContainerId id = skein::ContainerId::Make(attempt, 0, seq++);
    skein::proto::StartContainersRequest req = StartRequest(tracker, node, id, command);
    skein::proto::StartContainersResponse resp;
    grpc::ClientContext ctx;
    // The call runs asynchronously while this thread waits for the probe's byte: the byte may
    // arrive before the reply.
    std::mutex mu;
    std::condition_variable replied;
    std::optional<Clock::time_point> t1;
    grpc::Status st;
    fifo.Drain();
    const auto t0 = Clock::now();
    stub->async()->StartContainers(&ctx, &req, &resp, [&](grpc::Status s) {
      std::lock_guard<std::mutex> lock(mu);
      st = std::move(s);
      t1 = Clock::now();
      replied.notify_all();
    });
    std::optional<Clock::time_point> byte;
    if (wait) byte = fifo.WaitByte(std::chrono::seconds(30));
    {
      std::unique_lock<std::mutex> lock(mu);
      if (!replied.wait_for(lock, std::chrono::seconds(30), [&] { return t1.has_value(); })) {
        ctx.TryCancel();
        replied.wait(lock, [&] { return t1.has_value(); });
      }
    }
    if (!st.ok() || resp.succeeded_requests_size() != 1) {
      ++r.failures;
      return;
    }
    if (!wait) return;
    auto done = tracker.WaitCompleted(id.ToString(), std::chrono::seconds(30));
    if (!byte.has_value() || !done.has_value()) {
      ++r.failures;
      return;
    }
    if (!record) return;
    r.launch.push_back(Ms(*byte - t0));
    r.reply.push_back(Ms(*t1 - t0));
    r.complete.push_back(Ms(*done - t0));
  };
  for (int i = 0; i < 20; ++i) run_one(probe, false, true);  // warm-up
  for (int i = 0; i < containers; ++i) {
    run_one(probe, true, true);
    if (!floor_once(i, &r)) ++r.failures;
  }

  if (running > 0) {
    r.idle_rss_kb = RssKb(nm, "VmRSS:");
    for (int i = 0; i < running; ++i) run_one({"sleep", "600"}, false, false);
    std::this_thread::sleep_for(std::chrono::seconds(2));  // a heartbeat and a monitor pass
    r.busy_rss_kb = RssKb(nm, "VmRSS:");
    r.peak_rss_kb = RssKb(nm, "VmHWM:");
  }
  kill(nm, SIGTERM);
  WaitPid(nm);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int containers = 1000;
  int running = 100;
  std::string bin_dir = SKEIN_BIN_DIR;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--bin-dir") && i + 1 < argc) bin_dir = fs::absolute(argv[++i]);
    if (!strcmp(argv[i], "--containers") && i + 1 < argc) containers = std::max(1, atoi(argv[++i]));
    if (!strcmp(argv[i], "--running") && i + 1 < argc) running = std::max(1, atoi(argv[++i]));
  }
  const std::string base = absl::StrCat("/tmp/skein-launch-bench-", getpid());
  fs::create_directories(base);
  const std::string load_before = LoadAverage();
  Fifo fifo(base + "/probe.fifo");
  if (!fifo.ok()) {
    fprintf(stderr, "cannot create the FIFO %s: %s\n", fifo.path().c_str(), strerror(errno));
    return 1;
  }
  const std::vector<std::string> probe = {bin_dir + "/launch_probe", fifo.path()};

  Tracker tracker;
  int rm_port = 0;
  auto server = skein::StartGrpcServer("127.0.0.1:0", "bench.rm", {&tracker}, &rm_port);
  if (!server.ok()) {
    fprintf(stderr, "%s\n", std::string(server.status().message()).c_str());
    return 1;
  }

  auto spawn_floor = [&](int, NmResults* r) {
    return SpawnFloorOnce(probe, fifo, &r->floor_launch, &r->floor_complete);
  };
  auto cgroup_floor = [&](int i, NmResults* r) {
    return CgroupLaunchFloorOnce(i, probe, fifo, &r->floor_launch, &r->floor_complete);
  };
  NmResults plain = RunNodeManager(bin_dir, base + "/plain", tracker, rm_port, {}, probe, fifo,
                                   containers, running, "", spawn_floor);
  NmResults cgroups;
  const std::string hierarchy = absl::StrCat("/skein-bench-", getpid());
  if (geteuid() == 0 && !CpuCgroupRoot().empty()) {
    cgroups =
        RunNodeManager(bin_dir, base + "/cgroups", tracker, rm_port,
                       {{"yarn.nodemanager.resource.cpu.enabled", "true"},
                        {"yarn.nodemanager.linux-container-executor.cgroups.hierarchy", hierarchy}},
                       probe, fifo, containers, 0, CpuCgroupRoot() + hierarchy, cgroup_floor);
    rmdir((CpuCgroupRoot() + hierarchy).c_str());
  }
  NmResults recovery;
  if (int port = FreePort(); port > 0) {
    recovery = RunNodeManager(bin_dir, base + "/recovery", tracker, rm_port,
                              {{"yarn.nodemanager.address", absl::StrCat("127.0.0.1:", port)},
                               {"yarn.nodemanager.recovery.enabled", "true"},
                               {"yarn.nodemanager.recovery.dir", base + "/recovery/state"}},
                              probe, fifo, containers, 0, "", spawn_floor);
  }

  std::vector<double> bash_floor;
  for (int i = 0; i < containers; ++i) {
    fifo.Drain();
    const auto t0 = Clock::now();
    pid_t p = Spawn(
        {"/bin/bash", "-c", absl::StrCat("exec /bin/bash -c '", probe[0], " ", probe[1], "'")});
    auto byte = fifo.WaitByte(std::chrono::seconds(30));
    WaitPid(p);
    if (byte.has_value()) bash_floor.push_back(Ms(*byte - t0));
  }
  std::vector<double> cgroup = CgroupFloor(std::min(containers, 200));

  printf("container_launch_bench: %d containers running launch_probe, sequential\n", containers);
  printf("load average before: %s   after: %s\n", load_before.c_str(), LoadAverage().c_str());
  Report("floor: bash -c 'exec bash -c probe' -> running", bash_floor);
  Report("floor: cgroup create+attach+rm", cgroup);
  int failures = 0;
  for (const auto& [name, r, floor_name] :
       std::vector<std::tuple<std::string, const NmResults*, std::string>>{
           {"plain", &plain, "posix_spawn probe"},
           {"cgroups", &cgroups, "mkdir cg, fork, join cg, exec probe"},
           {"recovery", &recovery, "posix_spawn probe"}}) {
    failures += r->failures;
    if (!r->started) {
      printf("[%s] not run\n", name.c_str());
      continue;
    }
    Report(absl::StrCat("[", name, "] NM launch (-> running)"), r->launch);
    Report(absl::StrCat("[", name, "] floor: ", floor_name, " -> running"), r->floor_launch);
    Report(absl::StrCat("[", name, "] NM StartContainers reply"), r->reply);
    Report(absl::StrCat("[", name, "] NM complete (reported to RM)"), r->complete);
    Report(absl::StrCat("[", name, "] floor: ... + wait", name == "cgroups" ? " + rmdir cg" : ""),
           r->floor_complete);
    Ratio(absl::StrCat("[", name, "] launch / floor (medians)"), r->launch, r->floor_launch);
    Ratio(absl::StrCat("[", name, "] complete / floor (medians)"), r->complete, r->floor_complete);
  }
  if (plain.busy_rss_kb > 0) {
    printf("NodeManager RSS: %.1f MB idle, %.1f MB with %d running containers (peak %.1f MB)\n",
           plain.idle_rss_kb / 1024.0, plain.busy_rss_kb / 1024.0, running,
           plain.peak_rss_kb / 1024.0);
  }
  if (failures > 0) printf("FAILURES: %d containers did not start or complete\n", failures);

  (*server)->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  std::error_code ec;
  fs::remove_all(base, ec);
  return failures == 0 ? 0 : 1;
}
