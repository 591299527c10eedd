#include "common/rm_failover.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/rpc.h"

namespace skein {

bool HaEnabled(const conf::Configuration& conf) {
  auto v = conf.GetBool(kHaEnabledKey, false);
  return v.ok() && *v;
}

std::vector<std::string> ConfiguredRmIds(const conf::Configuration& conf) {
  std::vector<std::string> ids;
  for (absl::string_view part : absl::StrSplit(conf.Get(kHaRmIdsKey, ""), ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (!part.empty()) ids.emplace_back(part);
  }
  return ids;
}

absl::StatusOr<std::string> RmAddressFor(const conf::Configuration& conf,
                                         absl::string_view address_key, absl::string_view rm_id,
                                         int default_port) {
  const std::string key = absl::StrCat(address_key, ".", rm_id);
  if (auto v = conf.Get(key); v.has_value() && !v->empty()) return *v;
  const std::string host_key = absl::StrCat("yarn.resourcemanager.hostname.", rm_id);
  if (auto h = conf.Get(host_key); h.has_value() && !h->empty()) {
    return absl::StrCat(*h, ":", default_port);
  }
  return absl::InvalidArgumentError(absl::StrCat("ResourceManager HA: no address for rm-id '",
                                                 rm_id, "': set ", key, " or ", host_key));
}

absl::StatusOr<std::vector<RmEndpoint>> ConfiguredRms(const conf::Configuration& conf,
                                                      absl::string_view address_key,
                                                      int default_port) {
  std::vector<RmEndpoint> out;
  if (!HaEnabled(conf)) {
    RmEndpoint e;
    e.key = std::string(address_key);
    e.address = conf.Get(e.key, absl::StrCat("0.0.0.0:", default_port));
    out.push_back(std::move(e));
  } else {
    const std::vector<std::string> ids = ConfiguredRmIds(conf);
    if (ids.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(kHaEnabledKey, " is true but ", kHaRmIdsKey,
                                                     " lists no ResourceManager ids"));
    }
    for (const std::string& id : ids) {
      auto address = RmAddressFor(conf, address_key, id, default_port);
      if (!address.ok()) return address.status();
      RmEndpoint e;
      e.rm_id = id;
      e.address = *address;
      e.key = absl::StrCat(address_key, ".", id);
      out.push_back(std::move(e));
    }
  }
  for (RmEndpoint& e : out) {
    std::string host;
    int port = 0;
    if (auto s = SplitHostPort(e.address, e.key, &host, &port); !s.ok()) return s;
    e.address = ConnectAddress(e.address);
  }
  return out;
}

absl::StatusOr<FailoverPolicy> FailoverPolicy::FromConfiguration(const conf::Configuration& conf) {
  auto retry = conf.GetInt("yarn.resourcemanager.connect.retry-interval.ms", 30000);
  if (!retry.ok()) return retry.status();
  auto max_wait = conf.GetInt("yarn.resourcemanager.connect.max-wait.ms", 900000);
  if (!max_wait.ok()) return max_wait.status();
  // Hadoop leaves these three unset; "" (our defaults table) means unset too.
  auto get_or = [&conf](const char* key, int64_t fallback) -> absl::StatusOr<int64_t> {
    if (conf.Get(key, "").empty()) return fallback;
    return conf.GetInt(key, fallback);
  };
  auto base = get_or("yarn.client.failover-sleep-base-ms", *retry);
  if (!base.ok()) return base.status();
  auto max = get_or("yarn.client.failover-sleep-max-ms", *retry);
  if (!max.ok()) return max.status();
  auto attempts = get_or("yarn.client.failover-max-attempts", -1);
  if (!attempts.ok()) return attempts.status();
  if (*base < 0 || *max < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("yarn.client.failover-sleep-base-ms / -max-ms must not be negative (got ",
                     *base, " / ", *max, ")"));
  }
  FailoverPolicy p;
  p.sleep_base = absl::Milliseconds(*base);
  p.sleep_max = absl::Milliseconds(*max);
  if (*attempts >= 0) {
    p.max_failovers = static_cast<int>(std::min<int64_t>(*attempts, 1 << 30));
  } else if (*max_wait < 0) {
    p.max_failovers = std::numeric_limits<int>::max();
  } else {
    p.max_failovers = static_cast<int>(*max_wait / std::max<int64_t>(1, *base));
  }
  return p;
}

absl::Duration FailoverPolicy::SleepBeforeRound(int round) const {
  absl::Duration d = sleep_base;
  for (int i = 1; i < round && d < sleep_max; ++i) d *= 2;
  return std::min(d, sleep_max);
}

bool RmFailover::ShouldFailOver(const grpc::Status& s) {
  // CANCELLED: the RM's server shut down under the call (a standby turning active, an active
  // stepping down); nothing else cancels these calls.
  return s.error_code() == grpc::StatusCode::UNAVAILABLE ||
         s.error_code() == grpc::StatusCode::CANCELLED;
}

RmFailover::RmFailover(std::vector<RmEndpoint> rms, FailoverPolicy policy)
    : rms_(std::move(rms)), policy_(policy), sleep_([](absl::Duration d) { absl::SleepFor(d); }) {
  for (const RmEndpoint& e : rms_) channels_.push_back(MakeChannel(e.address));
}

void RmFailover::FailOver() {
  size_t cur = current_.load();
  current_.compare_exchange_strong(cur, (cur + 1) % rms_.size());
}

grpc::Status RmFailover::Call(const std::function<grpc::Status(size_t rm_index)>& call) {
  int failovers = 0;
  int tried_in_round = 0;
  int round = 0;
  std::vector<std::string> last_error(rms_.size());  // what each RM said last
  while (true) {
    const size_t i = current_.load();
    grpc::Status s = call(i);
    if (!ShouldFailOver(s)) return s;
    last_error[i] = s.error_message();
    if (failovers >= policy_.max_failovers) {
      std::vector<std::string> tried;
      for (size_t r = 0; r < rms_.size(); ++r) {
        const RmEndpoint& e = rms_[r];
        std::string said = last_error[r].empty() ? "" : absl::StrCat(" (", last_error[r], ")");
        tried.push_back(e.rm_id.empty() ? absl::StrCat(e.address, said)
                                        : absl::StrCat(e.rm_id, " at ", e.address, said));
      }
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          absl::StrCat("Cannot reach an active ResourceManager (tried ",
                                       absl::StrJoin(tried, ", "), "; ", failovers, " failovers)"));
    }
    ++failovers;
    if (rms_.size() > 1) {
      size_t expected = i;
      current_.compare_exchange_strong(expected, (i + 1) % rms_.size());
    }
    if (++tried_in_round >= static_cast<int>(rms_.size())) {
      tried_in_round = 0;
      sleep_(policy_.SleepBeforeRound(++round));
    }
  }
}

}  // namespace skein
