#include "nodemanager/container/container.h"

#include "absl/strings/str_cat.h"

namespace skein::nm {

absl::string_view NmContainerStateName(NmContainerState s) {
  switch (s) {
    case NmContainerState::kNew:
      return "NEW";
    case NmContainerState::kLocalizing:
      return "LOCALIZING";
    case NmContainerState::kLocalized:
      return "LOCALIZED";
    case NmContainerState::kRunning:
      return "RUNNING";
    case NmContainerState::kExitedWithSuccess:
      return "EXITED_WITH_SUCCESS";
    case NmContainerState::kExitedWithFailure:
      return "EXITED_WITH_FAILURE";
    case NmContainerState::kKilling:
      return "KILLING";
    case NmContainerState::kCleanedUpAfterKill:
      return "CONTAINER_CLEANEDUP_AFTER_KILL";
    case NmContainerState::kDone:
      return "DONE";
    case NmContainerState::kLocalizationFailed:
      return "LOCALIZATION_FAILED";
  }
  return "UNKNOWN";
}

int ExitStatusOf(const ProcessExit& e) { return e.signaled ? 128 + e.code : e.code; }

bool Container::completed() const {
  switch (state_) {
    case NmContainerState::kExitedWithSuccess:
    case NmContainerState::kExitedWithFailure:
    case NmContainerState::kCleanedUpAfterKill:
    case NmContainerState::kDone:
    case NmContainerState::kLocalizationFailed:
      return true;
    default:
      return false;
  }
}

bool Container::StartLocalizing() {
  if (state_ != NmContainerState::kNew) return false;
  state_ = NmContainerState::kLocalizing;
  return true;
}

bool Container::Localized() {
  if (state_ != NmContainerState::kLocalizing) return false;
  state_ = NmContainerState::kLocalized;
  return true;
}

bool Container::LocalizationFailed(absl::string_view why) {
  if (state_ != NmContainerState::kLocalizing) return false;
  state_ = NmContainerState::kLocalizationFailed;
  exit_status_ = proto::INVALID;
  diagnostics_ = absl::StrCat("LOCALIZATION_FAILED: ", why);
  return true;
}

bool Container::Launched() {
  if (state_ != NmContainerState::kLocalized) return false;
  state_ = NmContainerState::kRunning;
  return true;
}

bool Container::LaunchFailed(absl::string_view why) {
  if (state_ != NmContainerState::kLocalized) return false;
  state_ = NmContainerState::kExitedWithFailure;
  exit_status_ = kLaunchFailedExitStatus;
  diagnostics_ = absl::StrCat("Exception from container-launch.\nContainer id: ", id_.ToString(),
                              "\n", why, "\n");
  return true;
}

bool Container::Kill(int exit_status, absl::string_view diagnostics) {
  if (completed() || kill_requested_) return false;
  kill_requested_ = true;
  kill_exit_status_ = exit_status;
  kill_diagnostics_ = std::string(diagnostics);
  if (state_ == NmContainerState::kRunning) {
    state_ = NmContainerState::kKilling;
    return true;
  }
  // Never ran: nothing to signal.
  state_ = NmContainerState::kDone;
  exit_status_ = exit_status;
  diagnostics_ = absl::StrCat(diagnostics, "\nContainer killed before it was launched.");
  return false;
}

bool Container::ProcessExited(const ProcessExit& exit, absl::string_view stderr_tail) {
  if (!process_running()) return false;
  const int code = ExitStatusOf(exit);
  if (kill_requested_) {
    state_ = NmContainerState::kCleanedUpAfterKill;
    exit_status_ = kill_exit_status_;
    diagnostics_ =
        absl::StrCat(kill_diagnostics_, "\nContainer killed on request. Exit code is ", code);
    return true;
  }
  exit_status_ = code;
  if (code == 0) {
    state_ = NmContainerState::kExitedWithSuccess;
    return true;
  }
  state_ = NmContainerState::kExitedWithFailure;
  diagnostics_ =
      absl::StrCat("Exception from container-launch.\nContainer id: ", id_.ToString(),
                   "\nExit code: ", code, "\n", "Container exited with a non-zero exit code ", code,
                   ". Last 4096 bytes of stderr :\n", stderr_tail);
  return true;
}

void Container::PrependDiagnostics(absl::string_view text) {
  diagnostics_ = absl::StrCat(text, "\n", diagnostics_);
}

bool Container::Finish() {
  if (!completed() || state_ == NmContainerState::kDone) return false;
  state_ = NmContainerState::kDone;
  return true;
}

proto::ContainerStatusProto Container::ToStatus() const {
  proto::ContainerStatusProto s;
  *s.mutable_container_id() = id_.ToProto();
  switch (state_) {
    case NmContainerState::kNew:
    case NmContainerState::kLocalizing:
    case NmContainerState::kLocalized:
      s.set_state(proto::C_NEW);
      break;
    case NmContainerState::kRunning:
    case NmContainerState::kKilling:
      s.set_state(proto::C_RUNNING);
      break;
    default:
      s.set_state(proto::C_COMPLETE);
  }
  s.set_exit_status(completed() ? exit_status_ : static_cast<int>(proto::INVALID));
  s.set_diagnostics(diagnostics_);
  *s.mutable_capability() = resource_.ToProto();
  s.set_nm_state(std::string(NmContainerStateName(state_)));
  return s;
}

}  // namespace skein::nm
