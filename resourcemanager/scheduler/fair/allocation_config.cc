#include "resourcemanager/scheduler/fair/allocation_config.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/conf/xml_lines.h"
#include "pugixml.hpp"

namespace skein::rm {
namespace {

constexpr char kForms[] =
    "expected \"<n> mb, <n> vcores\", \"memory-mb=<n>, vcores=<n>\", \"<p>%\", "
    "\"memory-mb=<p>%, vcores=<p>%\" or \"<p>% memory, <p>% cpu\"";

absl::Status BadResource(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("resource \"", text, "\" is not valid (", why, "); ", kForms));
}

// "50%" or "50" -> 50.0 with the percent flag.
bool ParseNumber(absl::string_view token, double* value, bool* percent) {
  token = absl::StripAsciiWhitespace(token);
  *percent = absl::ConsumeSuffix(&token, "%");
  token = absl::StripAsciiWhitespace(token);
  return !token.empty() && absl::SimpleAtod(token, value) && std::isfinite(*value) && *value >= 0;
}

int LineAt(absl::string_view text, ptrdiff_t offset) {
  if (offset < 0) return 1;
  size_t end = std::min(static_cast<size_t>(offset), text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + end, '\n'));
}

std::string TextOf(const pugi::xml_node& node) {
  return std::string(absl::StripAsciiWhitespace(node.child_value()));
}

absl::StatusOr<FairPolicy> ParsePolicy(absl::string_view text) {
  std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (lower == "fifo" || absl::EndsWith(lower, ".fifopolicy")) return FairPolicy::kFifo;
  if (lower == "fair" || absl::EndsWith(lower, ".fairsharepolicy")) return FairPolicy::kFair;
  if (lower == "drf" || absl::EndsWith(lower, ".dominantresourcefairnesspolicy")) {
    return FairPolicy::kDrf;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown scheduling policy \"", text, "\"; expected fifo, fair or drf"));
}

class FileParser {
 public:
  FileParser(absl::string_view xml, const std::string& source, const FairSiteConfig& site,
             AllocationConfig& out)
      : xml_(xml), source_(source), site_(site), out_(out) {}

  absl::Status Run() {
    pugi::xml_document doc;
    if (absl::Status s = conf::LoadXml(xml_, source_, doc); !s.ok()) return s;
    pugi::xml_node root = doc.document_element();
    if (!root || std::string(root.name()) != "allocations") {
      return Error(root ? Line(root) : 1, absl::StrCat("root element is <", root ? root.name() : "",
                                                       ">, expected "
                                                       "<allocations>"));
    }
    // Defaults first: they apply to every queue whatever the element order.
    std::vector<pugi::xml_node> queue_nodes;
    pugi::xml_node placement;
    for (pugi::xml_node e : root.children()) {
      if (e.type() != pugi::node_element) continue;
      std::string name = e.name();
      if (name == "queue" || name == "pool") {
        queue_nodes.push_back(e);
      } else if (name == "queuePlacementPolicy") {
        placement = e;
      } else if (absl::Status s = ParseTopLevel(e, name); !s.ok()) {
        return s;
      }
    }
    InitRoot();
    std::set<std::string> seen;
    for (const pugi::xml_node& q : queue_nodes) {
      std::string name = q.attribute("name").value();
      if (name == "root") {
        if (absl::Status s = ParseQueueBody(q, 0); !s.ok()) return s;
        continue;
      }
      if (absl::Status s = AddQueue(q, 0); !s.ok()) return s;
    }
    InheritFromParents();
    if (out_.Find("root.default") < 0) {
      auto made = out_.CreateQueue("root.default", false);
      if (made.ok()) out_.queues[*made].dynamic = false;
    }
    if (placement) return ParsePlacement(placement);
    out_.rules = AllocationConfig::Defaults(site_).rules;
    return absl::OkStatus();
  }

