#include "resourcemanager/scheduler/capacity/capacity_config.h"

#include <cmath>
#include <functional>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace skein::rm {
namespace {

constexpr char kPrefix[] = "yarn.scheduler.capacity.";
constexpr double kEpsilon = 1e-6;

std::string Key(const std::string& path, absl::string_view suffix) {
  return absl::StrCat(kPrefix, path, ".", suffix);
}

absl::Status Invalid(const std::string& key, const std::string& value, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(key, "=", value, ": ", why));
}

std::string ValueOf(const conf::Configuration& conf, const std::string& key) {
  return conf.Get(key, "");
}

class TreeParser {
 public:
  TreeParser(const conf::Configuration& conf, CapacityConfig& out) : conf_(conf), out_(out) {}

  absl::Status Run() {
    auto max_apps = conf_.GetInt(absl::StrCat(kPrefix, "maximum-applications"), 10000);
    if (!max_apps.ok()) return max_apps.status();
    if (*max_apps < 0) {
      return Invalid(absl::StrCat(kPrefix, "maximum-applications"), absl::StrCat(*max_apps),
                     "must be >= 0");
    }
    global_max_apps_ = *max_apps;
    auto am = conf_.GetDouble(absl::StrCat(kPrefix, "maximum-am-resource-percent"), 0.1);
    if (!am.ok()) return am.status();
    if (*am < 0 || *am > 1) {
      return Invalid(absl::StrCat(kPrefix, "maximum-am-resource-percent"),
                     ValueOf(conf_, absl::StrCat(kPrefix, "maximum-am-resource-percent")),
                     "must be a fraction between 0 and 1");
    }
    global_am_percent_ = *am;
    auto max_mb = conf_.GetInt("yarn.scheduler.maximum-allocation-mb", 8192);
    if (!max_mb.ok()) return max_mb.status();
    auto max_vcores = conf_.GetInt("yarn.scheduler.maximum-allocation-vcores", 4);
    if (!max_vcores.ok()) return max_vcores.status();
    global_max_mb_ = *max_mb;
    global_max_vcores_ = *max_vcores;
    return AddQueue("root", "root", -1, 0);
  }

