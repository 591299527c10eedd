// Prometheus text exposition (format 0.0.4) of the RM's cluster metrics, served at /metrics and
// /prom. Metric names follow Hadoop's ClusterMetrics/QueueMetrics names in snake case with a
// `yarn_` prefix. Pure; any thread.
#ifndef SKEIN_RESOURCEMANAGER_WEB_PROMETHEUS_H_
#define SKEIN_RESOURCEMANAGER_WEB_PROMETHEUS_H_

#include <string>
#include <vector>

#include "resourcemanager/core/rm_core.h"
#include "resourcemanager/scheduler/scheduler.h"

namespace skein::web {

// `root_queue`: the queue tree (nullptr: no per-queue gauges); per-queue gauges are labelled
// queue="<path>".
std::string RenderPrometheus(const rm::RmCore::WebClusterMetrics& m,
                             const rm::QueueSnapshot* root_queue);

}  // namespace skein::web

#endif  // SKEIN_RESOURCEMANAGER_WEB_PROMETHEUS_H_