 private:
  absl::Status ParseTopLevel(const pugi::xml_node& e, const std::string& name) {
    std::string text = TextOf(e);
    if (name == "user") {
      std::string user = e.attribute("name").value();
      if (user.empty()) return Error(Line(e), "<user> without a name attribute");
      for (pugi::xml_node c : e.children()) {
        if (c.type() != pugi::node_element) continue;
        if (std::string(c.name()) != "maxRunningApps") continue;
        auto n = Int(c, "maxRunningApps");
        if (!n.ok()) return n.status();
        out_.user_max_apps[user] = *n;
      }
      return absl::OkStatus();
    }
    if (name == "userMaxAppsDefault" || name == "queueMaxAppsDefault") {
      auto n = Int(e, name);
      if (!n.ok()) return n.status();
      (name == "userMaxAppsDefault" ? out_.user_max_apps_default : out_.queue_max_apps_default) =
          *n;
    } else if (name == "queueMaxAMShareDefault") {
      auto d = AmShare(e, name);
      if (!d.ok()) return d.status();
      out_.queue_max_am_share_default = *d;
    } else if (name == "queueMaxResourcesDefault") {
      auto r = ResourceSpec::Parse(text);
      if (!r.ok()) return Error(Line(e), absl::StrCat("<", name, ">: ", r.status().message()));
      out_.queue_max_resources_default = *r;
    } else if (name == "defaultQueueSchedulingPolicy" || name == "defaultFairSchedulingPolicy") {
      auto p = ParsePolicy(text);
      if (!p.ok()) return Error(Line(e), absl::StrCat("<", name, ">: ", p.status().message()));
      out_.default_policy = *p;
    } else if (name == "defaultMinSharePreemptionTimeout" ||
               name == "defaultFairSharePreemptionTimeout" ||
               name == "fairSharePreemptionTimeout") {
      auto n = Seconds(e, name);
      if (!n.ok()) return n.status();
      (name == "defaultMinSharePreemptionTimeout" ? out_.default_min_share_preemption_timeout_ms
                                                  : out_.default_fair_share_preemption_timeout_ms) =
          *n;
    } else if (name == "defaultFairSharePreemptionThreshold") {
      auto d = Fraction(e, name);
      if (!d.ok()) return d.status();
      out_.default_fair_share_preemption_threshold = *d;
    }
    // Other elements (reservation settings, ...) are accepted and ignored, as unknown keys are.
    return absl::OkStatus();
  }

  // maxContainerAllocation and allowPreemptionFrom pass down the tree whatever the element
  // order in the file (a parent always precedes its children in out_.queues).
  void InheritFromParents() {
    for (size_t i = 1; i < out_.queues.size(); ++i) {
      FairQueueConfig& q = out_.queues[i];
      const FairQueueConfig& parent = out_.queues[q.parent];
      if (q.max_container_allocation == Resource(kUnlimited, kUnlimited)) {
        q.max_container_allocation = parent.max_container_allocation;
      }
      q.allow_preemption_from = q.allow_preemption_from && parent.allow_preemption_from;
    }
  }

  void InitRoot() {
    FairQueueConfig root;
    root.name = "root";
    root.path = "root";
    root.declared_parent = true;
    Defaults(root);
    root.max_resources = ResourceSpec::Unlimited();  // queue defaults apply below root
    root.max_running_apps = kUnlimitedApps;
    root.max_am_share = -1;
    root.acl_submit_apps = QueueAcl::Parse("*");
    root.acl_administer_apps = QueueAcl::Parse("*");
    out_.queues.push_back(std::move(root));
  }

  void Defaults(FairQueueConfig& q) const {
    q.max_resources = out_.queue_max_resources_default;
    q.max_running_apps = out_.queue_max_apps_default;
    q.max_am_share = out_.queue_max_am_share_default;
    q.policy = out_.default_policy;
    q.min_share_preemption_timeout_ms = out_.default_min_share_preemption_timeout_ms;
    q.fair_share_preemption_timeout_ms = out_.default_fair_share_preemption_timeout_ms;
    q.fair_share_preemption_threshold = out_.default_fair_share_preemption_threshold;
    q.acl_submit_apps = QueueAcl::Parse(" ");
    q.acl_administer_apps = QueueAcl::Parse(" ");
  }

