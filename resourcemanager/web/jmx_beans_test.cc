// /jmx bean and attribute names against Hadoop's: the table below is written from Hadoop's
// sources (class named per row), so a rename on either side shows up here.
#include "resourcemanager/web/jmx_beans.h"

#include <set>

#include "gtest/gtest.h"

namespace skein::web {
namespace {

struct HadoopName {
  const char* bean;
  const char* attribute;
  const char* hadoop_class;
};

// Bean names and the attributes monitoring agents read (Ambari's YARN metrics.json, Datadog's
// yarn / hadoop JMX checks, Zabbix's Hadoop template), as Hadoop 3.3 registers them.
constexpr HadoopName kRmNames[] = {
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "NumActiveNMs", "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "NumDecommissioningNMs",
     "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "NumDecommissionedNMs",
     "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "NumLostNMs", "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "NumUnhealthyNMs", "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "NumRebootedNMs", "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "NumShutdownNMs", "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "AMLaunchDelayNumOps", "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "AMLaunchDelayAvgTime",
     "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "AMRegisterDelayNumOps",
     "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "AMRegisterDelayAvgTime",
     "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "AMContainerAllocationDelayNumOps",
     "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "AMContainerAllocationDelayAvgTime",
     "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "UtilizedMB", "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "UtilizedVirtualCores",
     "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "CapabilityMB", "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "CapabilityVirtualCores",
     "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=ClusterMetrics", "tag.ClusterMetrics", "ClusterMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "tag.Queue", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "AppsSubmitted", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "AppsRunning", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "AppsPending", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "AppsCompleted", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "AppsKilled", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "AppsFailed", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "running_0", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "running_60", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "running_300", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "running_1440", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "AllocatedMB", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "AllocatedVCores", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "AllocatedContainers",
     "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "AvailableMB", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "AvailableVCores", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "PendingMB", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "PendingVCores", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "ReservedMB", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "ReservedVCores", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "ReservedContainers",
     "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "ActiveUsers", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", "ActiveApplications",
     "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default", "AppsRunning",
     "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default", "AMResourceLimitMB",
     "CSQueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default", "AMResourceLimitVCores",
     "CSQueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default", "UsedAMResourceMB",
     "CSQueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default", "UsedAMResourceVCores",
     "CSQueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default", "UsedCapacity",
     "CSQueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default", "AbsoluteUsedCapacity",
     "CSQueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default", "GuaranteedMB",
     "CSQueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default", "MaxCapacityMB",
     "CSQueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default,user=alice", "tag.User",
     "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default,user=alice",
     "AppsSubmitted", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default,user=alice",
     "AppsRunning", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default,user=alice",
     "AllocatedMB", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default,user=alice",
     "AvailableMB", "QueueMetrics"},
    {"Hadoop:service=ResourceManager,name=RpcActivityForPort8032", "RpcProcessingTimeNumOps",
     "RpcMetrics"},
    {"Hadoop:service=ResourceManager,name=RpcActivityForPort8032", "RpcProcessingTimeAvgTime",
     "RpcMetrics"},
    {"Hadoop:service=ResourceManager,name=RpcActivityForPort8032", "RpcQueueTimeNumOps",
     "RpcMetrics"},
    {"Hadoop:service=ResourceManager,name=RpcActivityForPort8032", "RpcQueueTimeAvgTime",
     "RpcMetrics"},
    {"Hadoop:service=ResourceManager,name=RpcActivityForPort8032", "RpcAuthenticationFailures",
     "RpcMetrics"},
    {"Hadoop:service=ResourceManager,name=RpcActivityForPort8032", "RpcAuthorizationFailures",
     "RpcMetrics"},
    {"Hadoop:service=ResourceManager,name=RpcActivityForPort8032", "tag.port", "RpcMetrics"},
    {"Hadoop:service=ResourceManager,name=RpcDetailedActivityForPort8032",
     "SubmitApplicationNumOps", "RpcDetailedMetrics"},
    {"Hadoop:service=ResourceManager,name=RpcDetailedActivityForPort8032",
     "SubmitApplicationAvgTime", "RpcDetailedMetrics"},
    {"Hadoop:service=ResourceManager,name=RpcActivityForPort8030", "RpcProcessingTimeNumOps",
     "RpcMetrics"},
    {"Hadoop:service=ResourceManager,name=RpcActivityForPort8031", "RpcProcessingTimeNumOps",
     "RpcMetrics"},
    {"Hadoop:service=ResourceManager,name=RpcActivityForPort8033", "RpcProcessingTimeNumOps",
     "RpcMetrics"},
    {"Hadoop:service=ResourceManager,name=RMNMInfo", "LiveNodeManagers", "RMNMInfo"},
};

proto::ApplicationReportProto App(int id, const std::string& user, const std::string& queue,
                                  proto::YarnApplicationState state, int64_t start) {
  proto::ApplicationReportProto r;
  r.mutable_application_id()->set_id(id);
  r.mutable_application_id()->set_cluster_timestamp(1);
  r.set_user(user);
  r.set_queue(queue);
  r.set_yarn_application_state(state);
  r.set_start_time(start);
  return r;
}

RmJmxInput Input() {
  RmJmxInput in;
  in.hostname = "rm.example";
  in.scheduler_class =
      "org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler";
  in.metrics.total = {8192, 8};
  in.metrics.allocated = {3072, 3};
  in.metrics.nodes = {{proto::NS_RUNNING, 2}, {proto::NS_LOST, 1}};
  in.metrics.counters.am_launch_delay.Add(10);
  in.metrics.counters.am_launch_delay.Add(30);
  rm::QueueSnapshot root;
  root.name = root.path = "root";
  root.used = {3072, 3};
  root.num_containers = 3;
  rm::QueueSnapshot def;
  def.name = "default";
  def.path = "root.default";
  def.absolute_maximum_capacity = 0.5;
  def.used = {3072, 3};
  def.num_containers = 3;
  def.num_active_applications = 1;
  def.am_limit = {1024, 1};
  rm::QueueUserSnapshot alice;
  alice.user = "alice";
  alice.used = {2048, 2};
  rm::QueueUserSnapshot bob;
  bob.user = "bob";
  bob.used = {1024, 1};
  def.users = {alice, bob};
  root.children = {def};
  in.root = root;
  const int64_t now = 100LL * 60 * 60 * 1000;
  in.now_ms = now;
  in.apps = {App(1, "alice", "default", proto::RUNNING, now - 90 * 60 * 1000),  // running_60
             App(2, "alice", "default", proto::FINISHED, 1),
             App(3, "bob", "default", proto::KILLED, 1),
             App(4, "bob", "root.default", proto::ACCEPTED, now - 1000)};
  in.service_ports = {{"ApplicationClientProtocol", 8032},
                      {"ApplicationMasterProtocol", 8030},
                      {"ResourceTracker", 8031},
                      {"ResourceManagerAdministrationProtocol", 8033}};
  in.rpc = {{"skein.proto.ApplicationClientProtocol/SubmitApplication", {3, 0.003}}};
  return in;
}

const JmxBean* Find(const std::vector<JmxBean>& beans, const std::string& name) {
  for (const auto& b : beans) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

TEST(RmJmxBeansTest, BeanAndAttributeNamesAreHadoops) {
  std::vector<JmxBean> beans = RmJmxBeans(Input());
  for (const HadoopName& n : kRmNames) {
    const JmxBean* b = Find(beans, n.bean);
    ASSERT_NE(b, nullptr) << "missing bean " << n.bean << " (Hadoop's " << n.hadoop_class << ")";
    EXPECT_TRUE(b->attributes.contains(n.attribute))
        << n.bean << " lacks " << n.attribute << " (Hadoop's " << n.hadoop_class << ")";
  }
  // modelerType is the metrics source name, as Hadoop's metrics2 beans show it.
  EXPECT_EQ(Find(beans, "Hadoop:service=ResourceManager,name=ClusterMetrics")->modeler_type,
            "ClusterMetrics");
  EXPECT_EQ(Find(beans, "Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default")
                ->modeler_type,
            "QueueMetrics,q0=root,q1=default");
}

TEST(RmJmxBeansTest, Values) {
  std::vector<JmxBean> beans = RmJmxBeans(Input());
  const auto& c = Find(beans, "Hadoop:service=ResourceManager,name=ClusterMetrics")->attributes;
  EXPECT_EQ(c["NumActiveNMs"], 2);
  EXPECT_EQ(c["NumLostNMs"], 1);
  EXPECT_EQ(c["NumUnhealthyNMs"], 0);
  EXPECT_EQ(c["AMLaunchDelayNumOps"], 2);
  EXPECT_DOUBLE_EQ(c["AMLaunchDelayAvgTime"].get<double>(), 20.0);
  EXPECT_EQ(c["CapabilityMB"], 8192);
  EXPECT_EQ(c["UtilizedMB"], 3072);

  const auto& d = Find(beans, "Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default")
                      ->attributes;
  EXPECT_EQ(d["tag.Queue"], "root.default");
  EXPECT_EQ(d["AppsSubmitted"], 4);
  EXPECT_EQ(d["AppsRunning"], 1);
  EXPECT_EQ(d["AppsPending"], 1);
  EXPECT_EQ(d["AppsCompleted"], 1);
  EXPECT_EQ(d["AppsKilled"], 1);
  EXPECT_EQ(d["AppsFailed"], 0);
  EXPECT_EQ(d["running_0"], 0);
  EXPECT_EQ(d["running_60"], 1);
  EXPECT_EQ(d["AllocatedMB"], 3072);
  EXPECT_EQ(d["AvailableMB"], 4096 - 3072);  // half the cluster at most, less what it uses
  EXPECT_EQ(d["ActiveUsers"], 2);
  EXPECT_EQ(d["AMResourceLimitMB"], 1024);

  // The parent counts its children's applications.
  const auto& r =
      Find(beans, "Hadoop:service=ResourceManager,name=QueueMetrics,q0=root")->attributes;
  EXPECT_EQ(r["AppsSubmitted"], 4);
  EXPECT_EQ(r["AppsKilled"], 1);

  const auto& a =
      Find(beans, "Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default,user=alice")
          ->attributes;
  EXPECT_EQ(a["tag.User"], "alice");
  EXPECT_EQ(a["AppsSubmitted"], 2);
  EXPECT_EQ(a["AppsCompleted"], 1);
  EXPECT_EQ(a["AllocatedMB"], 2048);
  const auto& root_bob =
      Find(beans, "Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,user=bob")->attributes;
  EXPECT_EQ(root_bob["AllocatedMB"], 1024);  // summed up from the leaf
  EXPECT_EQ(root_bob["AppsPending"], 1);

  const auto& rpc =
      Find(beans, "Hadoop:service=ResourceManager,name=RpcDetailedActivityForPort8032")->attributes;
  EXPECT_EQ(rpc["SubmitApplicationNumOps"], 3);
}

}  // namespace
}  // namespace skein::web
