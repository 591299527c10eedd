#include "nodemanager/nm_config.h"

#include <unistd.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/rm_failover.h"
#include "common/rpc.h"

namespace skein::nm {
namespace {

constexpr char kAddressKey[] = "yarn.nodemanager.address";
constexpr char kWebappKey[] = "yarn.nodemanager.webapp.address";
constexpr char kLocalDirsKey[] = "yarn.nodemanager.local-dirs";
constexpr char kLogDirsKey[] = "yarn.nodemanager.log-dirs";
constexpr char kMemoryKey[] = "yarn.nodemanager.resource.memory-mb";
constexpr char kVcoresKey[] = "yarn.nodemanager.resource.cpu-vcores";
constexpr char kSigkillKey[] = "yarn.nodemanager.sleep-delay-before-sigkill.ms";
constexpr char kTrackerKey[] = "yarn.resourcemanager.resource-tracker.address";
constexpr char kRetryKey[] = "yarn.resourcemanager.connect.retry-interval.ms";
constexpr char kWhitelistKey[] = "yarn.nodemanager.env-whitelist";
constexpr char kAdminEnvKey[] = "yarn.nodemanager.admin-env";

bool IsEnvName(absl::string_view name) {
  if (name.empty() || absl::ascii_isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char ch : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '_') return false;
  }
  return true;
}

// -1 means the default; any other value must be positive.
absl::StatusOr<int64_t> PositiveOrDefault(const conf::Configuration& conf, const char* key,
                                          int64_t fallback) {
  absl::StatusOr<int64_t> v = conf.GetInt(key, -1);
  if (!v.ok()) return v.status();
  if (*v == -1) return fallback;
  if (*v <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        key, "=", *v, " is invalid: the NodeManager must offer a positive amount (or -1 for ",
        fallback, ")"));
  }
  return *v;
}

absl::StatusOr<std::vector<std::string>> Dirs(const conf::Configuration& conf, const char* key) {
  std::vector<std::string> dirs = conf.GetStrings(key);
  if (dirs.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(key,
                                                   " is empty: at least one directory is "
                                                   "needed"));
  }
  for (const std::string& d : dirs) {
    if (d.empty() || d[0] != '/') {
      return absl::InvalidArgumentError(
          absl::StrCat(key, " entry '", d, "' is not an absolute path"));
    }
  }
  return dirs;
}

}  // namespace