  absl::Status AddQueue(const pugi::xml_node& e, int parent) {
    std::string name = e.attribute("name").value();
    if (name.empty()) return Error(Line(e), absl::StrCat("<", e.name(), "> without a name"));
    if (name.find('.') != std::string::npos || name != absl::StripAsciiWhitespace(name) ||
        name.find(' ') != std::string::npos) {
      return Error(Line(e), absl::StrCat("queue name \"", name,
                                         "\" may not contain '.' or spaces (nest <queue> "
                                         "elements for a hierarchy)"));
    }
    std::string path = absl::StrCat(out_.queues[parent].path, ".", name);
    if (out_.Find(path) >= 0) {
      return Error(Line(e), absl::StrCat("queue ", path, " is declared twice"));
    }
    int index = static_cast<int>(out_.queues.size());
    FairQueueConfig q;
    q.name = name;
    q.path = path;
    q.parent = parent;
    Defaults(q);
    std::string type = e.attribute("type").value();
    if (!type.empty() && type != "parent" && type != "leaf") {
      return Error(Line(e), absl::StrCat("queue ", path, ": type=\"", type,
                                         "\" is not valid; expected parent or leaf"));
    }
    q.declared_parent = type == "parent";
    out_.queues.push_back(std::move(q));
    out_.queues[parent].children.push_back(index);
    return ParseQueueBody(e, index);
  }

  absl::Status ParseQueueBody(const pugi::xml_node& e, int index) {
    bool explicit_policy = false;
    int reservation_line = 0;
    for (pugi::xml_node c : e.children()) {
      if (c.type() != pugi::node_element) continue;
      std::string name = c.name();
      std::string text = TextOf(c);
      FairQueueConfig& q = out_.queues[index];
      std::string where = absl::StrCat("queue ", q.path, ": <", name, ">");
      if (name == "queue" || name == "pool") {
        if (absl::Status s = AddQueue(c, index); !s.ok()) return s;
      } else if (name == "weight") {
        double w = 0;
        if (!absl::SimpleAtod(text, &w) || !std::isfinite(w) || w < 0) {
          return Error(Line(c), absl::StrCat(where, " \"", text, "\" must be a number >= 0"));
        }
        q.weight = w;
      } else if (name == "minResources" || name == "maxResources") {
        auto r = ResourceSpec::Parse(text);
        if (!r.ok()) return Error(Line(c), absl::StrCat(where, " ", r.status().message()));
        (name == "minResources" ? q.min_resources : q.max_resources) = *r;
      } else if (name == "maxRunningApps") {
        auto n = Int(c, where);
        if (!n.ok()) return n.status();
        q.max_running_apps = *n;
      } else if (name == "maxAMShare") {
        auto d = AmShare(c, where);
        if (!d.ok()) return d.status();
        q.max_am_share = *d;
      } else if (name == "schedulingPolicy" || name == "schedulingMode") {
        auto p = ParsePolicy(text);
        if (!p.ok()) return Error(Line(c), absl::StrCat(where, " ", p.status().message()));
        q.policy = *p;
        explicit_policy = true;
      } else if (name == "aclSubmitApps") {
        q.acl_submit_apps = QueueAcl::Parse(c.child_value());
      } else if (name == "aclAdministerApps") {
        q.acl_administer_apps = QueueAcl::Parse(c.child_value());
      } else if (name == "minSharePreemptionTimeout" || name == "fairSharePreemptionTimeout") {
        auto n = Seconds(c, where);
        if (!n.ok()) return n.status();
        (name == "minSharePreemptionTimeout" ? q.min_share_preemption_timeout_ms
                                             : q.fair_share_preemption_timeout_ms) = *n;
      } else if (name == "fairSharePreemptionThreshold") {
        auto d = Fraction(c, where);
        if (!d.ok()) return d.status();
        q.fair_share_preemption_threshold = *d;
      } else if (name == "maxContainerAllocation") {
        auto r = ResourceSpec::Parse(text);
        if (!r.ok()) return Error(Line(c), absl::StrCat(where, " ", r.status().message()));
        if (r->is_percent) {
          return Error(Line(c), absl::StrCat(where, " \"", text,
                                             "\" must be an absolute amount such as \"4096 mb, "
                                             "2 vcores\", not a percentage"));
        }
        if (r->absolute.memory_mb <= 0 || r->absolute.vcores <= 0) {
          return Error(Line(c),
                       absl::StrCat(where, " \"", text, "\" must allow at least 1 mb and 1 vcore"));
        }
        q.max_container_allocation = r->absolute;
      } else if (name == "maxChildResources") {
        auto r = ResourceSpec::Parse(text);
        if (!r.ok()) return Error(Line(c), absl::StrCat(where, " ", r.status().message()));
        q.max_child_resources = *r;
        q.has_max_child_resources = true;
      } else if (name == "allowPreemptionFrom") {
        std::string lower = absl::AsciiStrToLower(text);
        if (lower != "true" && lower != "false") {
          return Error(Line(c), absl::StrCat(where, " \"", text, "\" must be true or false"));
        }
        q.allow_preemption_from = lower == "true";
      } else if (name == "reservation") {
        reservation_line = Line(c);
      }
    }
    FairQueueConfig& q = out_.queues[index];
    if (reservation_line > 0) {
      if (!q.is_leaf()) {
        return Error(reservation_line,
                     absl::StrCat("queue ", q.path,
                                  ": <reservation> is only valid on a leaf queue; a queue with "
                                  "child queues or type=\"parent\" cannot be reservable"));
      }
      out_.warnings.push_back(absl::StrCat(
          source_, ":", reservation_line, ": <reservation> in queue ", q.path,
          " is ignored: Skein does not implement YARN's ReservationSystem; the queue is an "
          "ordinary leaf"));
    }
    if (!q.is_leaf() && q.policy == FairPolicy::kFifo) {
      if (explicit_policy) {
        return Error(Line(e), absl::StrCat("queue ", q.path,
                                           ": schedulingPolicy fifo can only be used for leaf "
                                           "queues; ",
                                           q.path, " is a parent"));
      }
      q.policy = FairPolicy::kFair;  // defaultQueueSchedulingPolicy fifo applies to leaves only
    }
    Resource probe(1 << 20, 1 << 10);  // compare like forms on a notional cluster
    if (!q.max_resources.is_percent || q.min_resources.is_percent) {
      Resource min = q.min_resources.Resolve(probe), max = q.max_resources.Resolve(probe);
      if (min.memory_mb > max.memory_mb || min.vcores > max.vcores) {
        return Error(Line(e), absl::StrCat("queue ", q.path, ": minResources ", min.ToString(),
                                           " exceed maxResources ", max.ToString()));
      }
    }
    return absl::OkStatus();
  }

