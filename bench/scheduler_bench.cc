// SLS-like in-process scheduler benchmark: synthetic nodes, queues, applications and asks (sizes
// drawn from a seeded distribution), driven through the same Scheduler interface the RM uses.
//
// For each scheduler x calculator x cluster size it measures
//   fill   : the cost of one allocation while an empty cluster fills up (Schedule() until it
//            hands out nothing more). One fill of a small cluster takes milliseconds, so it is
//            repeated — each repetition on a FRESH scheduler (nodes, apps and asks set up again,
//            untimed), so every timed fill starts from an empty cluster — until the timed fills
//            add up to --min-fill-seconds (and at least 3 repetitions); the row reports the
//            median, min and max nanoseconds per allocation over the repetitions, and the first
//            (cold: first-touch page faults included) separately;
//   churn  : the cost of one "heartbeat" — a container completes (ReleaseContainer) and the freed
//            room is handed out again (Schedule()) — averaged over many rounds, on the last
//            repetition's full cluster;
//   memory : resident-set growth of the process while the first repetition's state was built.
// Times are the scheduling thread's CPU time (see SteadyClock below).
// Prints a table and, per scheduler x calculator, the growth of the median cost per allocation
// from the smallest to the largest --nodes value; --check-growth LIMIT exits 3 when any growth is
// above LIMIT (for quiet-machine runs; not run in CI). --json FILE writes the rows as JSON.
//
//   build-release/bin/scheduler_bench [--nodes 100,1000,10000,50000] [--apps 1000]
//                                     [--queues 20] [--schedulers fifo,capacity,fair]
//                                     [--calculators default,dominant]
//                                     [--heartbeats 20000] [--fair-assign unlimited|one]
//                                     [--min-fill-seconds 0.3] [--reps N]
//                                     [--check-growth 2.0] [--json FILE]
//
// --heartbeats: churn rounds per row (0 skips the churn phase, e.g. to profile the fill alone).
// --reps N: exactly N repetitions per row (overrides --min-fill-seconds; e.g. 1 under valgrind,
// where TimedFill is the function to collect: --toggle-collect='*TimedFill*').
// --fair-assign: containers per node per Schedule() pass for the Fair rows. unlimited (the
// default here): yarn.scheduler.fair.assignmultiple=true with dynamic.max.assign=false, so a pass
// gives a node as many containers as fit, as the Capacity scheduler does; one: Hadoop's default
// (assignmultiple=false), so the fill takes one pass per container a node holds.
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
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
  int64_t allocations = 0;  // per fill (every repetition hands out the same containers)
  double fill_seconds = 0, fill_rate = 0, churn_us = 0;  // fill: the median repetition
  int64_t rss_growth_mb = 0;
  int reps = 0;
  // Nanoseconds per allocation over the repetitions; `cold` is the first one.
  double ns_median = 0, ns_min = 0, ns_max = 0, ns_cold = 0;
  // Page faults per allocation during the timed fills (median over the repetitions): fresh
  // memory the fill touched, whose first-touch cost is part of the fill time.
  double faults_per_alloc = 0;
};

int64_t ThreadMinorFaults() {
  rusage usage;
  getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_minflt;
}

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
  double min_fill_seconds = 0.3;
  int min_reps = 3;
  int max_reps = 1000;
  int exact_reps = 0;  // --reps; 0: by min_fill_seconds
};

// A scheduler with `nodes` empty nodes and every application's asks in place: the state the
// timed fill starts from.
std::unique_ptr<Scheduler> Setup(const std::string& sched_name, const ResourceCalculator& calc,
                                 int nodes, const Options& opt, std::mt19937_64& rng) {
  const int apps = opt.apps, queues = opt.queues;
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
  return std::move(*made);
}

// The timed part: Schedule() until nothing more fits. Not inlined so that a profiler can collect
// exactly this function (valgrind --tool=callgrind --toggle-collect='*TimedFill*').
[[gnu::noinline]] double TimedFill(Scheduler& s, std::vector<ContainerId>& live, int64_t& faults) {
  const int64_t faults_before = ThreadMinorFaults();
  auto t0 = SteadyClock::now();
  while (true) {
    std::vector<Allocation> got = s.Schedule();
    if (got.empty()) break;
    for (auto& a : got) live.push_back(a.container_id);
  }
  double seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  faults = ThreadMinorFaults() - faults_before;
  return seconds;
}

// Churn: one completion + one scheduling pass, `rounds` times; microseconds per round.
double Churn(Scheduler& s, std::vector<ContainerId>& live, int rounds, std::mt19937_64& rng) {
  auto t1 = SteadyClock::now();
  for (int r = 0; r < rounds && !live.empty(); ++r) {
    size_t i = rng() % live.size();
    s.ReleaseContainer(live[i]);
    live[i] = live.back();
    live.pop_back();
    for (auto& a : s.Schedule()) live.push_back(a.container_id);
  }
  return rounds > 0
             ? std::chrono::duration<double, std::micro>(SteadyClock::now() - t1).count() / rounds
             : 0;
}

