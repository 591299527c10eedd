#include "common/ids.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace skein {
namespace {

absl::Status Malformed(absl::string_view kind, absl::string_view text, absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("Invalid ", kind, " '", text, "': expected ", expected));
}

// Parses a decimal field that must be non-negative and fit the target type.
template <typename T>
bool ParseField(absl::string_view s, T* out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(s, out) && *out >= 0;
}

}  // namespace

std::string ApplicationId::ToString() const {
  return absl::StrFormat("application_%d_%04d", cluster_timestamp_, id_);
}

absl::StatusOr<ApplicationId> ApplicationId::Parse(absl::string_view text) {
  constexpr absl::string_view kExpected = "application_<clusterTimestamp>_<sequence>";
  std::vector<absl::string_view> parts = absl::StrSplit(text, '_');
  int64_t ts;
  int32_t id;
  if (parts.size() != 3 || parts[0] != "application" || !ParseField(parts[1], &ts) ||
      !ParseField(parts[2], &id)) {
    return Malformed("ApplicationId", text, kExpected);
  }
  return ApplicationId(ts, id);
}

proto::ApplicationIdProto ApplicationId::ToProto() const {
  proto::ApplicationIdProto p;
  p.set_cluster_timestamp(cluster_timestamp_);
  p.set_id(id_);
  return p;
}

ApplicationId ApplicationId::FromProto(const proto::ApplicationIdProto& p) {
  return ApplicationId(p.cluster_timestamp(), p.id());
}

std::string ApplicationAttemptId::ToString() const {
  return absl::StrFormat("appattempt_%d_%04d_%06d", app_.cluster_timestamp(), app_.id(), attempt_);
}

absl::StatusOr<ApplicationAttemptId> ApplicationAttemptId::Parse(absl::string_view text) {
  constexpr absl::string_view kExpected = "appattempt_<clusterTimestamp>_<sequence>_<attempt>";
  std::vector<absl::string_view> parts = absl::StrSplit(text, '_');
  int64_t ts;
  int32_t id, attempt;
  if (parts.size() != 4 || parts[0] != "appattempt" || !ParseField(parts[1], &ts) ||
      !ParseField(parts[2], &id) || !ParseField(parts[3], &attempt)) {
    return Malformed("ApplicationAttemptId", text, kExpected);
  }
  return ApplicationAttemptId(ApplicationId(ts, id), attempt);
}

proto::ApplicationAttemptIdProto ApplicationAttemptId::ToProto() const {
  proto::ApplicationAttemptIdProto p;
  *p.mutable_application_id() = app_.ToProto();
  p.set_attempt_id(attempt_);
  return p;
}

ApplicationAttemptId ApplicationAttemptId::FromProto(const proto::ApplicationAttemptIdProto& p) {
  return ApplicationAttemptId(ApplicationId::FromProto(p.application_id()), p.attempt_id());
}

std::string ContainerId::ToString() const {
  const ApplicationId& app = attempt_.application_id();
  std::string epoch_part = epoch() != 0 ? absl::StrFormat("e%02d_", epoch()) : "";
  return absl::StrFormat("container_%s%d_%04d_%02d_%06d", epoch_part, app.cluster_timestamp(),
                         app.id(), attempt_.attempt_id(), sequence());
}

absl::StatusOr<ContainerId> ContainerId::Parse(absl::string_view text) {
  constexpr absl::string_view kExpected =
      "container_[e<epoch>_]<clusterTimestamp>_<sequence>_<attempt>_<container>";
  std::vector<absl::string_view> parts = absl::StrSplit(text, '_');
  if (parts.empty() || parts[0] != "container") return Malformed("ContainerId", text, kExpected);
  int64_t epoch = 0;
  size_t i = 1;
  if (parts.size() == 6) {
    if (parts[1].size() < 2 || parts[1][0] != 'e' || !ParseField(parts[1].substr(1), &epoch)) {
      return Malformed("ContainerId", text, kExpected);
    }
    i = 2;
  } else if (parts.size() != 5) {
    return Malformed("ContainerId", text, kExpected);
  }
  int64_t ts, seq;
  int32_t app, attempt;
  if (!ParseField(parts[i], &ts) || !ParseField(parts[i + 1], &app) ||
      !ParseField(parts[i + 2], &attempt) || !ParseField(parts[i + 3], &seq) ||
      seq > kSequenceMask || epoch >= (int64_t{1} << 23)) {
    return Malformed("ContainerId", text, kExpected);
  }
  return ContainerId::Make(ApplicationAttemptId(ApplicationId(ts, app), attempt), epoch, seq);
}

proto::ContainerIdProto ContainerId::ToProto() const {
  proto::ContainerIdProto p;
  *p.mutable_app_id() = attempt_.application_id().ToProto();  // Hadoop's deprecated field 1
  *p.mutable_app_attempt_id() = attempt_.ToProto();
  p.set_id(id_);
  return p;
}

ContainerId ContainerId::FromProto(const proto::ContainerIdProto& p) {
  return ContainerId(ApplicationAttemptId::FromProto(p.app_attempt_id()), p.id());
}

std::string NodeId::ToString() const { return absl::StrCat(host_, ":", port_); }

absl::StatusOr<NodeId> NodeId::Parse(absl::string_view text) {
  size_t colon = text.rfind(':');
  int32_t port;
  if (colon == absl::string_view::npos || colon == 0 ||
      !ParseField(text.substr(colon + 1), &port) || port > 65535) {
    return Malformed("NodeId", text, "<host>:<port>");
  }
  return NodeId(std::string(text.substr(0, colon)), port);
}

proto::NodeIdProto NodeId::ToProto() const {
  proto::NodeIdProto p;
  p.set_host(host_);
  p.set_port(port_);
  return p;
}

NodeId NodeId::FromProto(const proto::NodeIdProto& p) { return NodeId(p.host(), p.port()); }

}  // namespace skein
