#include "nodemanager/recovery/container_recovery.h"

#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "nodemanager/container/launch_script.h"

namespace skein::nm {
namespace {

namespace fs = std::filesystem;

// The exit code the wrapper wrote, if any.
std::optional<int> ReadExitCode(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  int code = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(ss.str()), &code)) return std::nullopt;
  return code;
}

bool Alive(const ContainerRecord& r) {
  return r.pid > 0 && !r.completed && r.start_time_ticks != 0 &&
         ProcessStartTime(r.pid) == r.start_time_ticks;
}

// Cleanup of an adopted container's hooks (cgroups) waits for stragglers in its groups to die.
constexpr int kCleanupAttempts = 20;
constexpr absl::Duration kCleanupRetryDelay = absl::Milliseconds(100);

void CleanupAdopted(EventLoop& loop, ContainerHooks* hooks, const ContainerId& id, int attempts) {
  absl::Status s = hooks->Cleanup(id);
  if (absl::IsUnavailable(s) && attempts > 1) {
    loop.PostDelayed(kCleanupRetryDelay, [&loop, hooks, id, attempts] {
      CleanupAdopted(loop, hooks, id, attempts - 1);
    });
    return;
  }
  if (!s.ok()) {
    fprintf(stderr, "skein nodemanager: cleaning up recovered %s: %s\n", id.ToString().c_str(),
            std::string(s.message()).c_str());
  }
}

// Polls adopted containers until their process is gone, then completes them.
void Watch(EventLoop& loop, ContainerManager& manager, ContainerHooks* hooks,
           std::vector<ContainerRecord> adopted, std::string recovery_dir, absl::Duration poll) {
  auto pending = std::make_shared<std::vector<ContainerRecord>>(std::move(adopted));
  auto timer = std::make_shared<EventLoop::TimerId>(0);
  *timer = loop.PostPeriodic(poll, [&loop, &manager, hooks, pending, timer, recovery_dir] {
    for (auto it = pending->begin(); it != pending->end();) {
      if (ProcessStartTime(it->pid) == it->start_time_ticks) {
        ++it;
        continue;
      }
      std::optional<int> code = ReadExitCode(ExitCodeFile(recovery_dir, it->id));
      manager.RecoveredExit(it->id, code.has_value() ? ProcessExit{false, *code}
                                                     : ProcessExit{false, kExitStatusLost});
      if (hooks != nullptr) CleanupAdopted(loop, hooks, it->id, kCleanupAttempts);
      it = pending->erase(it);
    }
    if (pending->empty()) loop.Cancel(*timer);
  });
}

}  // namespace

std::string ExitCodeFile(const std::string& recovery_dir, const ContainerId& id) {
  return absl::StrCat(recovery_dir, "/exitcodes/", id.ToString());
}

RecordingHooks::RecordingHooks(ContainerHooks* inner, std::string recovery_dir,
                               std::function<void(const ContainerId&, int)> on_launched)
    : inner_(inner), recovery_dir_(std::move(recovery_dir)), on_launched_(std::move(on_launched)) {}

absl::StatusOr<std::vector<std::string>> RecordingHooks::PrepareLaunch(const ContainerId& id,
                                                                       const Resource& resource) {
  std::vector<std::string> lines;
  if (!recovery_dir_.empty()) {
    std::error_code ec;
    fs::create_directories(recovery_dir_ + "/exitcodes", ec);
    if (ec) {
      return absl::InternalError(absl::StrCat("cannot create ", recovery_dir_,
                                              "/exitcodes for exit code files: ", ec.message()));
    }
    lines.push_back(ExitCodeWrapperLine(ExitCodeFile(recovery_dir_, id)));
  }
  if (inner_ != nullptr) {
    absl::StatusOr<std::vector<std::string>> more = inner_->PrepareLaunch(id, resource);
    if (!more.ok()) return more.status();
    lines.insert(lines.end(), more->begin(), more->end());
  }
  return lines;
}

void RecordingHooks::Launched(const ContainerId& id, int pid, const Resource& resource) {
  if (inner_ != nullptr) inner_->Launched(id, pid, resource);
  if (on_launched_) on_launched_(id, pid);
}

std::string RecordingHooks::ExitDiagnostics(const ContainerId& id, int pid) {
  return inner_ != nullptr ? inner_->ExitDiagnostics(id, pid) : "";
}

absl::Status RecordingHooks::Cleanup(const ContainerId& id) {
  return inner_ != nullptr ? inner_->Cleanup(id) : absl::OkStatus();
}

