#include "resourcemanager/scheduler/capacity/preemption_policy.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/conf/configuration.h"

namespace skein::rm {
namespace {

constexpr char kMonitor[] = "yarn.resourcemanager.scheduler.monitor.";
constexpr char kPolicy[] = "yarn.resourcemanager.monitor.capacity.preemption.";
constexpr int kMaxFillTurns = 100000;  // a safety bound; each turn hands out a share of the rest

// More than nothing, as the calculator counts (Default: memory; Dominant: any type).
bool Positive(const ResourceCalculator& calc, const Resource& r) { return !calc.FitsIn(r, {}); }

Resource NonNegative(const Resource& r) { return Resource::ComponentMax(Resource(), r); }

absl::Status Invalid(const std::string& key, const std::string& value, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(key, "=", value, ": ", why));
}

absl::StatusOr<double> Fraction(const conf::Configuration& conf, const std::string& suffix,
                                double fallback, bool allow_zero) {
  std::string key = absl::StrCat(kPolicy, suffix);
  auto v = conf.GetDouble(key, fallback);
  if (!v.ok()) return v.status();
  if (*v < 0 || *v > 1 || (!allow_zero && *v == 0)) {
    return Invalid(key, conf.Get(key, ""),
                   allow_zero ? "must be between 0 and 1" : "must be above 0 and at most 1");
  }
  return *v;
}

absl::StatusOr<int64_t> PositiveMs(const conf::Configuration& conf, const std::string& suffix,
                                   int64_t fallback) {
  std::string key = absl::StrCat(kPolicy, suffix);
  auto v = conf.GetInt(key, fallback);
  if (!v.ok()) return v.status();
  if (*v <= 0) return Invalid(key, conf.Get(key, ""), "must be a positive number of milliseconds");
  return *v;
}

// Hands `parent`'s ideal to its children (step 1 of the header, one level). As Hadoop, each turn
// offers the most under-served children (lowest ideal / guarantee) their guarantee-proportional
// share (among all children still wanting) of what is left, until nothing is left or nobody wants.
void Distribute(int parent, const std::vector<std::vector<int>>& children,
                const std::vector<PreemptionQueue>& queues, const std::vector<Resource>& used,
                const std::vector<Resource>& pending, const Resource& cluster,
                const ResourceCalculator& calc, std::vector<Resource>& ideal) {
  Resource avail = ideal[parent];
  std::vector<Resource> cap(queues.size());
  for (int c : children[parent]) {
    const PreemptionQueue& q = queues[c];
    ideal[c] = q.preemption_disabled ? used[c] : Resource::ComponentMin(used[c], q.guaranteed);
    cap[c] = Resource::ComponentMin(q.maximum, used[c] + pending[c]);
    if (q.preemption_disabled) cap[c] = Resource::ComponentMax(cap[c], used[c]);
    avail -= ideal[c];
  }
  avail = NonNegative(avail);
  for (bool guaranteed_pass : {true, false}) {
    std::vector<int> wanting;
    for (int c : children[parent]) {
      if ((queues[c].guarantee > 0) == guaranteed_pass && Positive(calc, cap[c] - ideal[c])) {
        wanting.push_back(c);
      }
    }
    auto weight = [&](int c) { return guaranteed_pass ? queues[c].guarantee : 1.0; };
    auto ratio = [&](int c) { return calc.Share(ideal[c], cluster) / weight(c); };
    for (int turn = 0; turn < kMaxFillTurns && !wanting.empty() && Positive(calc, avail); ++turn) {
      double total_weight = 0;
      double lowest = ratio(wanting.front());
      for (int c : wanting) {
        total_weight += weight(c);
        lowest = std::min(lowest, ratio(c));
      }
      Resource given;
      std::vector<int> still_wanting;
      for (int c : wanting) {
        if (ratio(c) > lowest + 1e-9) {
          still_wanting.push_back(c);
          continue;
        }
        Resource offer = Resource::ComponentMin(
            ScaleResource(avail, weight(c) / total_weight, true), NonNegative(avail - given));
        Resource want = NonNegative(cap[c] - ideal[c]);
        Resource accepted = Resource::ComponentMin(offer, want);
        ideal[c] += accepted;
        given += accepted;
        if (Positive(calc, want - accepted)) still_wanting.push_back(c);
      }
      if (given.IsZero()) break;  // the most under-served cannot take what is left
      avail = NonNegative(avail - given);
      wanting = std::move(still_wanting);
    }
  }
}

}  // namespace

Resource ScaleResource(const Resource& r, double f, bool round_up) {
  auto scale = [f, round_up](int64_t v) {
    double x = v * f;
    return static_cast<int64_t>(round_up ? std::ceil(x - 1e-6) : std::floor(x + 1e-6));
  };
  Resource out(scale(r.memory_mb), scale(r.vcores));
  for (const auto& [k, v] : r.others) {
    int64_t s = scale(v);
    if (s != 0) out.others[k] = s;
  }
  return out;
}