absl::StatusOr<NmConfig> ParseNmConfig(const conf::Configuration& conf) {
  NmConfig c;
  std::string host;
  int port = 0;
  std::string address = conf.Get(kAddressKey, "0.0.0.0:0");
  if (auto s = SplitHostPort(address, kAddressKey, &host, &port); !s.ok()) return s;
  if (host == "localhost") host = "127.0.0.1";
  c.bind_address = absl::StrCat(host, ":", port);
  c.node_host = (host == "0.0.0.0" || host.empty()) ? "127.0.0.1" : host;

  std::string web_host;
  std::string webapp = conf.Get(kWebappKey, "0.0.0.0:8042");
  if (webapp.rfind(':', 0) == 0) webapp = "0.0.0.0" + webapp;  // ":0" is allowed
  if (auto s = SplitHostPort(webapp, kWebappKey, &web_host, &c.http_port); !s.ok()) return s;

  absl::StatusOr<std::vector<std::string>> local = Dirs(conf, kLocalDirsKey);
  if (!local.ok()) return local.status();
  c.local_dirs = *std::move(local);
  absl::StatusOr<std::vector<std::string>> logs = Dirs(conf, kLogDirsKey);
  if (!logs.ok()) return logs.status();
  c.log_dirs = *std::move(logs);

  absl::StatusOr<int64_t> mem = PositiveOrDefault(conf, kMemoryKey, 8192);
  if (!mem.ok()) return mem.status();
  absl::StatusOr<int64_t> vcores = PositiveOrDefault(conf, kVcoresKey, 8);
  if (!vcores.ok()) return vcores.status();
  c.total = Resource(*mem, *vcores);

  absl::StatusOr<absl::Duration> sigkill = conf.GetDuration(kSigkillKey, absl::Milliseconds(250));
  if (!sigkill.ok()) return sigkill.status();
  if (*sigkill < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kSigkillKey, "=", absl::FormatDuration(*sigkill), " must not be negative"));
  }
  c.sigkill_delay = *sigkill;

  std::string tracker = conf.Get(kTrackerKey, "0.0.0.0:8031");
  std::string rm_host;
  int rm_port = 0;
  if (auto s = SplitHostPort(tracker, kTrackerKey, &rm_host, &rm_port); !s.ok()) return s;
  if (rm_port == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(kTrackerKey, "='", tracker, "' needs a fixed port to connect to"));
  }
  c.rm_tracker_address = ConnectAddress(tracker);
  if (HaEnabled(conf)) {
    // Every RM's tracker address in rm-ids order: the status updater fails over between them.
    auto rms = ConfiguredRms(conf, kTrackerKey, 8031);
    if (!rms.ok()) return rms.status();
    std::vector<std::string> all;
    for (const RmEndpoint& e : *rms) all.push_back(e.address);
    c.rm_tracker_address = absl::StrJoin(all, ",");
  }

  absl::StatusOr<absl::Duration> retry = conf.GetDuration(kRetryKey, absl::Seconds(30));
  if (!retry.ok()) return retry.status();
  if (*retry <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kRetryKey, "=", absl::FormatDuration(*retry), " must be positive"));
  }
  c.rm_retry_cap = *retry;

  c.env_whitelist = conf.GetStrings(kWhitelistKey);
  if (std::find(c.env_whitelist.begin(), c.env_whitelist.end(), "PATH") == c.env_whitelist.end()) {
    c.env_whitelist.push_back("PATH");
  }
  for (const std::string& pair : conf.GetStrings(kAdminEnvKey)) {
    const size_t eq = pair.find('=');
    std::string name = eq == std::string::npos ? "" : pair.substr(0, eq);
    if (!IsEnvName(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          kAdminEnvKey, ": '", pair, "' is not NAME=VALUE with a variable name of letters, ",
          "digits and _ (not starting with a digit)"));
    }
    c.admin_env.emplace_back(std::move(name), pair.substr(eq + 1));
  }

  absl::StatusOr<MonitorOptions> monitor = ParseMonitorOptions(conf);
  if (!monitor.ok()) return monitor.status();
  c.monitor = *monitor;
  c.monitor.node_vcores = static_cast<int>(c.total.vcores);
  const long processors = sysconf(_SC_NPROCESSORS_ONLN);
  absl::StatusOr<CgroupsOptions> cgroups = ParseCgroupsOptions(
      conf, static_cast<int>(c.total.vcores), processors > 0 ? static_cast<int>(processors) : 1);
  if (!cgroups.ok()) return cgroups.status();
  c.cgroups = *cgroups;
  absl::StatusOr<HealthCheckerOptions> health = ParseHealthCheckerOptions(conf);
  if (!health.ok()) return health.status();
  c.health = *health;
  absl::StatusOr<logs::LogAggregationOptions> log_agg = logs::ParseLogAggregationOptions(conf);
  if (!log_agg.ok()) return log_agg.status();
  c.log_aggregation = *std::move(log_agg);
  c.log_aggregation.log_dirs = c.log_dirs;
  absl::StatusOr<DiskCheckerOptions> disks = ParseDiskCheckerOptions(conf);
  if (!disks.ok()) return disks.status();
  c.disks = *std::move(disks);
  c.disks.local_dirs = c.local_dirs;
  c.disks.log_dirs = c.log_dirs;

  absl::StatusOr<bool> recovery = conf.GetBool("yarn.nodemanager.recovery.enabled", false);
  if (!recovery.ok()) return recovery.status();
  c.recovery_enabled = *recovery;
  absl::StatusOr<bool> supervised = conf.GetBool("yarn.nodemanager.recovery.supervised", false);
  if (!supervised.ok()) return supervised.status();
  c.recovery_supervised = *supervised;
  if (c.recovery_enabled) {
    if (port == 0) {
      // Hadoop's words: a restarted NodeManager must come back as the same NodeId.
      return absl::InvalidArgumentError(absl::StrCat(
          "Cannot support recovery with an ephemeral server port. Check the setting of ",
          kAddressKey, " (", address, ")"));
    }
    c.recovery_dir = conf.Get("yarn.nodemanager.recovery.dir", "");
    if (c.recovery_dir.empty() || c.recovery_dir[0] != '/') {
      return absl::InvalidArgumentError(
          absl::StrCat("yarn.nodemanager.recovery.dir='", c.recovery_dir,
                       "' must be an absolute path when yarn.nodemanager.recovery.enabled"));
    }
  }
  return c;
}

std::map<std::string, std::string> ExpandAdminEnv(
    const std::vector<std::pair<std::string, std::string>>& admin_env,
    const std::function<std::optional<std::string>(const std::string&)>& lookup) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : admin_env) {
    std::string expanded;
    for (size_t i = 0; i < value.size();) {
      if (value[i] != '$') {
        expanded.push_back(value[i++]);
        continue;
      }
      const bool braced = i + 1 < value.size() && value[i + 1] == '{';
      size_t start = i + (braced ? 2 : 1);
      size_t end = start;
      while (end < value.size() &&
             (absl::ascii_isalnum(static_cast<unsigned char>(value[end])) || value[end] == '_')) {
        ++end;
      }
      const std::string ref = value.substr(start, end - start);
      if (!IsEnvName(ref) || (braced && (end >= value.size() || value[end] != '}'))) {
        expanded.push_back(value[i++]);  // not a reference: a literal '$'
        continue;
      }
      expanded += lookup(ref).value_or("");
      i = end + (braced ? 1 : 0);
    }
    if (expanded.empty()) {
      out.erase(name);
    } else {
      out[name] = std::move(expanded);
    }
  }
  return out;
}

}  // namespace skein::nm