 private:
  absl::Status AddQueue(const std::string& name, const std::string& path, int parent, int depth) {
    if (depth > 64) {
      return Invalid(Key(path, "queues"), ValueOf(conf_, Key(path, "queues")),
                     "queue tree is deeper than 64 levels");
    }
    int index = static_cast<int>(out_.queues.size());
    out_.queues.emplace_back();
    {
      QueueConfig& q = out_.queues.back();
      q.name = name;
      q.path = path;
      q.parent = parent;
    }
    if (absl::Status s = ParseOwnKeys(index); !s.ok()) return s;

    std::vector<std::string> children = conf_.GetStrings(Key(path, "queues"));
    if (parent < 0 && !conf_.Contains(Key(path, "queues"))) children = {"default"};
    std::set<std::string> seen;
    for (const std::string& child : children) {
      if (child.find('.') != std::string::npos || child.find(' ') != std::string::npos) {
        return Invalid(Key(path, "queues"), ValueOf(conf_, Key(path, "queues")),
                       absl::StrCat("queue name \"", child, "\" may not contain '.' or spaces"));
      }
      if (!seen.insert(child).second) {
        return Invalid(Key(path, "queues"), ValueOf(conf_, Key(path, "queues")),
                       absl::StrCat("queue ", child, " is listed twice"));
      }
    }
    std::vector<int> child_indices;
    for (const std::string& child : children) {
      child_indices.push_back(static_cast<int>(out_.queues.size()));
      if (absl::Status s = AddQueue(child, absl::StrCat(path, ".", child), index, depth + 1);
          !s.ok()) {
        return s;
      }
    }
    QueueConfig& q = out_.queues[index];
    q.children = child_indices;
    if (!child_indices.empty()) {
      double sum = 0;
      std::vector<std::string> parts;
      for (int c : child_indices) {
        sum += out_.queues[c].capacity * 100;
        parts.push_back(absl::StrCat(out_.queues[c].name, "=", out_.queues[c].capacity * 100));
      }
      bool zero_ok = q.absolute_capacity < kEpsilon && std::fabs(sum) < kEpsilon;
      if (std::fabs(sum - 100) > 1e-4 && !zero_ok) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Illegal capacity sum for children of queue ", path, ": ", absl::StrJoin(parts, ", "),
            " sum to ", sum, "; the capacities of a parent's children must sum to 100 (", kPrefix,
            "<child path>.capacity)"));
      }
    } else if (q.parent >= 0) {
      if (absl::Status s = ParseLeafKeys(index); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status ParseOwnKeys(int index) {
    QueueConfig& q = out_.queues[index];
    const QueueConfig* parent = q.parent >= 0 ? &out_.queues[q.parent] : nullptr;
    if (parent != nullptr) {
      std::string cap_key = Key(q.path, "capacity");
      double cap_default = 0;
      // No capacity-scheduler keys at all: the implicit root.default takes everything.
      if (q.path == "root.default" && !conf_.Contains(Key("root", "queues"))) cap_default = 100;
      auto cap = conf_.GetDouble(cap_key, cap_default);
      if (!cap.ok()) return cap.status();
      if (*cap < 0 || *cap > 100) {
        return Invalid(cap_key, ValueOf(conf_, cap_key), "capacity must be between 0 and 100");
      }
      std::string max_key = Key(q.path, "maximum-capacity");
      auto max = conf_.GetDouble(max_key, -1);
      if (!max.ok()) return max.status();
      double max_value = *max;
      if (std::fabs(max_value + 1) < kEpsilon) max_value = 100;
      if (max_value < 0 || max_value > 100) {
        return Invalid(max_key, ValueOf(conf_, max_key),
                       "maximum-capacity must be between 0 and 100, or -1 for 100");
      }
      if (max_value + kEpsilon < *cap) {
        return Invalid(max_key, ValueOf(conf_, max_key),
                       absl::StrCat("maximum-capacity ", max_value, " of queue ", q.path,
                                    " is below its capacity ", *cap));
      }
      q.capacity = *cap / 100;
      q.maximum_capacity = max_value / 100;
      q.absolute_capacity = parent->absolute_capacity * q.capacity;
      q.absolute_maximum_capacity = parent->absolute_maximum_capacity * q.maximum_capacity;
    }

    std::string state_key = Key(q.path, "state");
    std::string state = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(
        ValueOf(conf_, state_key).empty() ? std::string("RUNNING") : ValueOf(conf_, state_key)));
    if (state != "RUNNING" && state != "STOPPED") {
      return Invalid(state_key, ValueOf(conf_, state_key), "state must be RUNNING or STOPPED");
    }
    q.configured_running = state == "RUNNING";
    q.running = q.configured_running && (parent == nullptr || parent->running);

    const char* acl_default = parent == nullptr ? "*" : " ";
    q.acl_submit_applications =
        QueueAcl::Parse(conf_.Get(Key(q.path, "acl_submit_applications"), acl_default));
    q.acl_administer_queue =
        QueueAcl::Parse(conf_.Get(Key(q.path, "acl_administer_queue"), acl_default));

    std::string mb_key = Key(q.path, "maximum-allocation-mb");
    auto mb = conf_.GetInt(mb_key, parent != nullptr ? parent->maximum_allocation_mb : -1);
    if (!mb.ok()) return mb.status();
    if ((*mb <= 0 && *mb != -1) || *mb > global_max_mb_) {
      return Invalid(
          mb_key, ValueOf(conf_, mb_key),
          absl::StrCat("must be positive and at most yarn.scheduler.maximum-allocation-mb=",
                       global_max_mb_));
    }
    q.maximum_allocation_mb = *mb;
    std::string vc_key = Key(q.path, "maximum-allocation-vcores");
    auto vc = conf_.GetInt(vc_key, parent != nullptr ? parent->maximum_allocation_vcores : -1);
    if (!vc.ok()) return vc.status();
    if ((*vc <= 0 && *vc != -1) || *vc > global_max_vcores_) {
      return Invalid(
          vc_key, ValueOf(conf_, vc_key),
          absl::StrCat("must be positive and at most yarn.scheduler.maximum-allocation-vcores=",
                       global_max_vcores_));
    }
    q.maximum_allocation_vcores = *vc;
    std::string dp_key = Key(q.path, "disable_preemption");
    auto dp = conf_.GetBool(dp_key, parent != nullptr && parent->preemption_disabled);
    if (!dp.ok()) return dp.status();
    q.preemption_disabled = *dp;
    return absl::OkStatus();
  }

  absl::Status ParseLeafKeys(int index) {
    QueueConfig& q = out_.queues[index];
    std::string ulf_key = Key(q.path, "user-limit-factor");
    auto ulf = conf_.GetDouble(ulf_key, 1.0);
    if (!ulf.ok()) return ulf.status();
    if (*ulf <= 0 && std::fabs(*ulf + 1) > kEpsilon) {
      return Invalid(ulf_key, ValueOf(conf_, ulf_key), "user-limit-factor must be > 0 or -1");
    }
    q.user_limit_factor = *ulf;
    std::string mulp_key = Key(q.path, "minimum-user-limit-percent");
    auto mulp = conf_.GetInt(mulp_key, 100);
    if (!mulp.ok()) return mulp.status();
    if (*mulp <= 0 || *mulp > 100) {
      return Invalid(mulp_key, ValueOf(conf_, mulp_key),
                     "minimum-user-limit-percent must be between 1 and 100");
    }
    q.minimum_user_limit_percent = static_cast<int32_t>(*mulp);
    std::string apps_key = Key(q.path, "maximum-applications");
    auto apps = conf_.GetInt(
        apps_key, static_cast<int64_t>(std::floor(global_max_apps_ * q.absolute_capacity + 1e-9)));
    if (!apps.ok()) return apps.status();
    if (*apps < 0) return Invalid(apps_key, ValueOf(conf_, apps_key), "must be >= 0");
    q.maximum_applications = *apps;
    std::string am_key = Key(q.path, "maximum-am-resource-percent");
    auto am = conf_.GetDouble(am_key, global_am_percent_);
    if (!am.ok()) return am.status();
    if (*am < 0 || *am > 1) {
      return Invalid(am_key, ValueOf(conf_, am_key), "must be a fraction between 0 and 1");
    }
    q.maximum_am_resource_percent = *am;
    std::string prio_key = Key(q.path, "default-application-priority");
    auto prio = conf_.GetInt(prio_key, 0);
    if (!prio.ok()) return prio.status();
    q.default_application_priority = static_cast<int32_t>(*prio);
    return absl::OkStatus();
  }

  const conf::Configuration& conf_;
  CapacityConfig& out_;
  int64_t global_max_apps_ = 10000;
  double global_am_percent_ = 0.1;
  int64_t global_max_mb_ = 8192;
  int64_t global_max_vcores_ = 4;
};

