// The validated high-availability settings of one ResourceManager (Hadoop's HAUtil rules).
//
// yarn.resourcemanager.ha.rm-ids         at least two ids
// yarn.resourcemanager.ha.id             this RM's id; unset: the one id whose client address
//                                        (yarn.resourcemanager.address.<id>, else
//                                        yarn.resourcemanager.hostname.<id>) is a local address
// <key>.<rm-id>                          per-RM addresses for the five RM address keys, else
//                                        ${yarn.resourcemanager.hostname.<rm-id>}:<default port>
// ...ha.automatic-failover.enabled (true) / .embedded (true) / .zk-base-path
// yarn.resourcemanager.cluster-id        required with automatic failover
// hadoop.zk.address, hadoop.zk.timeout-ms
//
// Thread rules: plain data.
#ifndef SKEIN_RESOURCEMANAGER_HA_HA_CONFIG_H_
#define SKEIN_RESOURCEMANAGER_HA_HA_CONFIG_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/conf/configuration.h"

namespace skein::rm::ha {

// The five RM address keys and their default ports, in this order.
struct RmAddressKey {
  const char* key;
  int default_port;
};
const std::vector<RmAddressKey>& RmAddressKeys();

struct HaConfig {
  std::string rm_id;
  std::vector<std::string> rm_ids;
  bool automatic_failover = true;
  bool embedded_elector = true;
  std::string cluster_id;
  std::string zk_address;
  absl::Duration zk_timeout = absl::Seconds(10);
  std::string zk_base_path = "/yarn-leader-election";
  // Every RM's address per key: addresses[key][rm_id] (as configured, not yet connectable).
  std::map<std::string, std::map<std::string, std::string>> addresses;

  // The configuration this RM's active services run with: `conf` with this RM's addresses under
  // the plain keys (yarn.resourcemanager.address = yarn.resourcemanager.address.<rm_id>, ...).
  conf::Configuration active_conf;

  // This RM's configured address for a plain key.
  std::string own(const std::string& key) const { return addresses.at(key).at(rm_id); }
  // <zk-base-path>/<cluster-id>: where the elector's lock lives.
  std::string election_path() const { return zk_base_path + "/" + cluster_id; }
  // What AMs get: every RM's scheduler address, connectable, comma-separated in rm-ids order.
  std::string am_scheduler_addresses() const;

  // `is_local_host` decides whether a host name is one of this machine's addresses (the default
  // binds a socket to it). Errors are INVALID_ARGUMENT naming the key and value.
  static absl::StatusOr<HaConfig> FromConfiguration(
      const conf::Configuration& conf,
      const std::function<bool(const std::string& host)>& is_local_host = nullptr);
};

// True when `host` resolves to an address a socket on this machine can bind.
bool IsLocalHost(const std::string& host);

}  // namespace skein::rm::ha

#endif  // SKEIN_RESOURCEMANAGER_HA_HA_CONFIG_H_
