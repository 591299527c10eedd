// Test helpers shared by the CapacityScheduler's unit tests (tests only).
#ifndef SKEIN_RESOURCEMANAGER_SCHEDULER_CAPACITY_CAPACITY_TEST_UTIL_H_
#define SKEIN_RESOURCEMANAGER_SCHEDULER_CAPACITY_CAPACITY_TEST_UTIL_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "resourcemanager/scheduler/capacity/capacity_scheduler.h"

namespace skein::rm {

using KV = std::vector<std::pair<std::string, std::string>>;

inline ApplicationAttemptId Attempt(int app) {
  return ApplicationAttemptId(ApplicationId(1000, app), 1);
}

inline Ask MakeAsk(int priority, int64_t mem, int n, int64_t vcores = 1) {
  Ask a;
  a.priority = priority;
  a.capability = Resource(mem, vcores);
  a.num_containers = n;
  return a;
}

inline conf::Configuration Conf(const KV& kv) {
  conf::Configuration c;
  for (const auto& [k, v] : kv) {
    c.Set(absl::StartsWith(k, "yarn.") ? k : "yarn.scheduler.capacity." + k, v);
  }
  return c;
}

class CapacitySchedulerTest : public ::testing::Test {
 protected:
  std::unique_ptr<CapacityScheduler> Make(const KV& kv, const ResourceCalculator* calc = nullptr) {
    conf::Configuration conf = Conf(kv);
    SchedulerOptions options{calc != nullptr ? calc : &calc_};
    options.conf = &conf;
    options.user_groups = [](const std::string& user) {
      return user == "erin" ? std::vector<std::string>{"eng", "staff"} : std::vector<std::string>{};
    };
    auto s = CapacityScheduler::Create(options);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }
  // Submits app `id` to `queue` and asks for `n` containers of `mem` MB.
  void Submit(CapacityScheduler& s, int id, const std::string& queue, const std::string& user,
              int n, int64_t mem = 1024, int32_t prio = 0) {
    auto q = s.AddAttempt(Attempt(id), queue, user, prio);
    ASSERT_TRUE(q.ok()) << q.status();
    ASSERT_TRUE(s.UpdateAsks(Attempt(id), {MakeAsk(1, mem, n)}).ok());
  }
  static std::map<int, int> CountByApp(const std::vector<Allocation>& allocs) {
    std::map<int, int> count;
    for (const Allocation& a : allocs) ++count[a.container_id.application_id().id()];
    return count;
  }

  DefaultResourceCalculator calc_;
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_SCHEDULER_CAPACITY_CAPACITY_TEST_UTIL_H_
