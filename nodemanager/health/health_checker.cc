#include "nodemanager/health/health_checker.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

extern char** environ;

namespace skein::nm {
namespace {

constexpr char kScriptKey[] = "yarn.nodemanager.health-checker.script.path";
constexpr char kOptsKey[] = "yarn.nodemanager.health-checker.script.opts";
constexpr char kIntervalKey[] = "yarn.nodemanager.health-checker.interval-ms";
constexpr char kTimeoutKey[] = "yarn.nodemanager.health-checker.script.timeout-ms";

constexpr char kTimedOut[] = "Node health script timed out";

}  // namespace

absl::StatusOr<HealthCheckerOptions> ParseHealthCheckerOptions(const conf::Configuration& conf) {
  HealthCheckerOptions o;
  o.script = conf.Get(kScriptKey, "");
  o.args = absl::StrSplit(conf.Get(kOptsKey, ""), ' ', absl::SkipWhitespace());
  for (auto [key, out] : {std::pair<const char*, absl::Duration*>{kIntervalKey, &o.interval},
                          {kTimeoutKey, &o.timeout}}) {
    absl::StatusOr<int64_t> ms = conf.GetInt(key, key == kIntervalKey ? 600000 : 1200000);
    if (!ms.ok()) return ms.status();
    if (*ms <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, "=", *ms, " must be a positive number of milliseconds"));
    }
    *out = absl::Milliseconds(*ms);
  }
  if (!o.script.empty() && access(o.script.c_str(), X_OK) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(kScriptKey, "='", o.script, "' is not an executable file"));
  }
  return o;
}

HealthResult RunHealthScript(const HealthCheckerOptions& options, const std::atomic<bool>* cancel) {
  HealthResult result;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return result;  // cannot run it: do not blame the node
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  std::vector<char*> argv = {const_cast<char*>(options.script.c_str())};
  for (const std::string& a : options.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, options.script.c_str(), &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return result;
  }
  std::string output;
  const auto deadline =
      std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(options.timeout);
  bool timed_out = false;
  bool cancelled = false;
  while (true) {
    if (cancel != nullptr && cancel->load()) {
      cancelled = true;
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 100)));
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    char buf[4096];
    ssize_t r = read(fds[0], buf, sizeof(buf));
    if (r <= 0) break;  // EOF: the script (and anything holding its output) is done
    if (output.size() < 65536) output.append(buf, static_cast<size_t>(r));
  }
  close(fds[0]);
  if (timed_out || cancelled) kill(-pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  if (cancelled) return result;
  if (timed_out) {
    result.healthy = false;
    result.report = kTimedOut;
    return result;
  }
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (absl::StartsWith(line, "ERROR")) {
      result.healthy = false;
      result.report = std::string(absl::StripTrailingAsciiWhitespace(output));
      break;
    }
  }
  return result;
}

HealthChecker::HealthChecker(HealthCheckerOptions options, Clock& clock)
    : options_(std::move(options)), clock_(clock) {
  status_.set_is_node_healthy(true);
  status_.set_last_health_report_time(clock_.NowMillis());
}

HealthChecker::~HealthChecker() { Stop(); }

void HealthChecker::Start() {
  if (options_.script.empty()) return;
  thread_ = std::thread([this] {
    while (true) {
      HealthResult r = RunHealthScript(options_, &cancel_);
      skein::MutexLock lock(&mu_);
      status_.set_is_node_healthy(r.healthy);
      status_.set_health_report(r.report);
      status_.set_last_health_report_time(clock_.NowMillis());
      mu_.AwaitWithTimeout([this] { return stopping_; }, options_.interval);
      if (stopping_) return;
    }
  });
}

void HealthChecker::Stop() {
  {
    skein::MutexLock lock(&mu_);
    stopping_ = true;
  }
  cancel_ = true;
  if (thread_.joinable()) thread_.join();
}

proto::NodeHealthStatusProto HealthChecker::status() const {
  skein::MutexLock lock(&mu_);
  return status_;
}

}  // namespace skein::nm