ContainerRecorder::ContainerRecorder(NmStateStore& store, ContainerManager& manager,
                                     std::string recovery_dir)
    : store_(store), manager_(manager), recovery_dir_(std::move(recovery_dir)) {}

void ContainerRecorder::Log(const absl::Status& s) {
  if (!s.ok()) fprintf(stderr, "skein nodemanager: %s\n", std::string(s.message()).c_str());
}

void ContainerRecorder::Launched(const ContainerId& id, int pid) {
  std::optional<ContainerManager::ContainerView> v = manager_.View(id);
  if (!v.has_value()) return;
  ContainerRecord r;
  r.id = id;
  r.user = v->user;
  r.resource = v->resource;
  r.pid = pid;
  r.start_time_ticks = ProcessStartTime(pid);
  r.work_dir = v->work_dir;
  r.log_dir = v->log_dir;
  Log(store_.StoreContainer(r));
  records_[id] = std::move(r);
  stored_.insert(id);
}

void ContainerRecorder::Sync() {
  std::set<ContainerId> known;
  for (const proto::ContainerStatusProto& s : manager_.AllStatuses()) {
    ContainerId id = ContainerId::FromProto(s.container_id());
    known.insert(id);
    if (s.state() != proto::C_COMPLETE || !stored_.count(id) || completed_.count(id)) continue;
    auto rec = records_.find(id);
    if (rec == records_.end()) continue;
    rec->second.completed = true;
    rec->second.exit_status = s.exit_status();
    rec->second.diagnostics = s.diagnostics();
    Log(store_.StoreContainer(rec->second));
    completed_.insert(id);
  }
  for (auto it = stored_.begin(); it != stored_.end();) {
    if (known.count(*it)) {
      ++it;
      continue;
    }
    // The RM acknowledged the completion: nothing left to recover.
    Log(store_.RemoveContainer(*it));
    if (!recovery_dir_.empty()) {
      std::error_code ec;
      fs::remove(ExitCodeFile(recovery_dir_, *it), ec);
    }
    completed_.erase(*it);
    records_.erase(*it);
    it = stored_.erase(it);
  }
}

std::set<std::string> LiveContainerIds(NmStateStore& store) {
  std::set<std::string> out;
  absl::StatusOr<std::vector<ContainerRecord>> records = store.LoadContainers();
  if (!records.ok()) {
    fprintf(stderr, "skein nodemanager: %s\n", std::string(records.status().message()).c_str());
    return out;
  }
  for (const ContainerRecord& r : *records) {
    if (Alive(r)) out.insert(r.id.ToString());
  }
  return out;
}

RecoveryResult RecoverContainers(NmStateStore& store, ContainerManager& manager,
                                 ContainerRecorder& recorder, ContainerHooks* hooks,
                                 EventLoop& loop, bool recovery, const std::string& recovery_dir,
                                 absl::Duration poll) {
  RecoveryResult result;
  absl::StatusOr<std::vector<ContainerRecord>> records = store.LoadContainers();
  if (!records.ok()) {
    fprintf(stderr, "skein nodemanager: %s\n", std::string(records.status().message()).c_str());
    return result;
  }
  std::vector<ContainerRecord> adopted;
  for (const ContainerRecord& r : *records) {
    const bool alive = Alive(r);
    if (!recovery) {
      if (alive) {
        kill(-r.pid, SIGKILL);  // the previous NodeManager's container: nobody reports it now
        ++result.killed;
      }
      (void)store.RemoveContainer(r.id);
      continue;
    }
    manager.AdoptRunning(r.id, r.user, r.resource, r.pid, r.work_dir, r.log_dir);
    recorder.Launched(r.id, r.pid);
    if (r.completed) {
      // Ended and was recorded, but the RM never acknowledged it: report it again.
      manager.RecoveredExit(r.id, ProcessExit{false, r.exit_status});
      ++result.ended;
    } else if (alive) {
      if (hooks != nullptr) hooks->Launched(r.id, r.pid, r.resource);
      adopted.push_back(r);
      ++result.reattached;
    } else {
      std::optional<int> code = ReadExitCode(ExitCodeFile(recovery_dir, r.id));
      manager.RecoveredExit(r.id, ProcessExit{false, code.value_or(kExitStatusLost)});
      ++result.ended;
    }
    // Ended (possibly after LiveContainerIds kept its group): nothing may be left behind.
    if (!alive && hooks != nullptr) CleanupAdopted(loop, hooks, r.id, kCleanupAttempts);
  }
  if (!adopted.empty()) Watch(loop, manager, hooks, std::move(adopted), recovery_dir, poll);
  recorder.Sync();
  return result;
}

}  // namespace skein::nm
