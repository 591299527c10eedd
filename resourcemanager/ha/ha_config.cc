#include "resourcemanager/ha/ha_config.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/rm_failover.h"
#include "common/rpc.h"

namespace skein::rm::ha {

const std::vector<RmAddressKey>& RmAddressKeys() {
  static const std::vector<RmAddressKey>* const kKeys = new std::vector<RmAddressKey>{
      {"yarn.resourcemanager.address", 8032},
      {"yarn.resourcemanager.scheduler.address", 8030},
      {"yarn.resourcemanager.resource-tracker.address", 8031},
      {"yarn.resourcemanager.admin.address", 8033},
      {"yarn.resourcemanager.webapp.address", 8088},
  };
  return *kKeys;
}

bool IsLocalHost(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return false;
  bool local = false;
  for (addrinfo* a = found; a != nullptr && !local; a = a->ai_next) {
    int fd = socket(a->ai_family, SOCK_STREAM, 0);
    if (fd < 0) continue;
    // Port 0 in the resolved address: binding succeeds only for this machine's addresses.
    local = bind(fd, a->ai_addr, a->ai_addrlen) == 0;
    close(fd);
  }
  freeaddrinfo(found);
  return local;
}

std::string HaConfig::am_scheduler_addresses() const {
  std::vector<std::string> out;
  const auto& by_id = addresses.at("yarn.resourcemanager.scheduler.address");
  for (const std::string& id : rm_ids) out.push_back(ConnectAddress(by_id.at(id)));
  return absl::StrJoin(out, ",");
}

absl::StatusOr<HaConfig> HaConfig::FromConfiguration(
    const conf::Configuration& conf, const std::function<bool(const std::string&)>& is_local) {
  HaConfig ha;
  ha.rm_ids = ConfiguredRmIds(conf);
  if (ha.rm_ids.size() < 2) {
    return absl::InvalidArgumentError(absl::StrCat("Invalid configuration! ", kHaRmIdsKey,
                                                   " must list at least two ResourceManager ids "
                                                   "when ",
                                                   kHaEnabledKey, " is true (got '",
                                                   conf.Get(kHaRmIdsKey, ""), "')"));
  }
  for (const RmAddressKey& k : RmAddressKeys()) {
    for (const std::string& id : ha.rm_ids) {
      auto a = RmAddressFor(conf, k.key, id, k.default_port);
      if (!a.ok()) return a.status();
      std::string host;
      int port = 0;
      if (auto s = SplitHostPort(*a, absl::StrCat(k.key, ".", id), &host, &port); !s.ok()) {
        return s;
      }
      ha.addresses[k.key][id] = *a;
    }
  }
  ha.rm_id = conf.Get("yarn.resourcemanager.ha.id", "");
  if (ha.rm_id.empty()) {
    auto local = is_local ? is_local : IsLocalHost;
    std::vector<std::string> matches;
    for (const std::string& id : ha.rm_ids) {
      const std::string& a = ha.addresses["yarn.resourcemanager.address"][id];
      if (local(a.substr(0, a.rfind(':')))) matches.push_back(id);
    }
    if (matches.size() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Cannot tell which ResourceManager this is: set yarn.resourcemanager.ha.id; ",
          matches.empty() ? "none" : absl::StrJoin(matches, " and "), " of ",
          absl::StrJoin(ha.rm_ids, ","),
          " has a yarn.resourcemanager.address.<rm-id> on this machine"));
    }
    ha.rm_id = matches.front();
  } else if (std::find(ha.rm_ids.begin(), ha.rm_ids.end(), ha.rm_id) == ha.rm_ids.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid configuration! yarn.resourcemanager.ha.id '", ha.rm_id,
                     "' is not one of ", kHaRmIdsKey, " (", absl::StrJoin(ha.rm_ids, ","), ")"));
  }
  auto automatic = conf.GetBool("yarn.resourcemanager.ha.automatic-failover.enabled", true);
  if (!automatic.ok()) return automatic.status();
  auto embedded = conf.GetBool("yarn.resourcemanager.ha.automatic-failover.embedded", true);
  if (!embedded.ok()) return embedded.status();
  ha.automatic_failover = *automatic;
  ha.embedded_elector = *embedded;
  ha.cluster_id = conf.Get("yarn.resourcemanager.cluster-id", "");
  ha.zk_address = conf.Get("hadoop.zk.address", "");
  ha.zk_base_path =
      conf.Get("yarn.resourcemanager.ha.automatic-failover.zk-base-path", "/yarn-leader-election");
  auto timeout = conf.GetInt("hadoop.zk.timeout-ms", 10000);
  if (!timeout.ok()) return timeout.status();
  if (*timeout <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("hadoop.zk.timeout-ms must be positive (got ", *timeout, ")"));
  }
  ha.zk_timeout = absl::Milliseconds(*timeout);
  if (ha.automatic_failover && ha.embedded_elector) {
    if (ha.cluster_id.empty()) {
      return absl::InvalidArgumentError(
          "yarn.resourcemanager.cluster-id must be set when "
          "yarn.resourcemanager.ha.automatic-failover.enabled is true");
    }
    if (ha.zk_address.empty()) {
      return absl::InvalidArgumentError(
          "hadoop.zk.address must be set (host:port[,host:port]) when "
          "yarn.resourcemanager.ha.automatic-failover.enabled is true");
    }
    if (ha.zk_base_path.empty() || ha.zk_base_path[0] != '/') {
      return absl::InvalidArgumentError(absl::StrCat(
          "yarn.resourcemanager.ha.automatic-failover.zk-base-path must be an absolute ZooKeeper "
          "path (got '",
          ha.zk_base_path, "')"));
    }
  }
  ha.active_conf = conf;
  for (const RmAddressKey& k : RmAddressKeys()) ha.active_conf.Set(k.key, ha.own(k.key));
  const std::string host_key = "yarn.resourcemanager.hostname." + ha.rm_id;
  if (auto h = conf.Get(host_key); h.has_value()) {
    ha.active_conf.Set("yarn.resourcemanager.hostname", *h);
  }
  return ha;
}

}  // namespace skein::rm::ha
