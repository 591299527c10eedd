#include "nodemanager/container/container_manager.h"

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nodemanager/container/launch_script.h"
#include "nodemanager/container/shell_free_command.h"

namespace skein::nm {
namespace {

namespace fs = std::filesystem;

constexpr size_t kStderrTailBytes = 4096;
// Cleanup of a container's cgroups waits for stragglers in its group to die.
constexpr int kCleanupAttempts = 20;
constexpr absl::Duration kCleanupRetryDelay = absl::Milliseconds(100);
constexpr char kDefaultPath[] = "/usr/local/bin:/usr/bin:/bin";
// Spare container directories kept ready per local / log dir (spare_dirs.h).
constexpr int kSpareDirs = 2;

absl::Status MakeDirs(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", path, ": ", ec.message()));
  return absl::OkStatus();
}

// The last `max` bytes of `path`, or "" when it cannot be read.
std::string FileTail(const std::string& path, size_t max) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  std::streamoff size = in.tellg();
  std::streamoff start = size > static_cast<std::streamoff>(max) ? size - max : 0;
  in.seekg(start);
  std::string data(static_cast<size_t>(size - start), '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(in.gcount()));
  return data;
}

// launch_container.sh, executable by its owner.
absl::Status WriteLaunchScript(const std::string& path, const LaunchScriptParams& p) {
  std::ofstream out(path, std::ios::trunc);
  out << BuildLaunchScript(p);
  out.close();
  if (!out || chmod(path.c_str(), 0700) != 0) {
    return absl::InternalError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

bool SafePathComponent(absl::string_view s) {
  return !s.empty() && s != "." && s != ".." && !absl::StrContains(s, '/');
}

proto::ContainerExceptionMapProto Failure(const ContainerId& id, absl::string_view why) {
  proto::ContainerExceptionMapProto f;
  *f.mutable_container_id() = id.ToProto();
  f.set_exception(std::string(why));
  return f;
}

std::string NotHandled(const ContainerId& id) {
  return absl::StrCat("Container ", id.ToString(), " is not handled by this NodeManager");
}

}  // namespace

ContainerManager::ContainerManager(ContainerManagerOptions options, EventLoop& loop,
                                   ContainerExecutor& executor, Clock& clock)
    : options_(std::move(options)), loop_(loop), executor_(executor), clock_(clock) {
  LocalizerOptions lo;
  lo.local_dirs = options_.local_dirs;
  lo.threads = options_.localizer_threads;
  lo.store = options_.localized_resources;
  localizer_ = std::make_unique<ResourceLocalizer>(std::move(lo));
}

void ContainerManager::SetMasterKey(const proto::MasterKeyProto& key) {
  if (key.bytes().empty()) return;
  for (const MasterKey& k : keys_) {
    if (k.key_id == key.key_id() && k.bytes == key.bytes()) return;
  }
  keys_.push_back(MasterKey{key.key_id(), key.bytes()});
  if (keys_.size() > 2) keys_.erase(keys_.begin());
}

proto::StartContainersResponse ContainerManager::StartContainers(
    const proto::StartContainersRequest& request) {
  proto::StartContainersResponse response;
  for (const proto::StartContainerRequest& r : request.start_container_request()) {
    ContainerId id;
    if (absl::Status s = StartOne(r, &id); s.ok()) {
      *response.add_succeeded_requests() = id.ToProto();
    } else {
      *response.add_failed_requests() = Failure(id, s.message());
    }
  }
  return response;
}

absl::Status ContainerManager::StartOne(const proto::StartContainerRequest& request,
                                        ContainerId* id) {
  if (keys_.empty()) {
    proto::ContainerTokenIdentifierProto ident;
    if (ident.ParseFromString(request.container_token().identifier())) {
      *id = ContainerId::FromProto(ident.container_id());
    }
    return absl::UnavailableError("NodeManager has not registered with the ResourceManager yet");
  }
  absl::StatusOr<proto::ContainerTokenIdentifierProto> ident = VerifyContainerToken(
      request.container_token(), keys_, node_id_.ToString(), clock_.NowMillis());
  if (!ident.ok()) {
    proto::ContainerTokenIdentifierProto partial;
    if (partial.ParseFromString(request.container_token().identifier())) {
      *id = ContainerId::FromProto(partial.container_id());
    }
    return ident.status();
  }
  *id = ContainerId::FromProto(ident->container_id());
  if (containers_.contains(*id) || forgotten_.contains(*id)) {
    return absl::AlreadyExistsError(
        absl::StrCat("Container ", id->ToString(), " is already known to this NodeManager"));
  }
  if (!SafePathComponent(ident->app_submitter())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Container ", id->ToString(), ": invalid submitting user '", ident->app_submitter(), "'"));
  }
  std::map<std::string, std::string> env(request.container_launch_context().environment().begin(),
                                         request.container_launch_context().environment().end());
  if (absl::Status s = ValidateEnvironment(env); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Container ", id->ToString(), ": ", s.message()));
  }
  Entry& entry = containers_[*id];
  entry.container = std::make_unique<Container>(*id, ident->app_submitter(),
                                                Resource::FromProto(ident->resource()));
  entry.started_ms = clock_.NowMillis();
  Launch(entry, request.container_launch_context());
  return absl::OkStatus();
}

SpareDirs& ContainerManager::Spares(const std::string& dir, bool log) {
  std::unique_ptr<SpareDirs>& spares = spares_[dir];
  if (spares == nullptr) {
    spares = log ? std::make_unique<SpareDirs>(
                       dir + "/.skein-spare",
                       std::vector<std::string>{"prelaunch.out", "prelaunch.err"}, kSpareDirs)
                 : std::make_unique<SpareDirs>(dir + "/nmPrivate/spare", std::vector<std::string>{},
                                               kSpareDirs);
  }
  return *spares;
}

absl::Status ContainerManager::PrepareDirs(const Entry& entry,
                                           const proto::ContainerLaunchContextProto& context,
                                           const std::vector<std::string>& app_dirs) {
  for (const auto& [name, resource] : context.local_resources()) {
    if (!SafePathComponent(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("local resource name '", name, "' is not a plain file name"));
    }
  }
  for (const std::string& dir : app_dirs) {
    if (absl::Status s = MakeDirs(dir); !s.ok()) return s;
  }
  const std::string app_log_dir = fs::path(entry.log_dir).parent_path().string();
  if (absl::Status s = MakeDirs(app_log_dir); !s.ok()) return s;
  // Spares renamed into place: no inode allocation on the launch path (spare_dirs.h).
  if (absl::Status s = Spares(entry.local_root, false).Make(entry.work_dir); !s.ok()) return s;
  return Spares(entry.log_root, true).Make(entry.log_dir);
}

absl::Status ContainerManager::LinkResources(const Entry& entry,
                                             const ResourceLocalizer::Paths& paths) {
  for (const auto& [name, path] : paths) {
    std::error_code ec;
    fs::create_symlink(path, fs::path(entry.work_dir) / name, ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("linking local resource ", name, " to ", path, ": ", ec.message()));
    }
  }
  return absl::OkStatus();
}

void ContainerManager::Launch(Entry& entry, const proto::ContainerLaunchContextProto& context) {
  Container& c = *entry.container;
  const std::string app = c.id().application_id().ToString();
  const std::string cid = c.id().ToString();
  std::vector<std::string> local_dirs =
      options_.good_local_dirs ? options_.good_local_dirs() : options_.local_dirs;
  if (local_dirs.empty()) local_dirs = options_.local_dirs;
  std::vector<std::string> log_dirs =
      options_.good_log_dirs ? options_.good_log_dirs() : options_.log_dirs;
  if (log_dirs.empty()) log_dirs = options_.log_dirs;
  std::vector<std::string> app_dirs;
  for (const std::string& d : local_dirs) {
    app_dirs.push_back(absl::StrCat(d, "/usercache/", c.user(), "/appcache/", app));
  }
  entry.local_root = local_dirs.front();
  entry.log_root = log_dirs.front();
  entry.work_dir = absl::StrCat(app_dirs.front(), "/", cid);
  entry.log_dir = absl::StrCat(log_dirs.front(), "/", app, "/", cid);

  c.StartLocalizing();
  if (absl::Status s = PrepareDirs(entry, context, app_dirs); !s.ok()) {
    c.LocalizationFailed(s.message());
    Completed(entry);
    return;
  }
  if (context.local_resources().empty()) {
    c.Localized();
    Run(entry, context, app_dirs);
    return;
  }
  // Fetching may take long: the localizer works on its own threads and posts the result back.
  const ContainerId id = c.id();
  localizer_->Localize(
      c.user(), id.application_id(),
      {context.local_resources().begin(), context.local_resources().end()},
      [this, id, context, app_dirs](absl::StatusOr<ResourceLocalizer::Paths> paths) {
        loop_.Post([this, id, context, app_dirs, paths = std::move(paths)] {
          OnLocalized(id, paths, context, app_dirs);
        });
      });
}

void ContainerManager::OnLocalized(const ContainerId& id,
                                   const absl::StatusOr<ResourceLocalizer::Paths>& paths,
                                   const proto::ContainerLaunchContextProto& context,
                                   const std::vector<std::string>& app_dirs) {
  auto it = containers_.find(id);
  if (it == containers_.end()) return;
  Entry& entry = it->second;
  Container& c = *entry.container;
  if (c.state() != NmContainerState::kLocalizing) return;  // killed meanwhile
  absl::Status s = paths.status();
  if (s.ok()) s = LinkResources(entry, *paths);
  if (!s.ok()) {
    c.LocalizationFailed(s.message());
    Completed(entry);
    return;
  }
  c.Localized();
  Run(entry, context, app_dirs);
}

void ContainerManager::Run(Entry& entry, const proto::ContainerLaunchContextProto& context,
                           const std::vector<std::string>& app_dirs) {
  Container& c = *entry.container;
  const std::string cid = c.id().ToString();
  LaunchScriptParams p;
  if (options_.hooks != nullptr) {
    absl::StatusOr<std::vector<std::string>> lines =
        options_.hooks->PrepareLaunch(c.id(), c.resource());
    entry.hooks_prepared = true;  // even a half-done setup is cleaned up
    if (!lines.ok()) {
      c.LaunchFailed(lines.status().message());
      Completed(entry);
      return;
    }
    // cgroup joins are done by the executor before exec, and the exit code file by its helper
    // when it has one; other lines need the script.
    for (std::string& line : *lines) {
      std::optional<std::string> exit_code_file;
      if (executor_.WritesExitCodeFiles()) exit_code_file = ExitCodeWrapperTarget(line);
      if (std::optional<std::string> procs = JoinCommandTarget(line); procs.has_value()) {
        p.joined.push_back(*std::move(procs));
      } else if (exit_code_file.has_value()) {
        p.exit_code_file = *std::move(exit_code_file);
      } else {
        p.prologue.push_back(std::move(line));
      }
    }
  }
  p.container_id = cid;
  p.nm_host = node_id_.host();
  p.nm_port = node_id_.port();
  p.nm_http_port = options_.http_port;
  p.local_dirs = app_dirs;
  p.log_dir = entry.log_dir;
  p.working_dir = entry.work_dir;
  p.user = c.user();
  p.home = options_.home;
  p.inherited_env = options_.inherited_env;
  p.admin_env = options_.admin_env;
  p.user_env = {context.environment().begin(), context.environment().end()};
  p.commands = {context.command().begin(), context.command().end()};

  const std::vector<std::pair<std::string, std::string>> env = ContainerEnvironment(p);
  p.shell_free = ParseShellFreeCommand(ExpandLogDir(absl::StrJoin(p.commands, " "), p.log_dir));
  if (EnvironmentNeedsShell(env)) p.shell_free.reset();

  LaunchSpec spec;
  spec.container_id = cid;
  spec.script_path = entry.work_dir + "/launch_container.sh";
  spec.working_dir = entry.work_dir;
  spec.log_dir = entry.log_dir;
  spec.join_files = p.joined;
  spec.exit_code_file = p.exit_code_file;
  // Direct launch: a shell-free command, a program bash would find, nothing else for bash to do.
  std::map<std::string, std::string> final_env(env.begin(), env.end());  // later wins
  if (!final_env.count("PATH")) final_env["PATH"] = kDefaultPath;
  std::optional<std::string> program;
  if (p.shell_free.has_value() && p.prologue.empty()) {
    program = ResolveProgram(p.shell_free->argv[0], final_env["PATH"], entry.work_dir);
  }
  if (program.has_value()) {
    spec.program = *std::move(program);
    spec.argv = p.shell_free->argv;
    spec.redirects = p.shell_free->redirects;
    for (const auto& [name, value] : final_env) spec.env.push_back(absl::StrCat(name, "=", value));
  } else {
    auto path = options_.inherited_env.find("PATH");
    spec.env = {
        absl::StrCat("PATH=", path != options_.inherited_env.end() ? path->second : kDefaultPath)};
    // The script runs the container: it must be in place first.
    if (absl::Status s = WriteLaunchScript(spec.script_path, p); !s.ok()) {
      c.LaunchFailed(s.message());
      Completed(entry);
      return;
    }
  }
  ContainerId id = c.id();
  absl::StatusOr<int> pid = executor_.Launch(spec, [this, id](int, ProcessExit exit) {
    loop_.Post([this, id, exit] { OnProcessExit(id, exit); });
  });
  if (!pid.ok()) {
    c.LaunchFailed(pid.status().message());
    Completed(entry);
    return;
  }
  entry.pid = *pid;
  c.Launched();
  ++counters_.launched;
  if (entry.started_ms > 0) {
    ++counters_.launch_duration_ops;
    counters_.launch_duration_total_ms +=
        std::max<int64_t>(0, clock_.NowMillis() - entry.started_ms);
  }
  if (spec.argv.empty()) {
    // Launched through the script, already written.
  } else if (absl::Status s = WriteLaunchScript(spec.script_path, p); !s.ok()) {
    // Direct launch: the script is only for people debugging the container.
    fprintf(stderr, "skein nodemanager: %s: %s\n", cid.c_str(), std::string(s.message()).c_str());
  }
  if (options_.hooks != nullptr) options_.hooks->Launched(id, entry.pid, c.resource());
  // New spares once the RPC has answered.
  loop_.Post([this, local = entry.local_root, log = entry.log_root] {
    Spares(local, false).Refill();
    Spares(log, true).Refill();
  });
}

void ContainerManager::OnProcessExit(const ContainerId& id, ProcessExit exit) {
  auto it = containers_.find(id);
  if (it == containers_.end()) return;
  Entry& entry = it->second;
  // The tail only explains a failure (Container::ProcessExited): no file reads on success.
  std::string tail;
  if (ExitStatusOf(exit) != 0 && !entry.container->kill_requested()) {
    tail = FileTail(entry.log_dir + "/stderr", kStderrTailBytes);
    if (tail.empty()) tail = FileTail(entry.log_dir + "/prelaunch.err", kStderrTailBytes);
  }
  std::string why;
  if (options_.hooks != nullptr) why = options_.hooks->ExitDiagnostics(id, entry.pid);
  if (!entry.container->ProcessExited(exit, tail)) return;
  if (!why.empty()) entry.container->PrependDiagnostics(why);
  // The leader is gone; anything it left behind in its group goes too.
  if (executor_.GroupAlive(entry.pid)) TerminateGroup(entry.pid);
  Completed(entry);
}

void ContainerManager::Completed(Entry& entry) {
  entry.container->Finish();
  if (entry.container->kill_requested()) {
    ++counters_.killed;
  } else if (entry.container->exit_status() == 0) {
    ++counters_.completed;
  } else {
    ++counters_.failed;
  }
  if (entry.hooks_prepared) {
    entry.hooks_prepared = false;
    const ContainerId id = entry.container->id();
    if (entry.pid > 0 && executor_.GroupAlive(entry.pid)) {
      // Let the SIGTERM grace run out before cleanup SIGKILLs what is left in the groups.
      loop_.PostDelayed(options_.sigkill_delay + kCleanupRetryDelay,
                        [this, id] { CleanupHooks(id, kCleanupAttempts); });
    } else {
      CleanupHooks(id, kCleanupAttempts);
    }
  }
  if (!finished_apps_.empty()) ReleaseFinishedApps();
  if (on_completed_) on_completed_();
}

void ContainerManager::ReleaseFinishedApps() {
  absl::flat_hash_set<ApplicationId> busy;
  for (const auto& [id, entry] : containers_) {
    if (!entry.container->completed()) busy.insert(id.application_id());
  }
  for (auto it = finished_apps_.begin(); it != finished_apps_.end();) {
    if (busy.contains(*it)) {
      ++it;
      continue;
    }
    localizer_->RemoveApplication(*it);
    finished_apps_.erase(it++);
  }
}

void ContainerManager::CleanupHooks(const ContainerId& id, int attempts_left) {
  absl::Status s = options_.hooks->Cleanup(id);
  if (absl::IsUnavailable(s) && attempts_left > 1) {
    loop_.PostDelayed(options_.sigkill_delay + kCleanupRetryDelay,
                      [this, id, attempts_left] { CleanupHooks(id, attempts_left - 1); });
    return;
  }
  if (!s.ok()) {
    fprintf(stderr, "skein nodemanager: cleaning up %s: %s\n", id.ToString().c_str(),
            std::string(s.message()).c_str());
  }
}

void ContainerManager::TerminateGroup(int pgid) {
  if (absl::Status s = executor_.SignalGroup(pgid, SIGTERM); !s.ok()) {
    fprintf(stderr, "skein nodemanager: %s\n", std::string(s.message()).c_str());
  }
  loop_.PostDelayed(options_.sigkill_delay, [this, pgid] {
    if (executor_.GroupAlive(pgid)) (void)executor_.SignalGroup(pgid, SIGKILL);
  });
}

void ContainerManager::Kill(const ContainerId& id, int exit_status, absl::string_view diagnostics) {
  auto it = containers_.find(id);
  if (it == containers_.end()) return;
  Entry& entry = it->second;
  const bool was_completed = entry.container->completed();
  if (entry.container->Kill(exit_status, diagnostics)) {
    TerminateGroup(entry.pid);
  } else if (!was_completed && entry.container->completed()) {
    Completed(entry);
  }
}

proto::StopContainersResponse ContainerManager::StopContainers(
    const proto::StopContainersRequest& request) {
  proto::StopContainersResponse response;
  for (const proto::ContainerIdProto& p : request.container_id()) {
    ContainerId id = ContainerId::FromProto(p);
    if (!containers_.contains(id)) {
      *response.add_failed_requests() = Failure(id, NotHandled(id));
      continue;
    }
    Kill(id, proto::KILLED_BY_APPMASTER, kKilledByAppMaster);
    *response.add_succeeded_requests() = p;
  }
  return response;
}

proto::GetContainerStatusesResponse ContainerManager::GetContainerStatuses(
    const proto::GetContainerStatusesRequest& request) {
  proto::GetContainerStatusesResponse response;
  for (const proto::ContainerIdProto& p : request.container_id()) {
    ContainerId id = ContainerId::FromProto(p);
    auto it = containers_.find(id);
    if (it == containers_.end()) {
      *response.add_failed_requests() = Failure(id, NotHandled(id));
    } else {
      *response.add_status() = it->second.container->ToStatus();
    }
  }
  return response;
}

std::vector<proto::ContainerStatusProto> ContainerManager::AllStatuses() const {
  std::vector<proto::ContainerStatusProto> out;
  out.reserve(containers_.size());
  for (const auto& [id, entry] : containers_) out.push_back(entry.container->ToStatus());
  return out;
}

void ContainerManager::ApplyHeartbeatResponse(const proto::NodeHeartbeatResponse& response) {
  if (response.has_container_token_master_key()) {
    SetMasterKey(response.container_token_master_key());
  }
  for (const proto::ContainerIdProto& p : response.containers_to_be_removed_from_nm()) {
    ContainerId id = ContainerId::FromProto(p);
    auto it = containers_.find(id);
    if (it != containers_.end() && it->second.container->completed()) {
      containers_.erase(it);
      forgotten_.insert(id);
    }
  }
  for (const proto::ContainerIdProto& p : response.containers_to_cleanup()) {
    Kill(ContainerId::FromProto(p), proto::KILLED_BY_RESOURCEMANAGER, kKilledByResourceManager);
  }
  for (const proto::SignalContainerRequest& s : response.containers_to_signal()) {
    auto it = containers_.find(ContainerId::FromProto(s.container_id()));
    if (it == containers_.end() || !it->second.container->process_running()) continue;
    int sig = s.command() == proto::GRACEFUL_SHUTDOWN   ? SIGTERM
              : s.command() == proto::FORCEFUL_SHUTDOWN ? SIGKILL
                                                        : SIGQUIT;
    if (absl::Status st = executor_.SignalGroup(it->second.pid, sig); !st.ok()) {
      fprintf(stderr, "skein nodemanager: %s\n", std::string(st.message()).c_str());
    }
  }
  for (const proto::ApplicationIdProto& p : response.applications_to_cleanup()) {
    ApplicationId app = ApplicationId::FromProto(p);
    std::vector<ContainerId> victims;
    for (const auto& [id, entry] : containers_) {
      if (id.application_id() == app && !entry.container->completed()) victims.push_back(id);
    }
    for (const ContainerId& id : victims) {
      Kill(id, proto::KILLED_AFTER_APP_COMPLETION, kKilledAfterAppCompletion);
    }
    finished_apps_.insert(app);
  }
  ReleaseFinishedApps();
}

void ContainerManager::TerminateAll() {
  for (auto& [id, entry] : containers_) {
    if (entry.container->process_running()) TerminateGroup(entry.pid);
  }
}

void ContainerManager::AdoptRunning(const ContainerId& id, const std::string& user,
                                    const Resource& resource, int pid, const std::string& work_dir,
                                    const std::string& log_dir) {
  if (containers_.contains(id)) return;
  Entry& entry = containers_[id];
  entry.container = std::make_unique<Container>(id, user, resource);
  entry.pid = pid;
  entry.work_dir = work_dir;
  entry.log_dir = log_dir;
  entry.container->StartLocalizing();
  entry.container->Localized();
  entry.container->Launched();
}

ContainerManager::ContainerView ContainerManager::ViewOf(const ContainerId& id,
                                                         const Entry& entry) {
  const Container& c = *entry.container;
  return ContainerView{id,        c.user(),      c.resource(),       entry.log_dir, entry.work_dir,
                       entry.pid, c.completed(), c.process_running()};
}

std::vector<ContainerManager::ContainerView> ContainerManager::Views() const {
  std::vector<ContainerView> out;
  out.reserve(containers_.size());
  for (const auto& [id, entry] : containers_) out.push_back(ViewOf(id, entry));
  return out;
}

std::optional<ContainerManager::ContainerView> ContainerManager::View(const ContainerId& id) const {
  auto it = containers_.find(id);
  if (it == containers_.end()) return std::nullopt;
  return ViewOf(id, it->second);
}

int ContainerManager::NumProcessesRunning() const {
  int n = 0;
  for (const auto& [id, entry] : containers_) n += entry.container->process_running() ? 1 : 0;
  return n;
}

}  // namespace skein::nm