  absl::Status ParsePlacement(const pugi::xml_node& policy) {
    auto rules = ParseRules(policy);
    if (!rules.ok()) return rules.status();
    if (rules->empty()) return Error(Line(policy), "<queuePlacementPolicy> has no <rule>");
    for (size_t i = 0; i + 1 < rules->size(); ++i) {
      if ((*rules)[i].IsTerminal()) {
        return Error((*rules)[i + 1].line,
                     absl::StrCat("rule ", (*rules)[i + 1].Name(), " can never be reached: rule ",
                                  (*rules)[i].Name(), " before it always places the application"));
      }
    }
    if (!rules->back().IsTerminal()) {
      return Error(
          rules->back().line,
          absl::StrCat("the last placement rule (", rules->back().Name(),
                       ") may not place an application; end with a rule that always "
                       "does (default, reject, or user/primaryGroup with create=\"true\")"));
    }
    out_.rules = std::move(*rules);
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<PlacementRule>> ParseRules(const pugi::xml_node& parent) {
    std::vector<PlacementRule> rules;
    for (pugi::xml_node r : parent.children()) {
      if (r.type() != pugi::node_element) continue;
      if (std::string(r.name()) != "rule") {
        return Error(Line(r),
                     absl::StrCat("<", r.name(), "> in <", parent.name(), ">: expected <rule>"));
      }
      PlacementRule rule;
      rule.line = Line(r);
      std::string name = r.attribute("name").value();
      static const std::map<std::string, PlacementRule::Kind> kKinds = {
          {"specified", PlacementRule::Kind::kSpecified},
          {"user", PlacementRule::Kind::kUser},
          {"primaryGroup", PlacementRule::Kind::kPrimaryGroup},
          {"secondaryGroupExistingQueue", PlacementRule::Kind::kSecondaryGroupExistingQueue},
          {"nestedUserQueue", PlacementRule::Kind::kNestedUserQueue},
          {"default", PlacementRule::Kind::kDefault},
          {"reject", PlacementRule::Kind::kReject}};
      auto kind = kKinds.find(name);
      if (kind == kKinds.end()) {
        return Error(rule.line, absl::StrCat("unknown placement rule \"", name,
                                             "\"; expected specified, user, primaryGroup, "
                                             "secondaryGroupExistingQueue, nestedUserQueue, "
                                             "default or reject"));
      }
      rule.kind = kind->second;
      std::string create = absl::AsciiStrToLower(r.attribute("create").value());
      if (!create.empty() && create != "true" && create != "false") {
        return Error(rule.line,
                     absl::StrCat("rule ", name, ": create=\"", r.attribute("create").value(),
                                  "\" must be true or false"));
      }
      rule.create = create != "false";
      if (rule.kind == PlacementRule::Kind::kSecondaryGroupExistingQueue) rule.create = false;
      if (rule.kind == PlacementRule::Kind::kDefault) {
        std::string queue = r.attribute("queue").value();
        rule.queue = queue.empty() ? "root.default"
                                   : (absl::StartsWith(queue, "root.") || queue == "root"
                                          ? queue
                                          : absl::StrCat("root.", queue));
      }
      if (rule.kind == PlacementRule::Kind::kNestedUserQueue) {
        auto nested = ParseRules(r);
        if (!nested.ok()) return nested.status();
        if (nested->size() != 1 || nested->front().kind == PlacementRule::Kind::kNestedUserQueue ||
            nested->front().kind == PlacementRule::Kind::kReject) {
          return Error(rule.line,
                       "rule nestedUserQueue needs exactly one nested <rule> that names the "
                       "parent queue (specified, primaryGroup, secondaryGroupExistingQueue or "
                       "default)");
        }
        rule.nested = std::move(*nested);
      }
      rules.push_back(std::move(rule));
    }
    return rules;
  }

  absl::StatusOr<int32_t> Int(const pugi::xml_node& e, const std::string& what) {
    int64_t n = 0;
    std::string text = TextOf(e);
    if (!absl::SimpleAtoi(text, &n) || n < 0 || n > kUnlimitedApps) {
      return Error(Line(e), absl::StrCat(what, " \"", text, "\" must be an integer >= 0"));
    }
    return static_cast<int32_t>(n);
  }

  absl::StatusOr<double> AmShare(const pugi::xml_node& e, const std::string& what) {
    double d = 0;
    std::string text = TextOf(e);
    if (!absl::SimpleAtod(text, &d) || !((d >= 0 && d <= 1) || std::fabs(d + 1) < 1e-9)) {
      return Error(Line(e), absl::StrCat(what, " \"", text,
                                         "\" must be a fraction between 0 and 1, or -1 for no "
                                         "limit"));
    }
    return d;
  }

  absl::StatusOr<double> Fraction(const pugi::xml_node& e, const std::string& what) {
    double d = 0;
    std::string text = TextOf(e);
    if (!absl::SimpleAtod(text, &d) || d < 0 || d > 1) {
      return Error(Line(e),
                   absl::StrCat(what, " \"", text, "\" must be a fraction between 0 and 1"));
    }
    return d;
  }

  absl::StatusOr<int64_t> Seconds(const pugi::xml_node& e, const std::string& what) {
    int64_t n = 0;
    std::string text = TextOf(e);
    if (!absl::SimpleAtoi(text, &n) || n < 0) {
      return Error(Line(e), absl::StrCat(what, " \"", text, "\" must be whole seconds >= 0"));
    }
    return n > kNoTimeout / 1000 ? kNoTimeout : n * 1000;
  }

  int Line(const pugi::xml_node& node) const { return LineAt(xml_, node.offset_debug()); }

  absl::Status Error(int line, absl::string_view problem) const {
    return absl::InvalidArgumentError(absl::StrCat(source_, ":", line, ": ", problem));
  }

  absl::string_view xml_;
  const std::string& source_;
  const FairSiteConfig& site_;
  AllocationConfig& out_;
};

std::string DirOfSource(const std::string& source) {
  // "<path>:<line>" for values read from a file.
  size_t colon = source.rfind(':');
  if (colon == std::string::npos || !absl::EndsWith(source.substr(0, colon), ".xml")) return "";
  std::string dir = std::filesystem::path(source.substr(0, colon)).parent_path().string();
  return dir.empty() ? "." : dir;
}

}  // namespace

