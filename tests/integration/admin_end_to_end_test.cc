// The RM's administrative paths end to end: `yarn rmadmin -refreshQueues` against a real
// ResourceManager whose capacity-scheduler.xml changes on disk, `yarn queue -status`,
// `yarn application -movetoqueue / -updatePriority` on a running application, and Capacity
// preemption across two queues.
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "gtest/gtest.h"
#include "tests/integration/test_cluster.h"

namespace skein::testing {
namespace {

// Writes <rm conf dir>/capacity-scheduler.xml (TestCluster keeps the RM's files in rm-conf/).
void WriteCapacityXml(const TestCluster& cluster, const std::map<std::string, std::string>& props,
                      const std::string& raw_tail = "") {
  std::string path = cluster.base_dir() + "/rm-conf/capacity-scheduler.xml";
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp);
    f << "<?xml version=\"1.0\"?>\n<configuration>\n";
    for (const auto& [k, v] : props) {
      f << "  <property><name>" << k << "</name><value>" << v << "</value></property>\n";
    }
    f << raw_tail << "</configuration>\n";
  }
  std::filesystem::rename(tmp, path);
}

std::map<std::string, std::string> TwoQueues(const std::string& a_capacity = "50") {
  return {{"yarn.scheduler.capacity.root.queues", "default,a"},
          {"yarn.scheduler.capacity.root.default.capacity", "50"},
          {"yarn.scheduler.capacity.root.a.capacity", a_capacity}};
}

