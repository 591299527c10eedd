#include "common/conf/yarn_defaults.h"

namespace skein::conf {

const std::vector<ConfKey>& YarnDefaults() {
  // Grouped as in docs/configuration.md. Descriptions are Skein's own words.
  static const std::vector<ConfKey>* const kDefaults = new std::vector<ConfKey>{
      // General.
      {"hadoop.tmp.dir", "/tmp/hadoop-${user.name}",
       "Base directory for other temporary and working directories."},
      {"yarn.log.dir", "${hadoop.tmp.dir}/logs",
       "Directory for daemon logs. Skein-specific default: Hadoop sets this from its launch "
       "scripts ($YARN_LOG_DIR), Skein has no such scripts so it derives it from hadoop.tmp.dir."},
      {"hadoop.http.staticuser.user", "dr.who",
       "The user the web UI and REST API act as when a request names none (no user.name), as "
       "Hadoop's StaticUserWebFilter."},
      {"yarn.acl.enable", "false", "Whether YARN ACLs (admin and queue ACLs) are enforced."},
      {"yarn.admin.acl", "*",
       "Users and groups allowed to administer the cluster, as \"users groups\"; * means "
       "everyone."},
      {"yarn.cluster.max-application-priority", "0",
       "Highest priority an application may be given in the cluster; 0 disables priorities."},

      // ResourceManager.
      {"yarn.resourcemanager.hostname", "0.0.0.0",
       "Host of the ResourceManager; the RM address defaults derive from it."},
      {"yarn.resourcemanager.address", "${yarn.resourcemanager.hostname}:8032",
       "Client RPC endpoint of the RM (application submission, reports, kill)."},
      {"yarn.resourcemanager.scheduler.address", "${yarn.resourcemanager.hostname}:8030",
       "RPC endpoint ApplicationMasters use to register and allocate containers."},
      {"yarn.resourcemanager.resource-tracker.address", "${yarn.resourcemanager.hostname}:8031",
       "RPC endpoint NodeManagers use to register and heartbeat."},
      {"yarn.resourcemanager.admin.address", "${yarn.resourcemanager.hostname}:8033",
       "RPC endpoint of the RM admin interface (yarn rmadmin)."},
      {"yarn.resourcemanager.webapp.address", "${yarn.resourcemanager.hostname}:8088",
       "HTTP endpoint of the RM web UI and REST API."},
      {"yarn.resourcemanager.am.max-attempts", "2",
       "Upper bound on ApplicationMaster attempts per application; an application may ask for "
       "fewer."},
      {"yarn.nm.liveness-monitor.expiry-interval-ms", "600000",
       "How long the RM waits without a heartbeat before declaring a NodeManager lost."},
      {"yarn.resourcemanager.nm.liveness-monitor.interval-ms", "1000",
       "How often the RM checks NodeManagers for expiry."},
      {"yarn.resourcemanager.nodemanagers.heartbeat-interval-ms", "1000",
       "Heartbeat interval the RM tells NodeManagers to use."},
      {"yarn.resourcemanager.max-completed-applications", "1000",
       "How many finished applications the RM keeps for reports before forgetting the oldest."},
      {"yarn.resourcemanager.recovery.enabled", "false",
       "Whether the RM restores applications from its state store on restart."},
      {"yarn.resourcemanager.store.class",
       "org.apache.hadoop.yarn.server.resourcemanager.recovery.LeveldbRMStateStore",
       "State store used with recovery: Hadoop's LeveldbRMStateStore (or leveldb), "
       "ZKRMStateStore (or zookeeper) or MemoryRMStateStore (or memory; survives nothing). "
       "Deviation: Hadoop defaults to FileSystemRMStateStore, which needs HDFS; Skein's "
       "single-node default is the embedded LevelDB store."},
      {"yarn.resourcemanager.leveldb-state-store.path", "${hadoop.tmp.dir}/yarn/system/rmstore",
       "Directory of the LevelDB RM state store."},
      {"yarn.resourcemanager.work-preserving-recovery.enabled", "true",
       "With recovery on: running containers survive an RM restart (NodeManagers resync with "
       "them, AMs re-register); off: every running application gets a new attempt."},
      {"yarn.resourcemanager.work-preserving-recovery.scheduling-wait-ms", "10000",
       "After a work-preserving recovery, how long the RM waits for NodeManagers to resync "
       "before it schedules new containers (it stops waiting once every node that ran a "
       "recovered AM is back)."},
      {"yarn.resourcemanager.state-store.max-completed-applications",
       "${yarn.resourcemanager.max-completed-applications}",
       "How many finished applications the state store keeps (never more than the RM keeps in "
       "memory); older ones are removed from the store."},
      {"hadoop.zk.address", "",
       "ZooKeeper ensemble (host:port[,host:port...]) of the ZKRMStateStore; the deprecated "
       "yarn.resourcemanager.zk-address is read when it is unset."},
      {"hadoop.zk.timeout-ms", "10000",
       "ZooKeeper session timeout of the ZKRMStateStore and of the RM HA elector (an active RM "
       "that loses ZooKeeper for this long becomes standby)."},
      {"yarn.resourcemanager.zk-state-store.parent-path", "/rmstore",
       "ZooKeeper path under which the ZKRMStateStore keeps ZKRMStateRoot."},
      // ResourceManager high availability (resourcemanager/ha). Per-RM addresses are
      // <address key>.<rm-id> and yarn.resourcemanager.hostname.<rm-id> (docs/configuration.md).
      {"yarn.resourcemanager.ha.enabled", "false",
       "Run the RM as one of several (yarn.resourcemanager.ha.rm-ids): active or standby."},
      {"yarn.resourcemanager.ha.rm-ids", "",
       "Comma-separated ids of the ResourceManagers (at least two with HA); clients, AMs and "
       "NodeManagers try them in this order."},
      {"yarn.resourcemanager.ha.id", "",
       "This RM's id; unset: the one rm-id whose yarn.resourcemanager.address.<id> is a local "
       "address."},
      {"yarn.resourcemanager.ha.automatic-failover.enabled", "true",
       "Elect the active RM through ZooKeeper; manual transitions are then refused unless "
       "--forcemanual."},
      {"yarn.resourcemanager.ha.automatic-failover.embedded", "true",
       "Run the elector inside the RM (the only mode Skein has: false means manual failover)."},
      {"yarn.resourcemanager.ha.automatic-failover.zk-base-path", "/yarn-leader-election",
       "ZooKeeper path under which <cluster-id>/ActiveStandbyElectorLock is created."},
      {"yarn.resourcemanager.cluster-id", "",
       "Name of the cluster; required with automatic failover (the election path)."},
      {"yarn.resourcemanager.rm.container-allocation.expiry-interval-ms", "600000",
       "How long an allocated container may stay unlaunched before the RM reclaims it."},
      {"yarn.resourcemanager.nodes.include-path", "",
       "File of hosts allowed to join (plain: names separated by whitespace, # comments; or "
       "Hadoop 3's XML <hosts> file when the name ends in .xml). Empty: every host may join."},
      {"yarn.resourcemanager.nodes.exclude-path", "",
       "File of hosts to decommission (same formats; the XML form may give a per-host "
       "graceful <timeout>). Re-read by yarn rmadmin -refreshNodes."},
      {"yarn.resourcemanager.nodemanager-graceful-decommission-timeout-secs", "3600",
       "How long a gracefully decommissioned node may drain when the request gives no timeout "
       "(-1: no limit)."},

      // Scheduler.
      {"yarn.resourcemanager.scheduler.class",
       "org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler",
       "Scheduler implementation: Hadoop's class names of the CapacityScheduler, FairScheduler or "
       "FifoScheduler, or the short names capacity / fair / fifo."},
      {"yarn.scheduler.minimum-allocation-mb", "1024",
       "Smallest container memory the scheduler grants, in MB; smaller requests are rounded up."},
      {"yarn.scheduler.maximum-allocation-mb", "8192",
       "Largest container memory a request may ask for, in MB; larger requests are rejected."},
      {"yarn.scheduler.minimum-allocation-vcores", "1",
       "Smallest number of virtual cores the scheduler grants to a container."},
      {"yarn.scheduler.maximum-allocation-vcores", "4",
       "Largest number of virtual cores a request may ask for; larger requests are rejected."},
      {"yarn.scheduler.capacity.resource-calculator",
       "org.apache.hadoop.yarn.util.resource.DefaultResourceCalculator",
       "How the Capacity scheduler compares resources: DefaultResourceCalculator looks at memory "
       "only, DominantResourceCalculator at memory and vcores."},
      {"yarn.resourcemanager.scheduler.monitor.enable", "false",
       "Whether the scheduling monitor runs its edit policies (Capacity scheduler preemption)."},
      {"yarn.resourcemanager.scheduler.monitor.policies",
       "org.apache.hadoop.yarn.server.resourcemanager.monitor.capacity."
       "ProportionalCapacityPreemptionPolicy",
       "Edit policies the monitor runs; ProportionalCapacityPreemptionPolicy is the one "
       "available."},
      {"yarn.resourcemanager.monitor.capacity.preemption.observe_only", "false",
       "Compute what would be preempted but neither warn nor kill."},
      {"yarn.resourcemanager.monitor.capacity.preemption.monitoring_interval", "3000",
       "Milliseconds between two runs of the Capacity preemption policy."},
      {"yarn.resourcemanager.monitor.capacity.preemption.max_wait_before_kill", "15000",
       "Milliseconds between marking a container for preemption (the AM is warned) and killing "
       "it."},
      {"yarn.resourcemanager.monitor.capacity.preemption.total_preemption_per_round", "0.1",
       "Most of the cluster, as a fraction, that one policy run may select for preemption."},
      {"yarn.resourcemanager.monitor.capacity.preemption.max_ignored_over_capacity", "0.1",
       "Dead zone: a queue using up to its guarantee x (1 + this) is not preempted from."},
      {"yarn.resourcemanager.monitor.capacity.preemption.natural_termination_factor", "0.2",
       "Fraction of a queue's excess taken per run, leaving the rest to containers that finish "
       "on their own."},
      {"yarn.scheduler.fair.allocation.file", "fair-scheduler.xml",
       "The Fair scheduler's allocation file; a relative name is looked up in the configuration "
       "directory. Re-read when it changes and on -refreshQueues."},
      {"yarn.scheduler.fair.user-as-default-queue", "true",
       "Without a queuePlacementPolicy: an application that names no queue goes to a queue named "
       "after its user."},
      {"yarn.scheduler.fair.allow-undeclared-pools", "true",
       "Without a queuePlacementPolicy: whether submitting to a queue that is not in the "
       "allocation file creates it (false: such applications go to root.default)."},
      {"yarn.scheduler.fair.preemption", "false",
       "Whether the Fair scheduler preempts containers for queues starved of their min or fair "
       "share."},
      {"yarn.scheduler.fair.preemption.cluster-utilization-threshold", "0.8",
       "Fair preemption happens only while the cluster's utilization (the larger of memory and "
       "vcores) is at least this fraction."},
      {"yarn.scheduler.fair.update-interval-ms", "500",
       "How often the Fair scheduler checks for starved queues (its preemption interval)."},
      {"yarn.scheduler.fair.waitTimeBeforeKill", "15000",
       "Milliseconds between the Fair scheduler's preemption warning to an AM and the kill."},
      {"yarn.scheduler.fair.sizebasedweight", "false",
       "Weigh each application in a Fair leaf queue by log2(1 + its demand in MB) instead of 1."},
      {"yarn.scheduler.fair.assignmultiple", "false",
       "Whether the Fair scheduler may assign more than one container to a node in one "
       "scheduling pass (YARN: one node heartbeat)."},
      {"yarn.scheduler.fair.max.assign", "-1",
       "With assignmultiple and without dynamic.max.assign: the most containers one node takes "
       "in one pass (-1: no limit)."},
      {"yarn.scheduler.fair.dynamic.max.assign", "true",
       "With assignmultiple: a node takes containers in one pass until half of what it had free "
       "is assigned."},

      // NodeManager.
      {"yarn.nodemanager.hostname", "0.0.0.0",
       "Host of the NodeManager; the NM address defaults derive from it."},
      {"yarn.nodemanager.address", "${yarn.nodemanager.hostname}:0",
       "Container-management RPC endpoint of the NM; port 0 picks a free port."},
      {"yarn.nodemanager.webapp.address", "${yarn.nodemanager.hostname}:8042",
       "HTTP endpoint of the NM web UI and REST API."},
      {"yarn.nodemanager.local-dirs", "${hadoop.tmp.dir}/nm-local-dir",
       "Comma-separated directories where the NM localizes files and runs containers."},
      {"yarn.nodemanager.log-dirs", "${yarn.log.dir}/userlogs",
       "Comma-separated directories where containers write their logs."},
      {"yarn.nodemanager.resource.memory-mb", "-1",
       "Memory the NM offers to containers, in MB; -1 means 8192 (hardware detection is off)."},
      {"yarn.nodemanager.resource.cpu-vcores", "-1",
       "Virtual cores the NM offers to containers; -1 means 8 (hardware detection is off)."},
      {"yarn.nodemanager.sleep-delay-before-sigkill.ms", "250",
       "Pause between SIGTERM and SIGKILL when stopping a container."},
      {"yarn.nodemanager.delete.debug-delay-sec", "0",
       "Seconds to keep a finished application's local files before deleting them (debugging)."},
      {"yarn.nodemanager.container-executor.class",
       "org.apache.hadoop.yarn.server.nodemanager.DefaultContainerExecutor",
       "How containers are launched; the default runs them as the NM's own user."},
      {"yarn.nodemanager.admin-env", "MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX",
       "Environment variables the NM sets in every container, as NAME=VALUE pairs separated by "
       "commas; they win over the application's own. $NAME and ${NAME} in a value are the NM's "
       "own environment; a variable whose value is then empty is not set (Hadoop sets it empty)."},
      {"yarn.nodemanager.env-whitelist",
       "JAVA_HOME,HADOOP_COMMON_HOME,HADOOP_HDFS_HOME,HADOOP_CONF_DIR,CLASSPATH_PREPEND_DISTCACHE,"
       "HADOOP_YARN_HOME,HADOOP_HOME,PATH,LANG,TZ",
       "Environment variables a container inherits from the NM unless the application sets them."},
      {"yarn.nodemanager.container-monitor.interval-ms", "3000",
       "How often the NM measures each container's process tree (RSS, virtual memory, CPU) from "
       "/proc."},
      {"yarn.nodemanager.pmem-check-enabled", "true",
       "Kill a container whose process tree uses more physical memory than it was allocated (exit "
       "status -104)."},
      {"yarn.nodemanager.vmem-check-enabled", "true",
       "Kill a container whose process tree uses more virtual memory than its allocation times "
       "vmem-pmem-ratio (exit status -103)."},
      {"yarn.nodemanager.vmem-pmem-ratio", "2.1",
       "Virtual memory a container may use per MB of its physical-memory allocation."},
      {"yarn.nodemanager.linux-container-executor.resources-handler.class",
       "org.apache.hadoop.yarn.server.nodemanager.util.DefaultLCEResourcesHandler",
       "Set to ...CgroupsLCEResourcesHandler to give containers cgroup CPU weights (as the "
       "LinuxContainerExecutor does)."},
      {"yarn.nodemanager.resource.cpu.enabled", "false",
       "Put each container in a cgroup with a CPU weight proportional to its vcores."},
      {"yarn.nodemanager.resource.memory.enabled", "false",
       "Put each container in a memory cgroup."},
      {"yarn.nodemanager.resource.memory.enforced", "true",
       "With memory cgroups: the container's allocation is a hard limit the kernel enforces (OOM "
       "kill, exit 137); the /proc checks then only measure."},
      {"yarn.nodemanager.linux-container-executor.cgroups.hierarchy", "/hadoop-yarn",
       "Cgroup under which the NM creates one group per container; leftover container groups there "
       "are removed at NM start."},
      {"yarn.nodemanager.linux-container-executor.cgroups.mount-path", "",
       "Where the cgroup v1 controllers are mounted (<path>/cpu, <path>/memory); empty means read "
       "/proc/mounts."},
      {"yarn.nodemanager.linux-container-executor.cgroups.strict-resource-usage", "false",
       "Cap each container's CPU at its share of the node (cfs quota / cpu.max), even when the "
       "node is idle."},
      {"yarn.nodemanager.resource.percentage-physical-cpu-limit", "100",
       "Percentage of the node's CPU that all containers together may use (cgroups)."},
      {"yarn.nodemanager.health-checker.script.path", "",
       "Node health script; a line of its output starting with ERROR marks the node unhealthy (no "
       "new containers)."},
      {"yarn.nodemanager.health-checker.script.opts", "",
       "Arguments for the node health script, separated by spaces."},
      {"yarn.nodemanager.health-checker.interval-ms", "600000",
       "How often the node health script runs."},
      {"yarn.nodemanager.health-checker.script.timeout-ms", "1200000",
       "A health script running longer is killed and the node reported unhealthy."},
      {"yarn.nodemanager.disk-health-checker.enable", "true",
       "Whether the NodeManager checks its local-dirs and log-dirs (creatable, writable, not too "
       "full); bad dirs get no new containers."},
      {"yarn.nodemanager.disk-health-checker.interval-ms", "120000",
       "How often the local-dirs and log-dirs are checked."},
      {"yarn.nodemanager.disk-health-checker.min-healthy-disks", "0.25",
       "The node is unhealthy when fewer than this fraction of its local-dirs or of its log-dirs "
       "are good."},
      {"yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "90.0",
       "A dir whose disk is used above this percentage counts as full (bad)."},
      {"yarn.nodemanager.disk-health-checker.min-free-space-per-disk-mb", "0",
       "A dir whose disk has less free space than this many MB counts as full (bad)."},
      {"yarn.nodemanager.recovery.enabled", "false",
       "Whether a restarted NodeManager re-attaches to the containers it left running (needs a "
       "fixed port in yarn.nodemanager.address)."},
      {"yarn.nodemanager.recovery.dir", "${hadoop.tmp.dir}/yarn-nm-recovery",
       "Where the NodeManager keeps its state store (LevelDB) and containers' exit code files "
       "for recovery."},
      {"yarn.nodemanager.recovery.supervised", "false",
       "With recovery on: the NodeManager runs under a supervisor that restarts it, so a "
       "graceful stop leaves containers running."},
      {"yarn.log-aggregation-enable", "false",
       "Whether NodeManagers copy a finished application's container logs to "
       "yarn.nodemanager.remote-app-log-dir (one file per node) and remove the local copies."},
      {"yarn.nodemanager.remote-app-log-dir", "/tmp/logs",
       "Where aggregated logs go: <dir>/<user>/<suffix>/<appId>/<host>_<port>. Skein writes to a "
       "local or locally mounted path (or file:// URL), not HDFS."},
      {"yarn.nodemanager.remote-app-log-dir-suffix", "logs",
       "Directory under <remote-app-log-dir>/<user> that holds the applications' aggregated logs."},
      {"yarn.nodemanager.log.retain-seconds", "10800",
       "Without log aggregation: how long a finished application's local logs are kept."},
      {"yarn.log-aggregation.retain-seconds", "-1",
       "How long aggregated logs are kept before the ResourceManager deletes them (-1: forever)."},
      {"yarn.log-aggregation.retain-check-interval-seconds", "-1",
       "How often aggregated logs are checked for expiry (<= 0: a tenth of retain-seconds)."},

      // Client.
      {"yarn.resourcemanager.connect.max-wait.ms", "900000",
       "How long clients and NMs keep retrying to reach the RM before failing."},
      {"yarn.resourcemanager.connect.retry-interval.ms", "30000",
       "Pause between attempts to reach the RM."},
      {"yarn.client.application-client-protocol.poll-interval-ms", "200",
       "How often the client polls the RM while waiting for an application state change."},
      {"yarn.client.failover-max-attempts", "",
       "With RM HA: how many times the yarn command moves to the next RM before failing; unset: "
       "connect.max-wait.ms / failover-sleep-base-ms."},
      {"yarn.client.failover-sleep-base-ms", "",
       "With RM HA: sleep after the first full round of failed RMs, doubled per round; unset: "
       "yarn.resourcemanager.connect.retry-interval.ms."},
      {"yarn.client.failover-sleep-max-ms", "",
       "With RM HA: cap of that sleep; unset: yarn.resourcemanager.connect.retry-interval.ms."},
  };
  return *kDefaults;
}

}  // namespace skein::conf