absl::string_view PolicyName(FairPolicy p) {
  switch (p) {
    case FairPolicy::kFifo:
      return "fifo";
    case FairPolicy::kDrf:
      return "drf";
    case FairPolicy::kFair:
      break;
  }
  return "fair";
}

absl::StatusOr<ResourceSpec> ResourceSpec::Parse(absl::string_view raw) {
  std::string text = absl::AsciiStrToLower(absl::StripAsciiWhitespace(raw));
  if (text.empty()) return BadResource(raw, "empty");
  ResourceSpec spec;
  std::vector<std::string> parts = absl::StrSplit(text, ',', absl::SkipWhitespace());
  double value = 0;
  bool percent = false;
  if (parts.size() == 1 && text.find('=') == std::string::npos &&
      ParseNumber(text, &value, &percent) && percent) {  // "50.0%": every type
    if (value > 100) return BadResource(raw, "a percentage above 100");
    spec.is_percent = true;
    spec.memory_pct = spec.vcores_pct = value / 100;
    return spec;
  }
  bool have_memory = false, have_vcores = false, any_percent = false, any_absolute = false;
  for (const std::string& part : parts) {
    std::string unit, number;
    if (size_t eq = part.find('='); eq != std::string::npos) {  // memory-mb=1024 / vcores=20%
      unit = std::string(absl::StripAsciiWhitespace(part.substr(0, eq)));
      number = part.substr(eq + 1);
    } else {  // 1024 mb / 50% memory
      std::string p(absl::StripAsciiWhitespace(part));
      size_t end = p.find_first_not_of("0123456789.%");
      if (end == std::string::npos || end == 0) {
        return BadResource(raw, absl::StrCat("\"", part, "\" has no unit"));
      }
      number = p.substr(0, end);
      unit = std::string(absl::StripAsciiWhitespace(p.substr(end)));
    }
    if (!ParseNumber(number, &value, &percent)) {
      return BadResource(raw, absl::StrCat("\"", number, "\" is not a non-negative number"));
    }
    (percent ? any_percent : any_absolute) = true;
    if (percent && value > 100) return BadResource(raw, "a percentage above 100");
    if (unit == "mb" || unit == "memory-mb" || unit == "memory") {
      have_memory = true;
      if (percent)
        spec.memory_pct = value / 100;
      else
        spec.absolute.memory_mb = static_cast<int64_t>(value);
    } else if (unit == "vcores" || unit == "cpu") {
      have_vcores = true;
      if (percent)
        spec.vcores_pct = value / 100;
      else
        spec.absolute.vcores = static_cast<int64_t>(value);
    } else {
      return BadResource(raw, absl::StrCat("unknown resource type \"", unit, "\""));
    }
  }
  if (any_percent && any_absolute) return BadResource(raw, "mixes percentages and amounts");
  if (!have_memory) return BadResource(raw, "missing memory");
  if (!have_vcores) return BadResource(raw, "missing vcores");
  spec.is_percent = any_percent;
  return spec;
}

