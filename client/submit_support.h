// What the commands that submit an ApplicationMaster (`yarn distributedshell`, `yarn submit`)
// share: finding the AM binaries beside `yarn`, and following the application report until the
// application ends. Called from the command's own thread.
#ifndef SKEIN_CLIENT_SUBMIT_SUPPORT_H_
#define SKEIN_CLIENT_SUBMIT_SUPPORT_H_

#include <chrono>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/rm_client.h"
#include "common/ids.h"
#include "protos/records.pb.h"

namespace skein::cli {

// `name` next to the running `yarn` binary (build/bin), or in ../bin (tests run from
// build/tests); $<env_override> wins. NOT_FOUND names the path that was expected.
absl::StatusOr<std::string> FindSiblingBinary(const std::string& name, const char* env_override);

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
