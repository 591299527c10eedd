// Hadoop's JMX JSON servlet (/jmx on every Hadoop daemon) over beans a Skein daemon builds from
// its own state: {"beans":[{"name":"Hadoop:service=ResourceManager,name=ClusterMetrics",
// "modelerType":"ClusterMetrics", <attributes>...}]}, filtered by `?qry=<ObjectName pattern>`
// (default "*:*") or narrowed to one attribute by `?get=<ObjectName>::<attribute>`, as
// org.apache.hadoop.jmx.JMXJsonServlet does. Monitoring agents (Ambari, Datadog, Zabbix, Elastic
// Metricbeat) read these names, so bean and attribute names are Hadoop's exactly.
//
// Stateless; any thread.
#ifndef SKEIN_COMMON_WEB_JMX_H_
#define SKEIN_COMMON_WEB_JMX_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/rpc_metrics.h"
#include "nlohmann/json.hpp"

namespace skein::web {

// One MBean: its ObjectName ("Hadoop:service=NodeManager,name=NodeManagerMetrics"), its
// modelerType and its attributes in the order they are shown.
struct JmxBean {
  std::string name;
  std::string modeler_type;
  nlohmann::ordered_json attributes = nlohmann::ordered_json::object();
};

// A javax.management.ObjectName pattern: "domain:key=value,key=value[,*]". The domain and each
// value may hold the wildcards * and ?; a trailing ",*" (or a bare "*" property list) lets a name
// carry further keys; without it a name must have exactly the pattern's keys. "*:*" matches all.
class JmxQuery {
 public:
  // InvalidArgument for what ObjectName rejects (no ':', an empty or '='-less key property,
  // an empty property list without '*').
  static absl::StatusOr<JmxQuery> Parse(absl::string_view pattern);
  bool Matches(absl::string_view object_name) const;

 private:
  std::string domain_;
  std::vector<std::pair<std::string, std::string>> keys_;
  bool any_keys_ = false;  // property-list pattern
};

struct JmxResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json; charset=utf8";
};

// The servlet's answer for query parameters `qry` / `get` (empty = absent): 400 with
// {"result":"ERROR","message":...} for a malformed pattern or a `get` without "::", 404 with the
// bean and that message when the bean lacks the attribute.
JmxResponse RenderJmx(const std::vector<JmxBean>& beans, const std::string& qry,
                      const std::string& get);

// This machine's host name (the beans' tag.Hostname), "localhost" when unknown.
std::string LocalHostName();

// The beans every RPC server port of a daemon shows (Hadoop's RpcMetrics / RpcDetailedMetrics:
// name=RpcActivityForPort<port> and name=RpcDetailedActivityForPort<port>) for service `daemon`
// ("ResourceManager", "NodeManager"). `rpc` keys are "<package>.<Service>/<Method>"; calls of
// services missing from `service_ports` are not shown.
void AppendRpcBeans(const std::string& daemon, const std::string& hostname,
                    const std::map<std::string, int>& service_ports,
                    const std::map<std::string, RpcMetrics::MethodTotals>& rpc,
                    std::vector<JmxBean>& out);

}  // namespace skein::web

#endif  // SKEIN_COMMON_WEB_JMX_H_
