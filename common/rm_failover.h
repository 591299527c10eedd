// Finding the active ResourceManager among the configured ones: the one helper the yarn command,
// the AM library and the NodeManager share (Hadoop's ConfiguredRMFailoverProxyProvider with
// RetryPolicies.failoverOnNetworkException).
//
// With yarn.resourcemanager.ha.enabled the RMs are yarn.resourcemanager.ha.rm-ids, in that order;
// each one's address for a protocol is `<address key>.<rm-id>`, else
// `${yarn.resourcemanager.hostname.<rm-id>}:<default port>`. Without HA there is one RM: the
// plain `<address key>`.
//
// A call that comes back UNAVAILABLE (the RM is standby — "ResourceManager rm2 is not Active!" —
// or cannot be reached) or CANCELLED (the RM's server shut down under it, as it does on every
// transition) is tried on the next RM at once; after every RM failed once in a row the
// caller sleeps before the next round: sleep_base × 2^(round−1), capped at sleep_max. After
// max_failovers moves it gives up with UNAVAILABLE naming every address tried. Any other status
// (OK, NOT_FOUND, ...) is the answer of an active RM and is returned as is.
//
// Thread rules: RmFailover may be used from several threads at once (the index of the current RM
// is atomic); the RM list is immutable.
#ifndef SKEIN_COMMON_RM_FAILOVER_H_
#define SKEIN_COMMON_RM_FAILOVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/conf/configuration.h"
#include "grpcpp/grpcpp.h"

namespace skein {

inline constexpr char kHaEnabledKey[] = "yarn.resourcemanager.ha.enabled";
inline constexpr char kHaRmIdsKey[] = "yarn.resourcemanager.ha.rm-ids";

struct RmEndpoint {
  std::string rm_id;    // "" without HA
  std::string address;  // connectable host:port (0.0.0.0 → 127.0.0.1)
  std::string key;      // the configuration key it came from, for messages
};

// yarn.resourcemanager.ha.rm-ids split on commas, trimmed; empty without HA.
std::vector<std::string> ConfiguredRmIds(const conf::Configuration& conf);
bool HaEnabled(const conf::Configuration& conf);

// The address of RM `rm_id` for `address_key` (see above), not yet made connectable.
// INVALID_ARGUMENT naming both keys when neither is set.
absl::StatusOr<std::string> RmAddressFor(const conf::Configuration& conf,
                                         absl::string_view address_key, absl::string_view rm_id,
                                         int default_port);

// The RMs to try for `address_key` (e.g. "yarn.resourcemanager.address", default port 8032).
// Errors (INVALID_ARGUMENT): HA enabled with no rm-ids, an rm-id without an address, a malformed
// address; each names the key.
absl::StatusOr<std::vector<RmEndpoint>> ConfiguredRms(const conf::Configuration& conf,
                                                      absl::string_view address_key,
                                                      int default_port);

struct FailoverPolicy {
  int max_failovers = 30;
  absl::Duration sleep_base = absl::Seconds(30);
  absl::Duration sleep_max = absl::Seconds(30);

  // Hadoop's semantics: yarn.client.failover-sleep-base-ms and -max-ms default to
  // yarn.resourcemanager.connect.retry-interval.ms; yarn.client.failover-max-attempts defaults to
  // connect.max-wait.ms / sleep base (-1 max-wait: retry for ever). Errors name the key.
  static absl::StatusOr<FailoverPolicy> FromConfiguration(const conf::Configuration& conf);
  // The sleep before round `round` (1 = after the first full round of failures).
  absl::Duration SleepBeforeRound(int round) const;
};

class RmFailover {
 public:
  RmFailover(std::vector<RmEndpoint> rms, FailoverPolicy policy);

  size_t size() const { return rms_.size(); }
  const RmEndpoint& rm(size_t i) const { return rms_[i]; }
  size_t current_index() const { return current_.load(); }
  const RmEndpoint& current() const { return rms_[current_.load()]; }
  // One channel per RM, made once (MakeChannel).
  const std::shared_ptr<grpc::Channel>& channel(size_t i) const { return channels_[i]; }
  bool ha() const { return rms_.size() > 1; }

  // Runs `call(i)` against RM i = current, failing over as described above.
  grpc::Status Call(const std::function<grpc::Status(size_t rm_index)>& call);

  // For callers with their own retry loop (the NodeManager's heartbeat): moves to the next RM.
  void FailOver();
  // UNAVAILABLE or CANCELLED.
  static bool ShouldFailOver(const grpc::Status& s);

  // Tests: replaces the sleep between rounds.
  void set_sleep_for_testing(std::function<void(absl::Duration)> sleep) {
    sleep_ = std::move(sleep);
  }

 private:
  std::vector<RmEndpoint> rms_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  FailoverPolicy policy_;
  std::atomic<size_t> current_{0};
  std::function<void(absl::Duration)> sleep_;
};

}  // namespace skein

#endif  // SKEIN_COMMON_RM_FAILOVER_H_