Resource ResourceSpec::Resolve(const Resource& cluster) const {
  if (!is_percent) return absolute;
  return Resource(static_cast<int64_t>(cluster.memory_mb * memory_pct),
                  static_cast<int64_t>(cluster.vcores * vcores_pct));
}

std::string PlacementRule::Name() const {
  switch (kind) {
    case Kind::kSpecified:
      return "specified";
    case Kind::kUser:
      return "user";
    case Kind::kPrimaryGroup:
      return "primaryGroup";
    case Kind::kSecondaryGroupExistingQueue:
      return "secondaryGroupExistingQueue";
    case Kind::kNestedUserQueue:
      return "nestedUserQueue";
    case Kind::kReject:
      return "reject";
    case Kind::kDefault:
      break;
  }
  return "default";
}

bool PlacementRule::IsTerminal() const {
  switch (kind) {
    case Kind::kDefault:
    case Kind::kReject:
      return true;
    case Kind::kUser:
    case Kind::kPrimaryGroup:
      return create;
    default:  // nestedUserQueue too: its parent may turn out to be a leaf
      return false;
  }
}

absl::StatusOr<FairSiteConfig> FairSiteConfig::FromConfiguration(const conf::Configuration& conf) {
  FairSiteConfig site;
  constexpr char kFileKey[] = "yarn.scheduler.fair.allocation.file";
  std::string file = conf.Get(kFileKey, "fair-scheduler.xml");
  site.allocation_file_explicit = conf.SourceOf(kFileKey) != "default" && conf.Contains(kFileKey);
  if (!file.empty() && file[0] != '/') {
    std::string dir = DirOfSource(conf.SourceOf(kFileKey));
    for (const std::string& key : conf.Keys()) {
      if (!dir.empty()) break;
      std::string source = conf.SourceOf(key);
      if (source.find("yarn-site.xml:") != std::string::npos) dir = DirOfSource(source);
    }
    if (dir.empty()) {
      if (auto env = conf::ResolveConfDir(std::nullopt)) dir = *env;
    }
    if (!dir.empty()) file = (std::filesystem::path(dir) / file).string();
  }
  site.allocation_file = file;
  auto get_bool = [&conf](const char* key, bool def, bool* out) {
    auto v = conf.GetBool(key, def);
    if (v.ok()) *out = *v;
    return v.status();
  };
  for (auto [key, def, out] :
       {std::make_tuple("yarn.scheduler.fair.user-as-default-queue", true,
                        &site.user_as_default_queue),
        std::make_tuple("yarn.scheduler.fair.allow-undeclared-pools", true,
                        &site.allow_undeclared_pools),
        std::make_tuple("yarn.scheduler.fair.preemption", false, &site.preemption),
        std::make_tuple("yarn.acl.enable", false, &site.acl_enabled),
        std::make_tuple("yarn.scheduler.fair.sizebasedweight", false, &site.size_based_weight),
        std::make_tuple("yarn.scheduler.fair.assignmultiple", false, &site.assign_multiple),
        std::make_tuple("yarn.scheduler.fair.dynamic.max.assign", true,
                        &site.dynamic_max_assign)}) {
    if (absl::Status s = get_bool(key, def, out); !s.ok()) return s;
  }
  constexpr char kThreshold[] = "yarn.scheduler.fair.preemption.cluster-utilization-threshold";
  auto threshold = conf.GetDouble(kThreshold, 0.8);
  if (!threshold.ok()) return threshold.status();
  if (*threshold < 0 || *threshold > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(kThreshold, "=", *threshold, ": must be a fraction between 0 and 1"));
  }
  site.preemption_utilization_threshold = *threshold;
  for (auto [key, def, out] :
       {std::make_tuple("yarn.scheduler.fair.update-interval-ms", 500, &site.update_interval_ms),
        std::make_tuple("yarn.scheduler.fair.waitTimeBeforeKill", 15000,
                        &site.wait_time_before_kill_ms)}) {
    auto v = conf.GetInt(key, def);
    if (!v.ok()) return v.status();
    if (*v <= 0) {
      return absl::InvalidArgumentError(absl::StrCat(key, "=", *v, ": must be positive"));
    }
    *out = *v;
  }
  constexpr char kMaxAssign[] = "yarn.scheduler.fair.max.assign";
  auto max_assign = conf.GetInt(kMaxAssign, -1);
  if (!max_assign.ok()) return max_assign.status();
  if (*max_assign > kUnlimitedApps) {
    return absl::InvalidArgumentError(
        absl::StrCat(kMaxAssign, "=", *max_assign, ": must be at most ", kUnlimitedApps));
  }
  site.max_assign = static_cast<int32_t>(std::max<int64_t>(-1, *max_assign));
  auto prio = conf.GetInt("yarn.cluster.max-application-priority", 0);
  if (!prio.ok()) return prio.status();
  site.max_application_priority = static_cast<int32_t>(std::max<int64_t>(0, *prio));
  return site;
}

