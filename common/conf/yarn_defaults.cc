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
       "org.apache.hadoop.yarn.server.resourcemanager.recovery.MemoryRMStateStore",
       "State store implementation used for recovery. Deviation: Hadoop defaults to "
       "FileSystemRMStateStore; Skein only has the in-memory store so far."},
      {"yarn.resourcemanager.container-tokens.master-key-rolling-interval-secs", "86400",
       "How often the RM rolls the master key that signs container tokens."},
      {"yarn.resourcemanager.rm.container-allocation.expiry-interval-ms", "600000",
       "How long an allocated container may stay unlaunched before the RM reclaims it."},

      // Scheduler.
      {"yarn.resourcemanager.scheduler.class",
       "org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler",
       "Scheduler implementation: Hadoop's class names of the CapacityScheduler or FifoScheduler, "
       "or the short names capacity / fifo. The FairScheduler is not available yet."},
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
      {"yarn.nodemanager.process-kill-wait.ms", "5000",
       "How long cleanup waits for a container process to appear before giving up on it."},
      {"yarn.nodemanager.delete.debug-delay-sec", "0",
       "Seconds to keep a finished application's local files before deleting them (debugging)."},
      {"yarn.nodemanager.container-executor.class",
       "org.apache.hadoop.yarn.server.nodemanager.DefaultContainerExecutor",
       "How containers are launched; the default runs them as the NM's own user."},
      {"yarn.nodemanager.admin-env", "MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX",
       "Environment variables the NM sets in every container, as NAME=VALUE pairs separated by "
       "commas."},
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

      // Client.
      {"yarn.resourcemanager.connect.max-wait.ms", "900000",
       "How long clients and NMs keep retrying to reach the RM before failing."},
      {"yarn.resourcemanager.connect.retry-interval.ms", "30000",
       "Pause between attempts to reach the RM."},
      {"yarn.client.application-client-protocol.poll-interval-ms", "200",
       "How often the client polls the RM while waiting for an application state change."},
      {"yarn.client.nodemanager-connect.max-wait-ms", "180000",
       "How long clients and AMs keep retrying to reach an NM before failing."},
  };
  return *kDefaults;
}

}  // namespace skein::conf
