// SLS-like in-process scheduler benchmark: synthetic nodes, queues, applications and asks (sizes
// drawn from a seeded distribution), driven through the same Scheduler interface the RM uses.
//
// For each scheduler x calculator x cluster size it measures
//   fill   : allocations per second while an empty cluster fills up (one Schedule() call hands
//            out everything that fits);
//   churn  : the cost of one "heartbeat" — a container completes (ReleaseContainer) and the freed
//            room is handed out again (Schedule()) — averaged over many rounds;
//   memory : resident-set growth of the process while the scheduler state was built.
// Times are the scheduling thread's CPU time (see SteadyClock below).
// Prints a table; --json FILE writes the rows as JSON.
//
//   build-release/bin/scheduler_bench [--nodes 100,1000,10000,50000] [--apps 1000]
//                                     [--queues 20] [--schedulers fifo,capacity,fair]
//                                     [--heartbeats 20000] [--fair-assign unlimited|one]
//                                     [--json FILE]
//
// --heartbeats: churn rounds per row (0 skips the churn phase, e.g. to profile the fill alone).
// --fair-assign: containers per node per Schedule() pass for the Fair rows. unlimited (the
// default here): yarn.scheduler.fair.assignmultiple=true with dynamic.max.assign=false, so a pass
// gives a node as many containers as fit, as the Capacity scheduler does; one: Hadoop's default
// (assignmultiple=false), so the fill takes one pass per container a node holds.
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/conf/configuration.h"
#include "common/resource.h"
#include "resourcemanager/scheduler/scheduler.h"

namespace skein::rm {
namespace {

// Times are this thread's CPU time: on a quiet machine the same as wall time, and still
// meaningful when other processes share the cores (the project machine is shared by builds).
struct SteadyClock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<SteadyClock, duration>;
  static time_point now() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return time_point(duration(int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec));
  }
};

int64_t RssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return 0;
}

struct Row {
  std::string scheduler, calculator;
  int nodes = 0, apps = 0, queues = 0;
  int64_t allocations = 0;
  double fill_seconds = 0, fill_rate = 0, churn_us = 0;
  int64_t rss_growth_mb = 0;
};

conf::Configuration CapacityConf(int queues) {
  conf::Configuration c;
  std::string names;
  for (int q = 0; q < queues; ++q) absl::StrAppend(&names, q ? "," : "", "q", q);
  c.Set("yarn.scheduler.capacity.root.queues", names);
  // Capacities in hundredths so any queue count sums to exactly 100.
  int64_t left = 10000;
  for (int q = 0; q < queues; ++q) {
    int64_t share = q == queues - 1 ? left : 10000 / queues;
    left -= share;
    std::string p = absl::StrCat("yarn.scheduler.capacity.root.q", q, ".");
    c.Set(p + "capacity", absl::StrCat(share / 100, ".", share % 100 < 10 ? "0" : "", share % 100));
    c.Set(p + "maximum-capacity", "100");
    c.Set(p + "user-limit-factor", "-1");
  }
  c.Set("yarn.scheduler.capacity.maximum-am-resource-percent", "1.0");
  return c;
}

// Fair: the same queue names with weights 1..4 in an allocation file, no AM share limit.
void AddFairAllocations(conf::Configuration& c, int queues) {
  std::string path = absl::StrCat("/tmp/skein_scheduler_bench_fair_", getpid(), ".xml");
  std::ofstream out(path);
  out << "<allocations>\n<queueMaxAMShareDefault>-1</queueMaxAMShareDefault>\n";
  for (int q = 0; q < queues; ++q) {
    out << "<queue name=\"q" << q << "\"><weight>" << 1 + q % 4 << "</weight></queue>\n";
  }
  out << "</allocations>\n";
  c.Set("yarn.scheduler.fair.allocation.file", path);
}

struct Options {
  int apps = 1000, queues = 20, heartbeats = 20000;
  bool fair_assign_unlimited = true;
};