absl::StatusOr<PreemptionConfig> PreemptionConfig::Parse(const conf::Configuration& conf) {
  PreemptionConfig out;
  std::string enable_key = absl::StrCat(kMonitor, "enable");
  auto enable = conf.GetBool(enable_key, false);
  if (!enable.ok()) return enable.status();
  std::string policies_key = absl::StrCat(kMonitor, "policies");
  bool listed = false;
  std::vector<std::string> policies = conf.GetStrings(policies_key);
  if (!conf.Contains(policies_key)) policies = {kPolicyClassName};
  for (const std::string& p : policies) {
    if (p == kPolicyClassName || p == "ProportionalCapacityPreemptionPolicy") {
      listed = true;
    } else if (*enable) {
      return Invalid(policies_key, conf.Get(policies_key, ""),
                     absl::StrCat("unknown scheduling edit policy ", p, "; only ", kPolicyClassName,
                                  " is available"));
    }
  }
  out.enabled = *enable && listed;
  auto observe = conf.GetBool(absl::StrCat(kPolicy, "observe_only"), false);
  if (!observe.ok()) return observe.status();
  out.observe_only = *observe;
  auto interval = PositiveMs(conf, "monitoring_interval", 3000);
  if (!interval.ok()) return interval.status();
  out.monitoring_interval_ms = *interval;
  auto wait = PositiveMs(conf, "max_wait_before_kill", 15000);
  if (!wait.ok()) return wait.status();
  out.max_wait_before_kill_ms = *wait;
  auto per_round = Fraction(conf, "total_preemption_per_round", 0.1, false);
  if (!per_round.ok()) return per_round.status();
  out.total_preemption_per_round = *per_round;
  std::string ignored_key = absl::StrCat(kPolicy, "max_ignored_over_capacity");
  auto ignored = conf.GetDouble(ignored_key, 0.1);
  if (!ignored.ok()) return ignored.status();
  if (*ignored < 0) return Invalid(ignored_key, conf.Get(ignored_key, ""), "must be >= 0");
  out.max_ignored_over_capacity = *ignored;
  auto natural = Fraction(conf, "natural_termination_factor", 0.2, false);
  if (!natural.ok()) return natural.status();
  out.natural_termination_factor = *natural;
  return out;
}

PreemptionPlan PlanPreemption(const std::vector<PreemptionQueue>& queues, const Resource& cluster,
                              const ResourceCalculator& calc, const PreemptionConfig& config) {
  const size_t n = queues.size();
  PreemptionPlan plan;
  plan.ideal.assign(n, Resource());
  plan.to_obtain.assign(n, Resource());
  if (n == 0) return plan;
  std::vector<std::vector<int>> children(n);
  for (size_t q = 1; q < n; ++q) children[queues[q].parent].push_back(static_cast<int>(q));
  // Parents' usage and demand are their leaves' (pre-order: children follow their parent).
  std::vector<Resource> used(n), pending(n);
  for (size_t q = n; q-- > 0;) {
    if (children[q].empty()) {
      used[q] = queues[q].used;
      pending[q] = queues[q].pending;
    }
    if (q > 0) {
      used[queues[q].parent] += used[q];
      pending[queues[q].parent] += pending[q];
    }
  }
  plan.ideal[0] = cluster;
  for (size_t q = 0; q < n; ++q) {
    if (!children[q].empty()) {
      Distribute(static_cast<int>(q), children, queues, used, pending, cluster, calc, plan.ideal);
    }
  }

  Resource total_need;
  for (size_t q = 0; q < n; ++q) {
    if (children[q].empty()) total_need += NonNegative(used[q] - plan.ideal[q]);
  }
  Resource allowed = ScaleResource(cluster, config.total_preemption_per_round, false);
  double factor = 1.0;
  if (!calc.FitsIn(total_need, allowed)) {
    double need_share = calc.Share(total_need, cluster);
    factor = need_share > 0 ? calc.Share(allowed, cluster) / need_share : 0.0;
  }
  for (size_t q = 0; q < n; ++q) {
    if (!children[q].empty() || queues[q].preemption_disabled) continue;
    Resource dead_zone =
        ScaleResource(queues[q].guaranteed, 1.0 + config.max_ignored_over_capacity, false);
    if (calc.FitsIn(used[q], dead_zone)) continue;
    // Never below what the queue would be given anyway: its ideal, or its guarantee as far as
    // it uses and asks for it.
    Resource keep = Resource::ComponentMax(
        plan.ideal[q], Resource::ComponentMin(used[q] + pending[q], queues[q].guaranteed));
    Resource debt = NonNegative(used[q] - keep);
    if (!Positive(calc, debt)) continue;
    plan.to_obtain[q] = ScaleResource(debt, factor * config.natural_termination_factor, false);
    if (!Positive(calc, plan.to_obtain[q])) plan.to_obtain[q] = Resource();
  }
  return plan;
}

std::vector<ContainerId> SelectContainers(const Resource& to_obtain,
                                          const std::vector<PreemptionApp>& apps,
                                          const ResourceCalculator& calc) {
  std::vector<ContainerId> out;
  std::vector<const PreemptionContainer*> skipped_ams;
  Resource remaining = to_obtain;
  for (const PreemptionApp& app : apps) {
    for (const PreemptionContainer& c : app.containers) {
      if (!Positive(calc, remaining)) return out;
      if (c.is_am) {
        skipped_ams.push_back(&c);
        continue;
      }
      out.push_back(c.id);
      remaining -= c.resource;
    }
  }
  for (const PreemptionContainer* am : skipped_ams) {
    if (!Positive(calc, remaining)) break;
    out.push_back(am->id);
    remaining -= am->resource;
  }
  return out;
}

}  // namespace skein::rm
