// The ResourceManager's /jmx beans (issue 16), named as Hadoop's ResourceManager registers them so
// monitoring agents that read Hadoop's JMX JSON servlet work unchanged:
//   Hadoop:service=ResourceManager,name=ClusterMetrics            (ClusterMetrics.java)
//   Hadoop:service=ResourceManager,name=QueueMetrics,q0=root[,q1=a...][,user=u]
//                                            (QueueMetrics.java, CSQueueMetrics / FSQueueMetrics)
//   Hadoop:service=ResourceManager,name=RpcActivityForPort<port>  (AppendRpcBeans, common/web)
//   Hadoop:service=ResourceManager,name=RMNMInfo                   (RMNMInfo.java)
//
// Where Skein's figures differ from Hadoop's (see docs/rest.md "/jmx"): *AvgTime values average
// over the process's life, not the last sampling interval; queue and user application counts
// cover the applications the RM still remembers (yarn.resourcemanager.max-completed-applications);
// Rpc*AvgTime is the whole server-side call (no separate queue time: RpcQueueTimeAvgTime is 0).
// Pure functions of their input; any thread.
#ifndef SKEIN_RESOURCEMANAGER_WEB_JMX_BEANS_H_
#define SKEIN_RESOURCEMANAGER_WEB_JMX_BEANS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/rpc_metrics.h"
#include "common/web/jmx.h"
#include "resourcemanager/core/rm_core.h"

namespace skein::web {

// Copied out of the core on the RM loop (and from RpcMetrics on any thread).
struct RmJmxInput {
  std::string hostname;
  std::string scheduler_class;  // RmCore::SchedulerClassName()
  rm::RmCore::WebClusterMetrics metrics;
  std::optional<rm::QueueSnapshot> root;
  std::vector<proto::ApplicationReportProto> apps;
  std::vector<proto::NodeReportProto> nodes;
  // gRPC service (e.g. "ApplicationClientProtocol") -> the port it serves on.
  std::map<std::string, int> service_ports;
  std::map<std::string, RpcMetrics::MethodTotals> rpc;  // RpcMetrics::Totals()
  int64_t now_ms = 0;
};

std::vector<JmxBean> RmJmxBeans(const RmJmxInput& in);

}  // namespace skein::web

#endif  // SKEIN_RESOURCEMANAGER_WEB_JMX_BEANS_H_