absl::Status ParseMappings(const conf::Configuration& conf, CapacityConfig& out) {
  std::string key = absl::StrCat(kPrefix, "queue-mappings");
  for (const std::string& entry : conf.GetStrings(key)) {
    std::vector<std::string> parts = absl::StrSplit(entry, ':');
    for (std::string& p : parts) p = std::string(absl::StripAsciiWhitespace(p));
    if (parts.size() != 3 || (parts[0] != "u" && parts[0] != "g") || parts[1].empty() ||
        parts[2].empty()) {
      return Invalid(key, conf.Get(key, ""),
                     absl::StrCat("mapping \"", entry,
                                  "\" is not of the form u:<user>:<queue> or g:<group>:<queue>"));
    }
    QueueMapping m;
    m.kind = parts[0] == "u" ? QueueMapping::Kind::kUser : QueueMapping::Kind::kGroup;
    m.source = parts[1];
    m.queue = parts[2];
    if (m.queue.find('%') == std::string::npos) {
      int q = out.Find(m.queue);
      if (q < 0 || !out.queues[q].is_leaf()) {
        return Invalid(
            key, conf.Get(key, ""),
            absl::StrCat("mapping \"", entry, "\" names ", m.queue, ", which is not a leaf queue"));
      }
    } else if (m.queue != "%user" && m.queue != "%primary_group") {
      return Invalid(key, conf.Get(key, ""),
                     absl::StrCat("mapping \"", entry,
                                  "\": the queue may only be a name, %user or %primary_group"));
    }
    out.mappings.push_back(std::move(m));
  }
  auto override_enabled =
      conf.GetBool(absl::StrCat(kPrefix, "queue-mappings-override.enable"), false);
  if (!override_enabled.ok()) return override_enabled.status();
  out.mappings_override = *override_enabled;
  return absl::OkStatus();
}

}  // namespace

