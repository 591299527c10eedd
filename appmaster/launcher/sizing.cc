#include "appmaster/launcher/sizing.h"

#include <algorithm>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/conf/configuration.h"

namespace skein::launcher {

namespace {

std::optional<std::string> ConfValue(const SubmitSettings& s, const std::string& key) {
  auto it = s.conf.find(key);
  if (it == s.conf.end()) return std::nullopt;
  return it->second;
}

// The flag when given, else the --conf key, else nullopt. `source` says which one was used.
std::optional<std::string> FlagOrConf(const std::optional<std::string>& flag,
                                      const std::string& flag_name, const SubmitSettings& s,
                                      const std::string& key, std::string* source) {
  if (flag.has_value()) {
    *source = flag_name;
    return flag;
  }
  *source = key;
  return ConfValue(s, key);
}

absl::StatusOr<int64_t> Memory(const std::optional<std::string>& text, const std::string& source,
                               int64_t default_mb) {
  if (!text.has_value()) return default_mb;
  auto mb = conf::ParseMemoryMb(*text);
  if (!mb.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": ", mb.status().message()));
  }
  if (*mb < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": memory \"", *text, "\" must be at least 1 MB"));
  }
  return *mb;
}

absl::StatusOr<int64_t> Count(const std::optional<std::string>& text, const std::string& source,
                              int64_t default_value, int64_t minimum) {
  if (!text.has_value()) return default_value;
  int64_t v;
  if (!absl::SimpleAtoi(absl::string_view(text->data(), text->size()), &v)) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": \"", *text, "\" is not a whole number"));
  }
  if (v < minimum) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": ", v, " is below the minimum of ", minimum));
  }
  if (v > (int64_t{1} << 30)) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": ", v, " is too large"));
  }
  return v;
}

absl::StatusOr<double> Factor(const SubmitSettings& s, const std::string& key) {
  auto text = ConfValue(s, key);
  if (!text.has_value()) return kDefaultOverheadFactor;
  double v;
  if (!absl::SimpleAtod(absl::string_view(text->data(), text->size()), &v)) {
    return absl::InvalidArgumentError(absl::StrCat(key, ": \"", *text, "\" is not a number"));
  }
  if (!(v > 0.0) || v > 10.0) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ": ", *text, " must be greater than 0 and at most 10"));
  }
  return v;
}

absl::StatusOr<ContainerSize> Size(int64_t memory_mb, int64_t vcores, const SubmitSettings& s,
                                   const std::string& overhead_key, double factor) {
  auto overhead = MemoryOverheadMb(memory_mb, ConfValue(s, overhead_key), factor, overhead_key);
  if (!overhead.ok()) return overhead.status();
  ContainerSize c;
  c.memory_mb = memory_mb;
  c.overhead_mb = *overhead;
  c.vcores = vcores;
  return c;
}

}  // namespace

absl::StatusOr<int64_t> MemoryOverheadMb(int64_t memory_mb,
                                         const std::optional<std::string>& explicit_overhead,
                                         double factor, const std::string& key) {
  if (explicit_overhead.has_value()) {
    auto mb = conf::ParseMemoryMb(*explicit_overhead);
    if (!mb.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(key, ": ", mb.status().message()));
    }
    if (*mb < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ": overhead \"", *explicit_overhead, "\" must not be negative"));
    }
    return *mb;
  }
  return std::max(static_cast<int64_t>(factor * static_cast<double>(memory_mb)),
                  kMinMemoryOverheadMb);
}