Row RunOne(const std::string& sched_name, const ResourceCalculator& calc, int nodes,
           const Options& opt, uint64_t seed) {
  Row row;
  row.nodes = nodes;
  row.apps = opt.apps;
  row.queues = opt.queues;
  std::vector<double> seconds;
  std::vector<int64_t> faults;
  double total = 0;
  std::unique_ptr<Scheduler> s;
  std::vector<ContainerId> live;
  std::mt19937_64 rng;
  while (true) {
    const bool first = seconds.empty();
    const int64_t rss_before = first ? RssKb() : 0;
    s.reset();  // the previous repetition's state goes before the next is built (untimed)
    live.clear();
    rng.seed(seed);  // every repetition: the same workload, so the same decisions
    s = Setup(sched_name, calc, nodes, opt, rng);
    int64_t fill_faults = 0;
    double t = TimedFill(*s, live, fill_faults);
    faults.push_back(fill_faults);
    if (first) {
      row.rss_growth_mb = (RssKb() - rss_before) / 1024;
      row.allocations = static_cast<int64_t>(live.size());
    } else if (static_cast<int64_t>(live.size()) != row.allocations) {
      fprintf(stderr, "%s: repetition %zu handed out %zu containers, the first %lld\n",
              sched_name.c_str(), seconds.size() + 1, live.size(),
              static_cast<long long>(row.allocations));
      std::exit(1);
    }
    seconds.push_back(t);
    total += t;
    const int reps = static_cast<int>(seconds.size());
    if (opt.exact_reps > 0
            ? reps >= opt.exact_reps
            : (reps >= opt.min_reps && total >= opt.min_fill_seconds) || reps >= opt.max_reps) {
      break;
    }
  }
  row.scheduler = s->ClassName().substr(s->ClassName().rfind('.') + 1);
  row.calculator = std::string(calc.ClassName().substr(calc.ClassName().rfind('.') + 1));
  row.reps = static_cast<int>(seconds.size());
  const double per = row.allocations > 0 ? 1e9 / row.allocations : 0;
  row.ns_cold = seconds.front() * per;
  std::vector<double> sorted = seconds;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted.size() % 2 == 1
                            ? sorted[sorted.size() / 2]
                            : (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]) / 2;
  row.fill_seconds = median;
  row.fill_rate = median > 0 ? row.allocations / median : 0;
  row.ns_median = median * per;
  row.ns_min = sorted.front() * per;
  row.ns_max = sorted.back() * per;
  std::sort(faults.begin(), faults.end());
  row.faults_per_alloc =
      row.allocations > 0 ? static_cast<double>(faults[faults.size() / 2]) / row.allocations : 0;
  row.churn_us = Churn(*s, live, opt.heartbeats, rng);
  return row;
}

}  // namespace
}  // namespace skein::rm

