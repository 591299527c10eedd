// Strong id types with Hadoop's text forms:
//   application_<clusterTimestamp>_<NNNN>
//   appattempt_<clusterTimestamp>_<NNNN>_<NNNNNN>
//   container_<clusterTimestamp>_<NNNN>_<NN>_<NNNNNN>, container_e<epoch>_... when epoch != 0
//   node ids as host:port
// Parse(ToString(x)) == x for every id. Plain values; any thread.
#ifndef SKEIN_COMMON_IDS_H_
#define SKEIN_COMMON_IDS_H_

#include <cstdint>
#include <string>
#include <tuple>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "protos/records.pb.h"

namespace skein {

class ApplicationId {
 public:
  ApplicationId() = default;
  ApplicationId(int64_t cluster_timestamp, int32_t id)
      : cluster_timestamp_(cluster_timestamp), id_(id) {}

  int64_t cluster_timestamp() const { return cluster_timestamp_; }
  int32_t id() const { return id_; }
  bool valid() const { return cluster_timestamp_ > 0 && id_ > 0; }

  std::string ToString() const;
  static absl::StatusOr<ApplicationId> Parse(absl::string_view text);
  proto::ApplicationIdProto ToProto() const;
  static ApplicationId FromProto(const proto::ApplicationIdProto& p);

  friend bool operator==(const ApplicationId& a, const ApplicationId& b) {
    return a.key() == b.key();
  }
  friend bool operator!=(const ApplicationId& a, const ApplicationId& b) { return !(a == b); }
  friend bool operator<(const ApplicationId& a, const ApplicationId& b) {
    return a.key() < b.key();
  }
  template <typename H>
  friend H AbslHashValue(H h, const ApplicationId& a) {
    return H::combine(std::move(h), a.cluster_timestamp_, a.id_);
  }

 private:
  std::tuple<int64_t, int32_t> key() const { return {cluster_timestamp_, id_}; }
  int64_t cluster_timestamp_ = 0;
  int32_t id_ = 0;
};

class ApplicationAttemptId {
 public:
  ApplicationAttemptId() = default;
  ApplicationAttemptId(ApplicationId app, int32_t attempt) : app_(app), attempt_(attempt) {}

  const ApplicationId& application_id() const { return app_; }
  int32_t attempt_id() const { return attempt_; }

  std::string ToString() const;
  static absl::StatusOr<ApplicationAttemptId> Parse(absl::string_view text);
  proto::ApplicationAttemptIdProto ToProto() const;
  static ApplicationAttemptId FromProto(const proto::ApplicationAttemptIdProto& p);

  friend bool operator==(const ApplicationAttemptId& a, const ApplicationAttemptId& b) {
    return a.app_ == b.app_ && a.attempt_ == b.attempt_;
  }
  friend bool operator!=(const ApplicationAttemptId& a, const ApplicationAttemptId& b) {
    return !(a == b);
  }
  friend bool operator<(const ApplicationAttemptId& a, const ApplicationAttemptId& b) {
    if (a.app_ != b.app_) return a.app_ < b.app_;
    return a.attempt_ < b.attempt_;
  }
  template <typename H>
  friend H AbslHashValue(H h, const ApplicationAttemptId& a) {
    return H::combine(std::move(h), a.app_, a.attempt_);
  }

 private:
  ApplicationId app_;
  int32_t attempt_ = 0;
};

class ContainerId {
 public:
  static constexpr int64_t kSequenceMask = (int64_t{1} << 40) - 1;

  ContainerId() = default;
  // `id` packs the RM epoch in bits 40..63 and the sequence number in bits 0..39, as YARN.
  ContainerId(ApplicationAttemptId attempt, int64_t id) : attempt_(attempt), id_(id) {}
  static ContainerId Make(ApplicationAttemptId attempt, int64_t epoch, int64_t sequence) {
    return ContainerId(attempt, (epoch << 40) | (sequence & kSequenceMask));
  }

  const ApplicationAttemptId& application_attempt_id() const { return attempt_; }
  const ApplicationId& application_id() const { return attempt_.application_id(); }
  int64_t id() const { return id_; }
  int64_t epoch() const { return id_ >> 40; }
  int64_t sequence() const { return id_ & kSequenceMask; }

  std::string ToString() const;
  static absl::StatusOr<ContainerId> Parse(absl::string_view text);
  proto::ContainerIdProto ToProto() const;
  static ContainerId FromProto(const proto::ContainerIdProto& p);

  friend bool operator==(const ContainerId& a, const ContainerId& b) {
    return a.attempt_ == b.attempt_ && a.id_ == b.id_;
  }
  friend bool operator!=(const ContainerId& a, const ContainerId& b) { return !(a == b); }
  friend bool operator<(const ContainerId& a, const ContainerId& b) {
    if (a.attempt_ != b.attempt_) return a.attempt_ < b.attempt_;
    return a.id_ < b.id_;
  }
  template <typename H>
  friend H AbslHashValue(H h, const ContainerId& c) {
    return H::combine(std::move(h), c.attempt_, c.id_);
  }

 private:
  ApplicationAttemptId attempt_;
  int64_t id_ = 0;
};

class NodeId {
 public:
  NodeId() = default;
  NodeId(std::string host, int32_t port) : host_(std::move(host)), port_(port) {}

  const std::string& host() const { return host_; }
  int32_t port() const { return port_; }

  std::string ToString() const;  // host:port
  static absl::StatusOr<NodeId> Parse(absl::string_view text);
  proto::NodeIdProto ToProto() const;
  static NodeId FromProto(const proto::NodeIdProto& p);

  friend bool operator==(const NodeId& a, const NodeId& b) {
    return a.port_ == b.port_ && a.host_ == b.host_;
  }
  friend bool operator!=(const NodeId& a, const NodeId& b) { return !(a == b); }
  friend bool operator<(const NodeId& a, const NodeId& b) {
    if (a.host_ != b.host_) return a.host_ < b.host_;
    return a.port_ < b.port_;
  }
  template <typename H>
  friend H AbslHashValue(H h, const NodeId& n) {
    return H::combine(std::move(h), n.host_, n.port_);
  }

 private:
  std::string host_;
  int32_t port_ = 0;
};

}  // namespace skein

#endif  // SKEIN_COMMON_IDS_H_