QueueAcl QueueAcl::Parse(const std::string& text) {
  QueueAcl acl;
  if (absl::StripAsciiWhitespace(text) == "*") {
    acl.everyone = true;
    return acl;
  }
  // "users groups": the first space separates the two lists.
  size_t space = text.find(' ');
  std::string users = text.substr(0, space);
  std::string groups = space == std::string::npos ? "" : text.substr(space + 1);
  for (absl::string_view u : absl::StrSplit(users, ',', absl::SkipWhitespace())) {
    acl.users.insert(std::string(absl::StripAsciiWhitespace(u)));
  }
  for (absl::string_view g : absl::StrSplit(groups, ',', absl::SkipWhitespace())) {
    acl.groups.insert(std::string(absl::StripAsciiWhitespace(g)));
  }
  return acl;
}

bool QueueAcl::Allows(const std::string& user, const std::vector<std::string>& groups) const {
  if (everyone || users.count(user) > 0) return true;
  for (const std::string& g : groups) {
    if (this->groups.count(g) > 0) return true;
  }
  return false;
}

int CapacityConfig::Find(const std::string& name) const {
  int found = -1;
  for (size_t i = 0; i < queues.size(); ++i) {
    if (queues[i].path == name) return static_cast<int>(i);
    if (name.find('.') == std::string::npos && queues[i].name == name) {
      if (found >= 0) return -1;  // ambiguous short name
      found = static_cast<int>(i);
    }
  }
  return found;
}

absl::StatusOr<CapacityConfig> CapacityConfig::Parse(const conf::Configuration& conf) {
  CapacityConfig out;
  TreeParser parser(conf, out);
  if (absl::Status s = parser.Run(); !s.ok()) return s;
  std::map<std::string, std::string> leaf_paths;
  for (const QueueConfig& q : out.queues) {
    if (!q.is_leaf()) continue;
    auto [it, inserted] = leaf_paths.emplace(q.name, q.path);
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat("Leaf queue name ", q.name,
                                                     " is used by both ", it->second, " and ",
                                                     q.path, "; leaf queue names must be unique"));
    }
  }
  auto acl = conf.GetBool("yarn.acl.enable", false);
  if (!acl.ok()) return acl.status();
  out.acl_enabled = *acl;
  auto max_prio = conf.GetInt("yarn.cluster.max-application-priority", 0);
  if (!max_prio.ok()) return max_prio.status();
  if (*max_prio < 0) {
    return Invalid("yarn.cluster.max-application-priority", absl::StrCat(*max_prio),
                   "must be >= 0");
  }
  out.max_application_priority = static_cast<int32_t>(*max_prio);
  if (absl::Status s = ParseMappings(conf, out); !s.ok()) return s;
  auto preemption = PreemptionConfig::Parse(conf);
  if (!preemption.ok()) return preemption.status();
  out.preemption = *preemption;
  return out;
}

}  // namespace skein::rm