namespace {

bool ParsePositive(const std::string& flag, const std::string& value, double& out) {
  double v = 0;
  if (!absl::SimpleAtod(value, &v) || !(v > 0)) {
    fprintf(stderr, "%s must be a positive number, not '%s'\n", flag.c_str(), value.c_str());
    return false;
  }
  out = v;
  return true;
}

bool ParsePositiveInt(const std::string& flag, const std::string& value, int& out, int min) {
  int v = 0;
  if (!absl::SimpleAtoi(value, &v) || v < min) {
    fprintf(stderr, "%s must be an integer >= %d, not '%s'\n", flag.c_str(), min, value.c_str());
    return false;
  }
  out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> node_counts = {100, 1000, 10000, 50000};
  skein::rm::Options opt;
  std::vector<std::string> schedulers = {"fifo", "capacity", "fair"};
  std::vector<std::string> calculators = {"default", "dominant"};
  std::string json;
  double check_growth = 0;  // 0: no check
  if (argc % 2 == 0) {
    fprintf(stderr, "flags come in pairs (--flag value); '%s' has no value\n", argv[argc - 1]);
    return 1;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    bool ok = true;
    if (flag == "--nodes") {
      node_counts.clear();
      for (auto part : absl::StrSplit(value, ',')) {
        int n = 0;
        if (!absl::SimpleAtoi(part, &n) || n <= 0) {
          fprintf(stderr, "--nodes takes positive counts, not '%s'\n", std::string(part).c_str());
          return 1;
        }
        node_counts.push_back(n);
      }
      std::sort(node_counts.begin(), node_counts.end());
    } else if (flag == "--apps") {
      ok = ParsePositiveInt(flag, value, opt.apps, 1);
    } else if (flag == "--queues") {
      ok = ParsePositiveInt(flag, value, opt.queues, 1);
    } else if (flag == "--heartbeats") {
      ok = ParsePositiveInt(flag, value, opt.heartbeats, 0);
    } else if (flag == "--reps") {
      ok = ParsePositiveInt(flag, value, opt.exact_reps, 1);
    } else if (flag == "--min-fill-seconds") {
      ok = ParsePositive(flag, value, opt.min_fill_seconds);
    } else if (flag == "--check-growth") {
      ok = ParsePositive(flag, value, check_growth);
    } else if (flag == "--fair-assign") {
      if (value != "unlimited" && value != "one") {
        fprintf(stderr, "--fair-assign must be unlimited or one, not %s\n", value.c_str());
        return 1;
      }
      opt.fair_assign_unlimited = value == "unlimited";
    } else if (flag == "--schedulers") {
      schedulers = absl::StrSplit(value, ',', absl::SkipEmpty());
    } else if (flag == "--calculators") {
      calculators = absl::StrSplit(value, ',', absl::SkipEmpty());
      for (const std::string& c : calculators) {
        if (c != "default" && c != "dominant") {
          fprintf(stderr, "--calculators takes default and/or dominant, not '%s'\n", c.c_str());
          return 1;
        }
      }
    } else if (flag == "--json") {
      json = value;
    } else {
      fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 1;
    }
    if (!ok) return 1;
  }
  if (check_growth > 0 && node_counts.size() < 2) {
    fprintf(stderr, "--check-growth needs at least two --nodes values\n");
    return 1;
  }
  skein::DefaultResourceCalculator def;
  skein::DominantResourceCalculator dom;
  std::vector<skein::rm::Row> rows;
  printf("%-18s %-27s %7s %5s %6s %10s %9s %14s %12s %9s %5s %9s %9s %9s %9s %10s\n", "scheduler",
         "calculator", "nodes", "apps", "queues", "allocs", "fill_s", "allocs/s", "heartbeat_us",
         "rss_MB", "reps", "ns/alloc", "min", "max", "cold", "flt/alloc");
  for (const std::string& sched : schedulers) {
    for (const std::string& calc_name : calculators) {
      const skein::ResourceCalculator& calc =
          calc_name == "default" ? static_cast<const skein::ResourceCalculator&>(def) : dom;
      for (int nodes : node_counts) {
        auto r = skein::rm::RunOne(sched, calc, nodes, opt, 42);
        printf(
            "%-18s %-27s %7d %5d %6d %10lld %9.3f %14.0f %12.2f %9lld %5d %9.0f %9.0f %9.0f "
            "%9.0f %10.3f\n",
            r.scheduler.c_str(), r.calculator.c_str(), r.nodes, r.apps, r.queues,
            static_cast<long long>(r.allocations), r.fill_seconds, r.fill_rate, r.churn_us,
            static_cast<long long>(r.rss_growth_mb), r.reps, r.ns_median, r.ns_min, r.ns_max,
            r.ns_cold, r.faults_per_alloc);
        fflush(stdout);
        rows.push_back(r);
      }
    }
  }
  // Growth of the median cost per allocation from the smallest to the largest cluster.
  bool over = false;
  if (node_counts.size() > 1) {
    printf("growth %d->%d nodes (median ns per allocation, largest / smallest):",
           node_counts.front(), node_counts.back());
    std::map<std::pair<std::string, std::string>, std::pair<double, double>> ends;
    std::vector<std::pair<std::string, std::string>> order;
    for (const auto& r : rows) {
      auto key = std::make_pair(r.scheduler, r.calculator);
      if (!ends.count(key)) order.push_back(key);
      if (r.nodes == node_counts.front()) ends[key].first = r.ns_median;
      if (r.nodes == node_counts.back()) ends[key].second = r.ns_median;
    }
    for (const auto& key : order) {
      const auto& [small, large] = ends[key];
      double growth = small > 0 ? large / small : 0;
      bool bad = check_growth > 0 && growth > check_growth;
      over = over || bad;
      printf(" %s/%s %.2fx%s", key.first.c_str(),
             key.second.substr(0, key.second.find("ResourceCalculator")).c_str(), growth,
             bad ? " (OVER)" : "");
    }
    printf("\n");
    if (check_growth > 0) {
      printf("check-growth %.2f: %s\n", check_growth, over ? "FAILED" : "ok");
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
          << ",\"rss_growth_mb\":" << r.rss_growth_mb << ",\"repetitions\":" << r.reps
          << ",\"ns_per_allocation_median\":" << r.ns_median
          << ",\"ns_per_allocation_min\":" << r.ns_min << ",\"ns_per_allocation_max\":" << r.ns_max
          << ",\"ns_per_allocation_cold\":" << r.ns_cold
          << ",\"page_faults_per_allocation\":" << r.faults_per_alloc << "}"
          << (i + 1 < rows.size() ? "," : "") << "\n";
    }
    out << "]\n";
  }
  return over ? 3 : 0;
}