absl::StatusOr<LaunchPlan> PlanLaunch(const SubmitSettings& s) {
  LaunchPlan plan;
  plan.deploy_mode = s.deploy_mode;
  std::string src;

  std::string driver_mem_src;
  auto driver_mem_text =
      FlagOrConf(s.driver_memory, "--driver-memory", s, "spark.driver.memory", &driver_mem_src);
  auto driver_mem = Memory(driver_mem_text, driver_mem_src, 1024);
  if (!driver_mem.ok()) return driver_mem.status();
  auto driver_cores =
      Count(FlagOrConf(s.driver_cores, "--driver-cores", s, "spark.driver.cores", &src), src, 1, 1);
  if (!driver_cores.ok()) return driver_cores.status();

  if (s.deploy_mode == DeployMode::kCluster) {
    auto factor = Factor(s, "spark.driver.memoryOverheadFactor");
    if (!factor.ok()) return factor.status();
    auto am = Size(*driver_mem, *driver_cores, s, "spark.driver.memoryOverhead", *factor);
    if (!am.ok()) return am.status();
    plan.am = *am;
  } else {
    auto am_mem = Memory(ConfValue(s, "spark.yarn.am.memory"), "spark.yarn.am.memory", 512);
    if (!am_mem.ok()) return am_mem.status();
    auto am_cores = Count(ConfValue(s, "spark.yarn.am.cores"), "spark.yarn.am.cores", 1, 1);
    if (!am_cores.ok()) return am_cores.status();
    auto am = Size(*am_mem, *am_cores, s, "spark.yarn.am.memoryOverhead", kDefaultOverheadFactor);
    if (!am.ok()) return am.status();
    plan.am = *am;
    if (driver_mem_text.has_value()) {
      plan.notes.push_back(absl::StrCat(
          "Note: ", driver_mem_src, " ", *driver_mem_text,
          " is ignored for container sizing in client mode: the driver runs in this process; "
          "the AM uses spark.yarn.am.memory"));
    }
  }

  auto exec_mem =
      Memory(FlagOrConf(s.executor_memory, "--executor-memory", s, "spark.executor.memory", &src),
             src, 1024);
  if (!exec_mem.ok()) return exec_mem.status();
  auto exec_cores = Count(
      FlagOrConf(s.executor_cores, "--executor-cores", s, "spark.executor.cores", &src), src, 1, 1);
  if (!exec_cores.ok()) return exec_cores.status();
  auto factor = Factor(s, "spark.executor.memoryOverheadFactor");
  if (!factor.ok()) return factor.status();
  auto exec = Size(*exec_mem, *exec_cores, s, "spark.executor.memoryOverhead", *factor);
  if (!exec.ok()) return exec.status();
  plan.executor = *exec;

  auto n =
      Count(FlagOrConf(s.num_executors, "--num-executors", s, "spark.executor.instances", &src),
            src, 2, 1);
  if (!n.ok()) return n.status();
  plan.num_executors = static_cast<int32_t>(*n);

  auto failures =
      Count(ConfValue(s, "spark.executor.maxNumFailures"), "spark.executor.maxNumFailures",
            std::max<int64_t>(2 * plan.num_executors, 3), 1);
  if (!failures.ok()) return failures.status();
  plan.max_executor_failures = static_cast<int32_t>(*failures);

  auto attempts =
      Count(ConfValue(s, "spark.yarn.maxAppAttempts"), "spark.yarn.maxAppAttempts", 0, 1);
  if (!attempts.ok()) return attempts.status();
  plan.max_app_attempts = static_cast<int32_t>(*attempts);

  for (const auto& [key, value] : s.conf) {
    if (key.rfind("spark.", 0) != 0) {
      plan.notes.push_back(absl::StrCat("Warning: Ignoring non-Spark config property: ", key));
    }
  }
  return plan;
}

Resource NormalizeGrant(const ResourceCalculator& calculator, const Resource& ask,
                        const Resource& minimum, const Resource& maximum) {
  return calculator.Normalize(ask, minimum, maximum, minimum);
}

std::string AmAllocationLine(const ContainerSize& am) {
  return absl::StrCat("Will allocate AM container, with ", am.total_mb(), " MB memory including ",
                      am.overhead_mb, " MB overhead");
}

std::string ExecutorAllocationLine(const LaunchPlan& plan) {
  return absl::StrCat("Will request ", plan.num_executors, " executor container(s), each with ",
                      plan.executor.vcores, " core(s) and ", plan.executor.total_mb(),
                      " MB memory including ", plan.executor.overhead_mb, " MB overhead");
}

}  // namespace skein::launcher