int AllocationConfig::Find(const std::string& name) const {
  std::string path =
      name == "root" || absl::StartsWith(name, "root.") ? name : absl::StrCat("root.", name);
  for (size_t i = 0; i < queues.size(); ++i) {
    if (queues[i].path == path) return static_cast<int>(i);
  }
  return -1;
}

int32_t AllocationConfig::UserMaxApps(const std::string& user) const {
  auto it = user_max_apps.find(user);
  return it == user_max_apps.end() ? user_max_apps_default : it->second;
}

absl::StatusOr<int> AllocationConfig::CreateQueue(const std::string& path, bool as_parent) {
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  if (parts.empty() || parts[0] != "root") {
    return absl::InvalidArgumentError(absl::StrCat("queue ", path, " is not under root"));
  }
  int parent = 0;
  std::string current = "root";
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string& name = parts[i];
    if (name.empty() || name.find(' ') != std::string::npos ||
        absl::StripAsciiWhitespace(name) != name) {
      return absl::InvalidArgumentError(
          absl::StrCat("queue name \"", name, "\" in ", path, " is empty or contains spaces"));
    }
    current = absl::StrCat(current, ".", name);
    bool last = i + 1 == parts.size();
    int found = Find(current);
    if (found >= 0) {
      if (!last && queues[found].is_leaf()) {
        return absl::InvalidArgumentError(absl::StrCat("cannot create queue ", path, ": ", current,
                                                       " is a leaf queue, not a parent"));
      }
      parent = found;
      continue;
    }
    FairQueueConfig q;
    q.name = name;
    q.path = current;
    q.parent = parent;
    q.dynamic = true;
    q.declared_parent = !last || as_parent;
    const FairQueueConfig& up = queues[parent];
    q.max_resources =
        up.has_max_child_resources ? up.max_child_resources : queue_max_resources_default;
    q.max_container_allocation = up.max_container_allocation;
    q.allow_preemption_from = up.allow_preemption_from;
    q.max_running_apps = queue_max_apps_default;
    q.max_am_share = queue_max_am_share_default;
    q.policy = default_policy == FairPolicy::kFifo && q.declared_parent ? FairPolicy::kFair
                                                                        : default_policy;
    q.min_share_preemption_timeout_ms = default_min_share_preemption_timeout_ms;
    q.fair_share_preemption_timeout_ms = default_fair_share_preemption_timeout_ms;
    q.fair_share_preemption_threshold = default_fair_share_preemption_threshold;
    q.acl_submit_apps = QueueAcl::Parse(" ");
    q.acl_administer_apps = QueueAcl::Parse(" ");
    int index = static_cast<int>(queues.size());
    queues.push_back(std::move(q));
    queues[parent].children.push_back(index);
    parent = index;
  }
  return parent;
}