Row RunOne(const std::string& sched_name, const ResourceCalculator& calc, int nodes,
           const Options& opt, uint64_t seed) {
  const int apps = opt.apps, queues = opt.queues;
  int64_t rss_before = RssKb();
  conf::Configuration conf = CapacityConf(queues);
  if (sched_name == "fair") {
    AddFairAllocations(conf, queues);
    conf.Set("yarn.scheduler.fair.assignmultiple", opt.fair_assign_unlimited ? "true" : "false");
    conf.Set("yarn.scheduler.fair.dynamic.max.assign", "false");
  }
  SchedulerOptions options;
  options.calculator = &calc;
  options.conf = &conf;
  auto made = MakeScheduler(sched_name, options);
  if (sched_name == "fair") {  // read at construction only
    std::remove(conf.Get("yarn.scheduler.fair.allocation.file", "").c_str());
  }
  if (!made.ok()) {
    fprintf(stderr, "%s\n", std::string(made.status().message()).c_str());
    std::exit(1);
  }
  Scheduler& s = **made;
  const Resource node_size(16384, 16);
  for (int n = 0; n < nodes; ++n) s.AddNode(NodeId(absl::StrCat("host", n), 8041), node_size);
  std::mt19937_64 rng(seed);
  const int64_t sizes_mb[] = {1024, 1024, 2048, 2048, 2048, 4096};
  // Demand: 1.2x what the cluster holds at the mean container size, spread over the apps.
  int64_t capacity_containers = static_cast<int64_t>(nodes) * 16384 / 2048;
  int32_t per_app = static_cast<int32_t>(std::max<int64_t>(1, capacity_containers * 6 / 5 / apps));
  for (int a = 0; a < apps; ++a) {
    ApplicationAttemptId attempt(ApplicationId(1, a + 1), 1);
    auto q = s.AddAttempt(attempt, absl::StrCat("q", a % queues), absl::StrCat("user", a % 50), 0);
    if (!q.ok()) {
      fprintf(stderr, "AddAttempt: %s\n", std::string(q.status().message()).c_str());
      std::exit(1);
    }
    Ask ask;
    ask.priority = 1;
    ask.capability = Resource(sizes_mb[rng() % 6], 1 + static_cast<int64_t>(rng() % 2));
    ask.num_containers = per_app;
    (void)s.UpdateAsks(attempt, {ask});
  }
  Row row;
  row.scheduler = s.ClassName().substr(s.ClassName().rfind('.') + 1);
  row.calculator = std::string(calc.ClassName().substr(calc.ClassName().rfind('.') + 1));
  row.nodes = nodes;
  row.apps = apps;
  row.queues = queues;

  auto t0 = SteadyClock::now();
  std::vector<ContainerId> live;
  while (true) {
    std::vector<Allocation> got = s.Schedule();
    if (got.empty()) break;
    for (auto& a : got) live.push_back(a.container_id);
  }
  row.fill_seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  row.allocations = static_cast<int64_t>(live.size());
  row.fill_rate = row.fill_seconds > 0 ? row.allocations / row.fill_seconds : 0;
  row.rss_growth_mb = (RssKb() - rss_before) / 1024;

  // Churn: one completion + one scheduling pass, many times.
  const int rounds = opt.heartbeats;
  int64_t reallocated = 0;
  auto t1 = SteadyClock::now();
  for (int r = 0; r < rounds && !live.empty(); ++r) {
    size_t i = rng() % live.size();
    s.ReleaseContainer(live[i]);
    live[i] = live.back();
    live.pop_back();
    for (auto& a : s.Schedule()) {
      live.push_back(a.container_id);
      ++reallocated;
    }
  }
  row.churn_us =
      rounds > 0
          ? std::chrono::duration<double, std::micro>(SteadyClock::now() - t1).count() / rounds
          : 0;
  (void)reallocated;
  return row;
}

}  // namespace
}  // namespace skein::rm

int main(int argc, char** argv) {
  std::vector<int> node_counts = {100, 1000, 10000, 50000};
  skein::rm::Options opt;
  std::vector<std::string> schedulers = {"fifo", "capacity", "fair"};
  std::string json;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--nodes") {
      node_counts.clear();
      for (auto part : absl::StrSplit(value, ',')) {
        int n = 0;
        if (absl::SimpleAtoi(part, &n) && n > 0) node_counts.push_back(n);
      }
    } else if (flag == "--apps") {
      opt.apps = std::max(1, std::atoi(value.c_str()));
    } else if (flag == "--queues") {
      opt.queues = std::max(1, std::atoi(value.c_str()));
    } else if (flag == "--heartbeats") {
      opt.heartbeats = std::max(0, std::atoi(value.c_str()));
    } else if (flag == "--fair-assign") {
      if (value != "unlimited" && value != "one") {
        fprintf(stderr, "--fair-assign must be unlimited or one, not %s\n", value.c_str());
        return 1;
      }
      opt.fair_assign_unlimited = value == "unlimited";
    } else if (flag == "--schedulers") {
      schedulers = absl::StrSplit(value, ',', absl::SkipEmpty());
    } else if (flag == "--json") {
      json = value;
    } else {
      fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 1;
    }
  }
  skein::DefaultResourceCalculator def;
  skein::DominantResourceCalculator dom;
  std::vector<skein::rm::Row> rows;
  printf("%-18s %-27s %7s %5s %6s %10s %9s %14s %12s %9s\n", "scheduler", "calculator", "nodes",
         "apps", "queues", "allocs", "fill_s", "allocs/s", "heartbeat_us", "rss_MB");
  for (const std::string& sched : schedulers) {
    for (const skein::ResourceCalculator* calc :
         {static_cast<const skein::ResourceCalculator*>(&def),
          static_cast<const skein::ResourceCalculator*>(&dom)}) {
      for (int nodes : node_counts) {
        auto r = skein::rm::RunOne(sched, *calc, nodes, opt, 42);
        printf("%-18s %-27s %7d %5d %6d %10lld %9.3f %14.0f %12.2f %9lld\n", r.scheduler.c_str(),
               r.calculator.c_str(), r.nodes, r.apps, r.queues,
               static_cast<long long>(r.allocations), r.fill_seconds, r.fill_rate, r.churn_us,
               static_cast<long long>(r.rss_growth_mb));
        fflush(stdout);
        rows.push_back(r);
      }
    }
  }
  if (!json.empty()) {
    std::ofstream out(json);
    out << "[\n";
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      out << "  {\"scheduler\":\"" << r.scheduler << "\",\"calculator\":\"" << r.calculator
          << "\",\"nodes\":" << r.nodes << ",\"apps\":" << r.apps << ",\"queues\":" << r.queues
          << ",\"allocations\":" << r.allocations << ",\"fill_seconds\":" << r.fill_seconds
          << ",\"allocations_per_second\":" << r.fill_rate
          << ",\"heartbeat_microseconds\":" << r.churn_us
          << ",\"rss_growth_mb\":" << r.rss_growth_mb << "}" << (i + 1 < rows.size() ? "," : "")
          << "\n";
    }
    out << "]\n";
  }
  return 0;
}