TEST(AdminEndToEndTest, RefreshQueuesAddsAQueueAndABadFileKeepsTheRunningOnes) {
  TestCluster cluster(1);
  ASSERT_TRUE(cluster.Start().ok());

  CommandResult missing = cluster.Yarn({"queue", "-status", "a"});
  EXPECT_EQ(missing.exit_code, 255);
  EXPECT_EQ(missing.out, "Cannot get queue from RM by queueName = a, please check.\n");

  WriteCapacityXml(cluster, TwoQueues());
  CommandResult refresh = cluster.Yarn({"rmadmin", "-refreshQueues"});
  ASSERT_EQ(refresh.exit_code, 0) << refresh.out << refresh.err;
  EXPECT_EQ(refresh.out, "");

  CommandResult status = cluster.Yarn({"queue", "-status", "a"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_TRUE(absl::StartsWith(status.out,
                               "Queue Information : \nQueue Name : a\nQueue Path : root.a\n"
                               "\tState : RUNNING\n\tCapacity : 50.00%\n"))
      << status.out;
  EXPECT_TRUE(absl::StrContains(status.out, "\tMaximum Capacity : 100.00%\n")) << status.out;
  EXPECT_TRUE(absl::StrContains(status.out, "\tPreemption : disabled\n")) << status.out;

  CommandResult ran = cluster.Yarn(
      {"distributedshell", "-shell_command", "true", "-num_containers", "1", "-queue", "a"});
  ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  std::string id = AppIdFrom(ran.out);
  auto report = cluster.Report(id);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->final_application_status(), proto::APP_SUCCEEDED);
  EXPECT_TRUE(report->queue() == "a" || report->queue() == "root.a") << report->queue();

  // Capacities over 100% are refused with the reason; the running queues stay.
  WriteCapacityXml(cluster, TwoQueues("80"));
  CommandResult bad = cluster.Yarn({"rmadmin", "-refreshQueues"});
  EXPECT_EQ(bad.exit_code, 255);
  EXPECT_TRUE(absl::StartsWith(bad.err, "refreshQueues: ")) << bad.err;
  EXPECT_TRUE(absl::StrContains(bad.err, "root")) << bad.err;
  // A malformed file: the error names the file.
  WriteCapacityXml(cluster, TwoQueues(), "<property><name>x</name>\n");
  CommandResult broken = cluster.Yarn({"rmadmin", "-refreshQueues"});
  EXPECT_EQ(broken.exit_code, 255);
  EXPECT_TRUE(absl::StrContains(broken.err, "capacity-scheduler.xml")) << broken.err;

  CommandResult still = cluster.Yarn({"queue", "-status", "a"});
  EXPECT_EQ(still.exit_code, 0) << still.out << still.err;
  EXPECT_TRUE(absl::StrContains(still.out, "\tCapacity : 50.00%\n")) << still.out;
  CommandResult again = cluster.Yarn(
      {"distributedshell", "-shell_command", "true", "-num_containers", "1", "-queue", "a"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

TEST(AdminEndToEndTest, RmAdminUsageAndUnknownCommands) {
  TestCluster cluster(0);
  ASSERT_TRUE(cluster.Start().ok());
  CommandResult none = cluster.Yarn({"rmadmin"});
  EXPECT_EQ(none.exit_code, 255);
  EXPECT_TRUE(absl::StartsWith(none.err, "Usage: yarn rmadmin\n   -refreshQueues \n")) << none.err;
  CommandResult unknown = cluster.Yarn({"rmadmin", "-bogus"});
  EXPECT_EQ(unknown.exit_code, 255);
  EXPECT_TRUE(absl::StartsWith(unknown.err, "bogus: Unknown command\nUsage: yarn rmadmin\n"))
      << unknown.err;
  CommandResult help = cluster.Yarn({"rmadmin", "-help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(help.out, "   -refreshQueues: Reload the queues' acls"))
      << help.out;
  CommandResult extra = cluster.Yarn({"rmadmin", "-refreshQueues", "now"});
  EXPECT_EQ(extra.exit_code, 255);
  EXPECT_EQ(extra.err, "Usage: yarn rmadmin [-refreshQueues]\n");
  CommandResult acls = cluster.Yarn({"rmadmin", "-refreshAdminAcls"});
  EXPECT_EQ(acls.exit_code, 0) << acls.err;
}

TEST(AdminEndToEndTest, AdminAclRefusesOtherUsers) {
  // Only "nobody-here" administers the cluster: the test's own user is refused.
  TestCluster cluster(0, {{"yarn.acl.enable", "true"}, {"yarn.admin.acl", "nobody-here"}});
  ASSERT_TRUE(cluster.Start().ok());
  CommandResult refresh = cluster.Yarn({"rmadmin", "-refreshQueues"});
  EXPECT_EQ(refresh.exit_code, 255);
  EXPECT_TRUE(absl::StartsWith(refresh.err, "refreshQueues: User ")) << refresh.err;
  EXPECT_TRUE(absl::StrContains(refresh.err, "doesn't have permission to call 'refreshQueues'"))
      << refresh.err;
}

TEST(AdminEndToEndTest, MoveAndReprioritizeARunningApplication) {
  TestCluster cluster(1, {{"yarn.cluster.max-application-priority", "10"}});
  ASSERT_TRUE(cluster.Start().ok());
  WriteCapacityXml(cluster, TwoQueues());
  ASSERT_EQ(cluster.Yarn({"rmadmin", "-refreshQueues"}).exit_code, 0);

  Process client;
  std::string id = cluster.StartClient(
      client, {"distributedshell", "-shell_command", "sleep 60", "-num_containers", "1"});
  ASSERT_FALSE(id.empty()) << ReadFileOrEmpty(cluster.base_dir() + "/client.err");
  ASSERT_TRUE(cluster.WaitForState(id, {proto::RUNNING}, absl::Seconds(30)).ok());

  CommandResult move = cluster.Yarn({"application", "-movetoqueue", id, "-queue", "a"});
  ASSERT_EQ(move.exit_code, 0) << move.out << move.err;
  EXPECT_EQ(move.out,
            absl::StrCat("Moving application ", id, " to queue a\nSuccessfully completed move.\n"));
  CommandResult status = cluster.Yarn({"application", "-status", id});
  EXPECT_TRUE(absl::StrContains(status.out, "\tQueue : a\n") ||
              absl::StrContains(status.out, "\tQueue : root.a\n"))
      << status.out;

  CommandResult nowhere = cluster.Yarn({"application", "-movetoqueue", id, "-queue", "nope"});
  EXPECT_NE(nowhere.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(nowhere.err, "nope")) << nowhere.err;

  CommandResult prio = cluster.Yarn({"application", "-appId", id, "-updatePriority", "5"});
  ASSERT_EQ(prio.exit_code, 0) << prio.out << prio.err;
  EXPECT_EQ(prio.out,
            absl::StrCat("Updating priority of an application ", id,
                         "\nSuccessfully updated the application ", id, " with priority '5'\n"));
  status = cluster.Yarn({"application", "-status", id});
  EXPECT_TRUE(absl::StrContains(status.out, "\tApplication Priority : 5\n")) << status.out;

  CommandResult bad_prio = cluster.Yarn({"application", "-appId", id, "-updatePriority", "high"});
  EXPECT_EQ(bad_prio.exit_code, 1);
  EXPECT_EQ(bad_prio.err, "Invalid priority 'high': expected an integer\n");
  CommandResult no_app_id = cluster.Yarn({"application", "-updatePriority", "5"});
  EXPECT_EQ(no_app_id.exit_code, 255);
  EXPECT_TRUE(absl::StartsWith(no_app_id.out, "usage: application")) << no_app_id.out;

  auto app = ApplicationId::Parse(id);
  ASSERT_TRUE(app.ok());
  std::string unknown = ApplicationId(app->cluster_timestamp(), 9999).ToString();
  CommandResult move_unknown =
      cluster.Yarn({"application", "-movetoqueue", unknown, "-queue", "a"});
  EXPECT_EQ(move_unknown.exit_code, 255);
  EXPECT_EQ(move_unknown.out,
            absl::StrCat("Application with id '", unknown, "' doesn't exist in RM.\n"));
  CommandResult prio_unknown =
      cluster.Yarn({"application", "-appId", unknown, "-updatePriority", "1"});
  EXPECT_EQ(prio_unknown.exit_code, 255);

  ASSERT_EQ(cluster.Yarn({"application", "-kill", id}).exit_code, 0);
  ASSERT_TRUE(cluster.WaitForState(id, {proto::KILLED}, absl::Seconds(10)).ok());
  CommandResult finished = cluster.Yarn({"application", "-movetoqueue", id, "-queue", "default"});
  EXPECT_EQ(finished.exit_code, 0);
  EXPECT_EQ(finished.out, absl::StrCat("Application ", id, " has already finished \n"));
  (void)client.Wait(absl::Seconds(20));
}

// Two Capacity queues of 50% each that may grow to 100%: `a` fills the cluster, then `b` asks for
// its share; the preemption monitor warns and then kills a's newest containers with exit status
// -102, and b's application runs to success.
TEST(AdminEndToEndTest, CapacityPreemptionTakesBackAnElasticQueuesContainers) {
  std::map<std::string, std::string> props = {
      {"yarn.nodemanager.resource.memory-mb", "4096"},
      {"yarn.resourcemanager.scheduler.monitor.enable", "true"},
      {"yarn.resourcemanager.monitor.capacity.preemption.monitoring_interval", "200"},
      {"yarn.resourcemanager.monitor.capacity.preemption.max_wait_before_kill", "500"},
      {"yarn.resourcemanager.monitor.capacity.preemption.total_preemption_per_round", "1.0"},
      {"yarn.scheduler.capacity.root.queues", "a,b"},
      {"yarn.scheduler.capacity.root.a.capacity", "50"},
      {"yarn.scheduler.capacity.root.b.capacity", "50"},
      {"yarn.scheduler.capacity.root.a.maximum-capacity", "100"},
      {"yarn.scheduler.capacity.root.b.maximum-capacity", "100"},
      {"yarn.scheduler.capacity.root.a.user-limit-factor", "2"},
      {"yarn.scheduler.capacity.root.b.user-limit-factor", "2"},
      {"yarn.scheduler.capacity.maximum-am-resource-percent", "0.5"}};
  TestCluster cluster(1, props);
  ASSERT_TRUE(cluster.Start().ok());
  CommandResult status = cluster.Yarn({"queue", "-status", "a"});
  EXPECT_TRUE(absl::StrContains(status.out, "\tPreemption : enabled\n")) << status.out;

  // a: an AM of 1 GB and three 1 GB containers fill the 4 GB node.
  Process hog;
  std::string a_id =
      cluster.StartClient(hog,
                          {"distributedshell", "-shell_command", "sleep 60", "-num_containers", "3",
                           "-container_memory", "1024", "-master_memory", "1024", "-queue", "a"},
                          "hog");
  ASSERT_FALSE(a_id.empty()) << ReadFileOrEmpty(cluster.base_dir() + "/hog.err");
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = cluster.Report(a_id);
        return r.ok() && r->app_resource_usage().num_used_containers() == 4;
      },
      absl::Seconds(30)))
      << "queue a never filled the cluster";
  absl::SleepFor(absl::Seconds(1));  // so the preempted containers have lived a while

  // b: its AM and one container need b's guaranteed 2 GB back.
  Process fair;
  std::string b_id =
      cluster.StartClient(fair,
                          {"distributedshell", "-shell_command", "true", "-num_containers", "1",
                           "-container_memory", "1024", "-master_memory", "1024", "-queue", "b"},
                          "fair");
  ASSERT_FALSE(b_id.empty()) << ReadFileOrEmpty(cluster.base_dir() + "/fair.err");
  auto b = cluster.WaitForState(b_id, {proto::FINISHED, proto::FAILED, proto::KILLED},
                                absl::Seconds(60));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->final_application_status(), proto::APP_SUCCEEDED) << b->diagnostics();

  // a lost containers to preemption: its AM heard -102, its report counts preempted usage.
  std::string am_log;
  EXPECT_TRUE(WaitFor(
      [&] {
        for (const auto& f : FindFiles(cluster.nm_log_dir(0), "AppMaster.stdout")) {
          std::string text = ReadFileOrEmpty(f);
          if (absl::StrContains(text,
                                "exitStatus=-102, diagnostics=Container preempted by "
                                "scheduler")) {
            am_log = text;
            return true;
          }
        }
        return false;
      },
      absl::Seconds(10)))
      << "no AM saw a container preempted";
  auto a = cluster.Report(a_id);
  ASSERT_TRUE(a.ok());
  EXPECT_GT(a->app_resource_usage().preempted_memory_seconds(), 0);
  CommandResult a_status = cluster.Yarn({"application", "-status", a_id});
  EXPECT_TRUE(absl::StrContains(a_status.out, "\tAggregate Resource Preempted : ")) << a_status.out;
  EXPECT_FALSE(absl::StrContains(a_status.out, "\tAggregate Resource Preempted : 0 MB-seconds"))
      << a_status.out;
  EXPECT_EQ(cluster.Yarn({"application", "-kill", a_id}).exit_code, 0);
  (void)hog.Wait(absl::Seconds(20));
  (void)fair.Wait(absl::Seconds(20));
}

// `yarn container -signal`: the RM relays the signal in the node's heartbeat and the NodeManager
// signals the container's process group (OUTPUT_THREAD_DUMP is SIGQUIT, trapped by the shell).
TEST(AdminEndToEndTest, ContainerSignalReachesTheProcess) {
  TestCluster cluster(1);
  ASSERT_TRUE(cluster.Start().ok());
  std::string dir = cluster.base_dir() + "/signal";
  std::filesystem::create_directories(dir);
  Process client;
  std::string id = cluster.StartClient(
      client, {"distributedshell", "-shell_command",
               "trap 'echo quit > " + dir + "/got; exit 0' QUIT; echo $CONTAINER_ID > " + dir +
                   "/id; while true; do sleep 0.1; done",
               "-num_containers", "1"});
  ASSERT_FALSE(id.empty()) << ReadFileOrEmpty(cluster.base_dir() + "/client.err");
  std::string container;
  ASSERT_TRUE(WaitFor(
      [&] {
        container = ReadFileOrEmpty(dir + "/id");
        while (!container.empty() && container.back() == '\n') container.pop_back();
        return !container.empty();
      },
      absl::Seconds(30)));

  CommandResult bad = cluster.Yarn({"container", "-signal", container, "SOFTLY"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(bad.err, "Invalid signal command 'SOFTLY'")) << bad.err;
  auto attempt = ContainerId::Parse(container);
  ASSERT_TRUE(attempt.ok());
  std::string unknown = ContainerId(attempt->application_attempt_id(), 777).ToString();
  CommandResult missing = cluster.Yarn({"container", "-signal", unknown});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(
      absl::StrContains(missing.err, "Container with id '" + unknown + "' doesn't exist in RM."))
      << missing.err;

  CommandResult sig = cluster.Yarn({"container", "-signal", container});
  ASSERT_EQ(sig.exit_code, 0) << sig.out << sig.err;
  EXPECT_EQ(sig.out, "Signalling container " + container + "\n");
  EXPECT_TRUE(
      WaitFor([&] { return ReadFileOrEmpty(dir + "/got") == "quit\n"; }, absl::Seconds(20)));
  auto done = cluster.WaitForState(id, {proto::FINISHED, proto::FAILED}, absl::Seconds(30));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->final_application_status(), proto::APP_SUCCEEDED) << done->diagnostics();
  (void)client.Wait(absl::Seconds(20));
}

// The RM watches the Fair allocation file (Scheduler::ReloadableFiles) every 10 s: a new queue
// appears without `rmadmin`, and a broken edit is logged while the running queues stay.
TEST(AdminEndToEndTest, FairAllocationFileIsReloadedWhenItChanges) {
  TestCluster cluster(1, {{"yarn.resourcemanager.scheduler.class", "fair"}});
  ASSERT_TRUE(cluster.Start().ok());
  std::string file = cluster.base_dir() + "/rm-conf/fair-scheduler.xml";
  auto write = [&](const std::string& text) {
    std::ofstream(file + ".tmp") << text;
    std::filesystem::rename(file + ".tmp", file);
  };
  EXPECT_EQ(cluster.Yarn({"queue", "-status", "root.fresh"}).exit_code, 255);
  write(
      "<?xml version=\"1.0\"?>\n<allocations>\n  <queue name=\"fresh\"><weight>3</weight>"
      "</queue>\n</allocations>\n");
  CommandResult seen;
  ASSERT_TRUE(WaitFor(
      [&] {
        seen = cluster.Yarn({"queue", "-status", "root.fresh"});
        return seen.exit_code == 0;
      },
      absl::Seconds(30)))
      << seen.out << seen.err;
  write("<allocations><queue name=\"fresh\"><weight>oops</weight></queue>\n");
  // The next check (within 10 s) logs the broken file by name, and the running queues stay.
  const std::string rm_err = cluster.base_dir() + "/rm.err";
  auto logged = [&] {
    const std::string err = ReadFileOrEmpty(rm_err);
    const size_t at = err.find(
        "ResourceManager: reloading the scheduler configuration failed; keeping the running "
        "queues: ");
    return at != std::string::npos && err.find(file, at) != std::string::npos;
  };
  EXPECT_TRUE(WaitFor(logged, absl::Seconds(60))) << ReadFileOrEmpty(rm_err);
  CommandResult still = cluster.Yarn({"queue", "-status", "root.fresh"});
  EXPECT_EQ(still.exit_code, 0) << still.out << still.err;
  EXPECT_EQ(still.out, seen.out);
}

}  // namespace
}  // namespace skein::testing