AllocationConfig AllocationConfig::Defaults(const FairSiteConfig& site) {
  AllocationConfig out;
  FairQueueConfig root;
  root.name = root.path = "root";
  root.declared_parent = true;
  root.max_am_share = -1;
  root.acl_submit_apps = QueueAcl::Parse("*");
  root.acl_administer_apps = QueueAcl::Parse("*");
  out.queues.push_back(std::move(root));
  auto made = out.CreateQueue("root.default", false);
  if (made.ok()) out.queues[*made].dynamic = false;
  // Hadoop's implied policy: specified, then user when user-as-default-queue, then default.
  bool create = site.allow_undeclared_pools;
  PlacementRule specified;
  specified.kind = PlacementRule::Kind::kSpecified;
  specified.create = create;
  out.rules.push_back(specified);
  if (site.user_as_default_queue) {
    PlacementRule user;
    user.kind = PlacementRule::Kind::kUser;
    user.create = create;
    out.rules.push_back(user);
  }
  if (!site.user_as_default_queue || !create) {
    PlacementRule def;
    def.kind = PlacementRule::Kind::kDefault;
    def.queue = "root.default";
    out.rules.push_back(def);
  }
  return out;
}

absl::StatusOr<AllocationConfig> AllocationConfig::Parse(absl::string_view xml,
                                                         const std::string& source,
                                                         const FairSiteConfig& site) {
  AllocationConfig out;
  out.source = source;
  FileParser parser(xml, source, site, out);
  if (absl::Status s = parser.Run(); !s.ok()) return s;
  return out;
}

absl::StatusOr<AllocationConfig> AllocationConfig::Load(const FairSiteConfig& site) {
  std::ifstream in(site.allocation_file, std::ios::binary);
  if (!in) {
    if (!site.allocation_file_explicit) return Defaults(site);
    return absl::NotFoundError(
        absl::StrCat("allocation file ", site.allocation_file,
                     " (yarn.scheduler.fair.allocation.file) cannot be read"));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto parsed = Parse(buffer.str(), site.allocation_file, site);
  if (parsed.ok()) {
    for (const std::string& w : parsed->warnings) std::cerr << "WARN " << w << "\n";
  }
  return parsed;
}

}  // namespace skein::rm
