// What the commands that submit an ApplicationMaster (`yarn distributedshell`, `yarn submit`)
// share: finding the AM binaries beside `yarn`, connecting to the RM, the submission context's
// common part, and following the application report until the application ends. Called from the
// command's own thread.
#ifndef SKEIN_CLIENT_SUBMIT_SUPPORT_H_
#define SKEIN_CLIENT_SUBMIT_SUPPORT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/rm_client.h"
#include "common/conf/configuration.h"
#include "common/ids.h"
#include "protos/records.pb.h"

namespace skein::cli {

// `name` next to the running `yarn` binary (build/bin), or in ../bin (tests run from
// build/tests); $<env_override> wins. NOT_FOUND names the path that was expected.
absl::StatusOr<std::string> FindSiblingBinary(const std::string& name, const char* env_override);

// What a submitting command needs from its configuration: a client of the RM and the report
// poll interval (yarn.client.application-client-protocol.poll-interval-ms). An error is the
// configuration's or the RM client's, as they word it.
struct RmConnection {
  std::unique_ptr<RMClient> rm;
  std::chrono::milliseconds poll{200};
};
absl::StatusOr<RmConnection> ConnectForSubmission(const conf::Configuration& conf);

// The submission context of the new application `app`: name, queue, application type, priority
// 0, and an AM container that runs `am_binary` with its stdout and stderr in
// <LOG_DIR>/`stdout_file` and <LOG_DIR>/`stderr_file`. The caller adds the AM's resource,
// environment and local resources.
proto::ApplicationSubmissionContextProto NewSubmission(
    const proto::GetNewApplicationResponse& app, const std::string& name, const std::string& queue,
    const std::string& type, const std::string& am_binary, const std::string& stdout_file,
    const std::string& stderr_file);

struct FollowOptions {
  std::chrono::milliseconds interval{200};  // between reports
  // Also print the report line every `reprint` while the state stays the same (0: only on a
  // change of state).
  std::chrono::milliseconds reprint{0};
  // Give up at this time (kTimedOut).
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // Polled every few milliseconds while waiting: a non-zero value (a signal number) ends the
  // follow with kInterrupted.
  std::function<int()> interrupted;
  // Called with every report fetched (e.g. to print a client-mode driver's result).
  std::function<void(const proto::ApplicationReportProto&)> on_report;
};

enum class FollowEnd { kEnded, kTimedOut, kInterrupted, kError };

struct FollowResult {
  FollowEnd end = FollowEnd::kError;
  proto::ApplicationReportProto report;  // the last one fetched
  absl::Status error;                    // kError: why the RM could not be asked
  int signal = 0;                        // kInterrupted: what interrupted() returned
};

// Polls the RM for `app`'s report and prints "Application report for <id> (state: <STATE>)"
// (Hadoop's wording) on `out` whenever the state changes, until the application is FINISHED,
// FAILED or KILLED (kEnded), or the deadline, an interruption or an RPC error ends the wait.
FollowResult FollowApplication(RMClient& rm, const ApplicationId& app, const FollowOptions& o,
                               std::ostream& out);

}  // namespace skein::cli

#endif  // SKEIN_CLIENT_SUBMIT_SUPPORT_H_
