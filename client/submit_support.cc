#include "client/submit_support.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/cli_format.h"

namespace skein::cli {

absl::StatusOr<std::string> FindSiblingBinary(const std::string& name, const char* env_override) {
  if (const char* env = std::getenv(env_override); env != nullptr && *env != '\0') {
    if (access(env, X_OK) == 0) return std::string(env);
    return absl::NotFoundError(
        absl::StrCat(env_override, "='", env, "' is not an executable file"));
  }
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return absl::InternalError("cannot resolve /proc/self/exe: " + ec.message());
  std::vector<std::filesystem::path> candidates = {self.parent_path() / name,
                                                   self.parent_path() / ".." / "bin" / name};
  for (const auto& c : candidates) {
    if (access(c.c_str(), X_OK) == 0) return std::filesystem::weakly_canonical(c).string();
  }
  return absl::NotFoundError(
      absl::StrCat("cannot find ", name, ": ", candidates[0].string(), " does not exist"));
}

absl::StatusOr<RmConnection> ConnectForSubmission(const conf::Configuration& conf) {
  auto poll = conf.GetInt("yarn.client.application-client-protocol.poll-interval-ms", 200);
  if (!poll.ok()) return poll.status();
  auto rm = RMClient::Create(conf);
  if (!rm.ok()) return rm.status();
  return RmConnection{*std::move(rm), std::chrono::milliseconds(*poll)};
}

proto::ApplicationSubmissionContextProto NewSubmission(
    const proto::GetNewApplicationResponse& app, const std::string& name, const std::string& queue,
    const std::string& type, const std::string& am_binary, const std::string& stdout_file,
    const std::string& stderr_file) {
  proto::ApplicationSubmissionContextProto sub;
  *sub.mutable_application_id() = app.application_id();
  sub.set_application_name(name);
  sub.set_queue(queue);
  sub.set_applicationtype(type);
  sub.mutable_priority()->set_priority(0);
  auto* am = sub.mutable_am_container_spec();
  am->add_command(am_binary);
  am->add_command(absl::StrCat("1><LOG_DIR>/", stdout_file));
  am->add_command(absl::StrCat("2><LOG_DIR>/", stderr_file));
  return sub;
}

FollowResult FollowApplication(RMClient& rm, const ApplicationId& app, const FollowOptions& o,
                               std::ostream& out) {
  using Clock = std::chrono::steady_clock;
  constexpr auto kStep = std::chrono::milliseconds(20);
  const proto::ApplicationIdProto id = app.ToProto();
  const auto interval = std::max(o.interval, std::chrono::milliseconds(10));
  FollowResult result;
  proto::YarnApplicationState last = proto::APP_STATE_UNSPECIFIED;
  auto last_print = Clock::now();
  while (true) {
    if (o.interrupted) {
      if (int sig = o.interrupted(); sig != 0) {
        result.end = FollowEnd::kInterrupted;
        result.signal = sig;
        return result;
      }
    }
    absl::StatusOr<proto::ApplicationReportProto> r = rm.GetApplicationReport(id);
    if (!r.ok()) {
      result.end = FollowEnd::kError;
      result.error = r.status();
      return result;
    }
    result.report = *std::move(r);
    const auto now = Clock::now();
    const proto::YarnApplicationState state = result.report.yarn_application_state();
    if (state != last || (o.reprint.count() > 0 && now - last_print >= o.reprint)) {
      last = state;
      last_print = now;
      out << "Application report for " << app.ToString() << " (state: " << AppStateName(state)
          << ")" << std::endl;
    }
    if (o.on_report) o.on_report(result.report);
    if (state == proto::FINISHED || state == proto::FAILED || state == proto::KILLED) {
      result.end = FollowEnd::kEnded;
      return result;
    }
    if (o.deadline.has_value() && now >= *o.deadline) {
      result.end = FollowEnd::kTimedOut;
      return result;
    }
    const auto wake = now + interval;
    while (Clock::now() < wake) {
      if (o.interrupted && o.interrupted() != 0) break;
      std::this_thread::sleep_for(std::min<Clock::duration>(kStep, wake - Clock::now()));
    }
  }
}

}  // namespace skein::cli
