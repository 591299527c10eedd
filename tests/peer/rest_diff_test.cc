// Differential REST test: Apache Hadoop YARN 3.5.0 (the pinned peer, interop/java/yarn-peer) is
// the oracle for the shape of Skein's /ws/v1/cluster/* and /ws/v1/node/* answers.
//
// The same scenario runs on both systems: Capacity scheduler with queues a and b, two
// NodeManagers, three applications submitted through REST — one whose AM container keeps running
// (`sleep`), one whose AM fails (`false`), one killed through PUT .../state. Then every endpoint
// Skein serves is fetched from both, as JSON and as XML, and compared: key sets recursively
// (arrays merge their elements), value types, and the values of enum fields. Fair and FIFO each
// get a one-node pair with one running app for their /scheduler (and metrics) shapes.
//
// Real differences sit in kAllowed below, each with its reason; any other difference fails.
// Every peer starts once per binary (SetUpTestSuite), all three JVMs in parallel.
#include <fnmatch.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/testing/interop.h"
#include "nlohmann/json.hpp"
#include "pugixml.hpp"
#include "tests/integration/test_cluster.h"
#include "tests/peer/yarn_peer.h"

namespace skein::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Allowed differences. `where` is an fnmatch pattern over "<endpoint> <format> <path>", where the
// endpoint is the role-named path below (e.g. "cluster/apps/{running}") and the path is the
// normalised key path ("app.resourceInfo", "apps.app[].state"). `kind` is one of
//   missing  — YARN has the key (or subtree), Skein does not
//   extra    — Skein has it, YARN does not
//   type     — both have it with different value types
//   enum     — both have it with different sets of enum values
struct Allowed {
  const char* kind;
  const char* where;
  const char* keys;  // "": any; else comma-separated last keys of the path (e.g. "pendingMB,…")
  const char* reason;
};

constexpr Allowed kAllowed[] = {
    // Not served by Skein yet (fields Hadoop 3.x added; Skein follows Hadoop 2's documents).
    {"missing", "*", "resourceInformations",
     "Hadoop 3 resource types: every resource object also lists resourceInformations; Skein "
     "has memory and vCores only"},
    {"missing", "cluster/metrics *",
     "containerAssignedPerSecond,crossPartitionMetricsAvailable,"
     "pendingMB,pendingVirtualCores,rmEventQueueSize,rmSchedulerBusyPercent,"
     "schedulerEventQueueSize,totalAllocatedContainersAcrossPartition,"
     "totalClusterResourcesAcrossPartition,totalReservedResourcesAcrossPartition,"
     "totalUsedResourcesAcrossPartition,utilizedMB,utilizedMBPercent,utilizedVirtualCores,"
     "utilizedVirtualCoresPercent",
     "Hadoop 3.x cluster metrics (pending, utilization, partitions, event queues): not served yet"},
    {"missing", "cluster/nodes*",
     "allocationTags,availableResource,cpuUtilization,"
     "memUtilization,nodeAttributesInfo,numQueuedContainers,numRunningOpportContainers,"
     "totalResource,usedMemoryOpportGB,usedResource,usedVirtualCoresOpport",
     "Hadoop 3 node fields (resource objects, utilization, opportunistic containers, "
     "attributes, allocation tags): not served yet"},
    {"missing", "cluster/apps*", "masterNodeId,resourceInfo,resourceSecondsMap,timeouts",
     "Hadoop 3 app fields (resource maps, lifetimes, partition usage): not served yet"},
    {"missing", "cluster/apps/*/appattempts *", "exportPorts", "Docker port mapping: no Docker"},
    {"missing", "cluster/scheduler *",
     "autoCreateChildQueueEnabled,autoCreationEligibility,"
     "autoQueueLeafTemplateProperties,autoQueueParentTemplateProperties,"
     "autoQueueTemplateProperties,capacities,creationMethod,defaultApplicationLifetime,health,"
     "hideReservationQueues,intraQueuePreemptionDisabled,isAbsoluteResource,"
     "isAutoCreatedLeafQueue,leafQueueTemplate,maxApplicationLifetime,maxEffectiveCapacity,"
     "maxParallelApps,maximumAllocation,minEffectiveCapacity,mode,nodeLabels,normalizedWeight,"
     "orderingPolicyInfo,queueAcls,queueCapacityVectorInfo,queuePath,queuePriority,queueType,"
     "weight,isActive,resources,userWeight,userAMResourceLimit",
     "Hadoop 3.x Capacity queue fields (auto-creation, capacity vectors, partitions, lifetimes, "
     "ACLs, weights, health): not served yet"},
    {"missing", "node*", "nmStartupTime,resourceTypes,containerLogFiles,executionType",
     "Hadoop 3 NodeManager fields: not served yet"},
    // Skein serves what Hadoop 3.5 no longer does, or where YARN has null.
    {"extra", "cluster/scheduler *", "maxActiveApplications,maxActiveApplicationsPerUser",
     "Hadoop 2's documented names, kept by Skein; Hadoop 3 dropped them"},
    {"extra", "cluster/scheduler *", "usedResources",
     "Capacity: Hadoop 2's '<memory:…, vCores:…>' string, kept by Skein"},
    {"extra", "cluster/scheduler *rootQueue*", "weight",
     "Fair: Skein reports each queue's weight; Hadoop 3.5 does not"},
    {"extra", "cluster/apps*", "amContainerLogs,amHostHttpAddress,amRPCAddress,trackingUrl",
     "YARN omits these (null) before the AM registers and after a kill; Skein always fills them"},
    {"extra", "node/apps*", "logAggregationStatus",
     "Skein reports the app's log aggregation status on the NM; Hadoop 3.5's NM AppInfo lacks it"},
    // Real shape differences between the two.
    {"extra", "cluster/scheduler xml *", "type",
     "Skein bug: XML renders the scheduler/queue 'type' as an element; YARN carries it as the "
     "xsi:type attribute"},
    {"type", "cluster/scheduler *", "userLimit",
     "Skein bug: userLimit is a float in YARN (100.0), an integer in Skein (100)"},
    {"*", "cluster/apps/*/appattempts/*/containers json *", "container,containers",
     "YARN 3.5.0 JSON drops the 'containers' root of this list ({\"container\":[…]}); Skein "
     "keeps it as its XML and Hadoop's documentation have it"},
    {"*", "cluster/apps/*/appattempts/*/containers xml *",
     "allocatedResources,exposedPorts,diagnosticsInfo",
     "Hadoop 3 container fields (resource map, Docker ports) not served; Skein has an empty "
     "diagnosticsInfo YARN leaves out"},
    {"status", "cluster/apps/*/appattempts/* json", "",
     "YARN 3.5.0 answers 503 to the JSON form of a single attempt (its XML works)"},
    {"*", "cluster/apps/*/appattempts/* xml *", "",
     "Skein bug: a single attempt is served in the list's shape (id, startTime, containerId, "
     "nodeId, ...); YARN serves the generic AppAttemptInfo (appAttemptId, host, rpcPort, "
     "amContainerId, startedTime, trackingUrl, ...)"},
};

// Keys whose values are enums in Hadoop's records: their value sets must match, not only types.
const std::set<std::string>& EnumKeys() {
  static const auto* keys =
      new std::set<std::string>{"state",        "finalStatus",    "haState",
                                "qstate",       "type",           "executionType",
                                "healthStatus", "containerState", "nodeState",
                                "queueType",    "schedulerType",  "logAggregationStatus",
                                "appState",     "resourceType",   "orderingPolicyInfo",
                                "mode"};
  return *keys;
}

// ---------------------------------------------------------------------------------------------
// Shapes: path -> set of value kinds (and, for enum keys, the values seen).
struct Shape {
  std::map<std::string, std::set<std::string>> types;
  std::map<std::string, std::set<std::string>> enums;
};

std::string KindOf(const json& v) {
  switch (v.type()) {
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    case json::value_t::string:
      return "string";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "float";
    case json::value_t::null:
      return "null";
    default:
      return "other";
  }
}

std::string LastKey(const std::string& path) {
  std::string p = path;
  while (absl::EndsWith(p, "[]")) p.resize(p.size() - 2);
  size_t dot = p.rfind('.');
  return dot == std::string::npos ? p : p.substr(dot + 1);
}

void JsonShape(const json& v, const std::string& path, Shape* out) {
  if (!path.empty()) out->types[path].insert(KindOf(v));
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      JsonShape(it.value(), path.empty() ? it.key() : path + "." + it.key(), out);
    }
  } else if (v.is_array()) {
    for (const auto& e : v) JsonShape(e, path + "[]", out);
  } else if (v.is_string() && EnumKeys().count(LastKey(path)) > 0) {
    out->enums[path].insert(v.get<std::string>());
  }
}

// XML: element names as keys; an element with children is an "object", a leaf is classified by
// its text (integer, float, boolean, string, empty). Repeated siblings merge under "name[]"
// only when repeated, as YARN's JAXB output does not mark arrays otherwise.
std::string TextKind(const std::string& t) {
  if (t.empty()) return "empty";
  int64_t i;
  double d;
  if (absl::SimpleAtoi(t, &i)) return "integer";
  if (t == "true" || t == "false") return "boolean";
  if (absl::SimpleAtod(t, &d) && t.find_first_not_of("0123456789.-+eE") == std::string::npos) {
    return "float";
  }
  return "string";
}

void XmlShape(const pugi::xml_node& n, const std::string& path, Shape* out) {
  bool has_child_element = false;
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) has_child_element = true;
  }
  if (!has_child_element) {
    std::string text = n.child_value();
    // An element with no text can be an empty list or an empty string: "empty" matches both.
    out->types[path].insert(TextKind(text));
    if (EnumKeys().count(LastKey(path)) > 0 && !text.empty()) out->enums[path].insert(text);
    return;
  }
  out->types[path].insert("object");
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    XmlShape(c, path + "." + c.name(), out);
  }
}

// ---------------------------------------------------------------------------------------------
struct Diff {
  std::string kind;
  std::string where;  // "<endpoint> <format> <path>"
  std::string detail;
};

bool IsAllowed(const Diff& d, std::set<size_t>* used) {
  for (size_t i = 0; i < std::size(kAllowed); ++i) {
    const Allowed& a = kAllowed[i];
    if (std::string(a.kind) != "*" && d.kind != a.kind) continue;
    if (*a.keys != '\0') {
      size_t sp = d.where.rfind(' ');
      std::string key = LastKey(d.where.substr(sp + 1));
      bool listed = false;
      for (absl::string_view k : absl::StrSplit(a.keys, ',')) listed = listed || k == key;
      if (!listed) continue;
    }
    if (::fnmatch(a.where, d.where.c_str(), 0) == 0) {
      used->insert(i);
      return true;
    }
  }
  return false;
}

// Compares `skein` with `yarn`; a missing/extra subtree is reported once, at its root.
std::vector<Diff> Compare(const std::string& prefix, const Shape& yarn, const Shape& skein) {
  std::vector<Diff> diffs;
  auto under_reported = [](const std::set<std::string>& roots, const std::string& path) {
    for (const auto& r : roots) {
      if (absl::StartsWith(path, r) && path.size() > r.size() &&
          (path[r.size()] == '.' || path[r.size()] == '[')) {
        return true;
      }
    }
    return false;
  };
  std::set<std::string> missing_roots, extra_roots;
  for (const auto& [path, types] : yarn.types) {
    if (skein.types.count(path) > 0 || under_reported(missing_roots, path)) continue;
    missing_roots.insert(path);
    diffs.push_back({"missing", prefix + " " + path, absl::StrJoin(types, "|")});
  }
  for (const auto& [path, types] : skein.types) {
    if (yarn.types.count(path) > 0 || under_reported(extra_roots, path)) continue;
    extra_roots.insert(path);
    diffs.push_back({"extra", prefix + " " + path, absl::StrJoin(types, "|")});
  }
  for (const auto& [path, ytypes] : yarn.types) {
    auto it = skein.types.find(path);
    if (it == skein.types.end()) continue;
    std::set<std::string> y = ytypes, s = it->second;
    // An XML leaf without text says nothing about its type.
    if (y.size() > 1) y.erase("empty");
    if (s.size() > 1) s.erase("empty");
    if (y.count("empty") > 0 || s.count("empty") > 0) continue;
    if (y != s) {
      diffs.push_back(
          {"type", prefix + " " + path,
           absl::StrCat("yarn ", absl::StrJoin(y, "|"), ", skein ", absl::StrJoin(s, "|"))});
    }
  }
  for (const auto& [path, yvals] : yarn.enums) {
    auto it = skein.enums.find(path);
    if (it == skein.enums.end()) continue;  // reported as missing, or Skein's were empty
    if (yvals != it->second) {
      diffs.push_back({"enum", prefix + " " + path,
                       absl::StrCat("yarn {", absl::StrJoin(yvals, ","), "}, skein {",
                                    absl::StrJoin(it->second, ","), "}")});
    }
  }
  return diffs;
}

// ---------------------------------------------------------------------------------------------
// One side of the comparison: an RM web address and the role -> id map of its scenario.
struct Side {
  std::string name;
  int rm_port = 0;
  std::map<std::string, std::string> ids;  // "running", "failed", "killed", "attempt", ...
  int nm_port = 0;
};

struct Response {
  int status = 0;
  std::string body;
};

Response Http(int port, const std::string& method, const std::string& path,
              const std::string& accept, const std::string& body = "") {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(20, 0);
  c.set_connection_timeout(5, 0);
  httplib::Headers h = {{"Accept", accept}};
  httplib::Result r = method == "GET"    ? c.Get(path, h)
                      : method == "POST" ? c.Post(path, h, body, "application/json")
                                         : c.Put(path, h, body, "application/json");
  if (!r) return {0, ""};
  return {r->status, r->body};
}

json GetJson(int port, const std::string& path) {
  Response r = Http(port, "GET", path, "application/json");
  return r.status == 200 ? json::parse(r.body, nullptr, false) : json();
}

// Submits an app with AM command `command` into `queue`; returns its id or "".
std::string Submit(int port, const std::string& name, const std::string& queue,
                   const std::string& command) {
  Response n = Http(port, "POST", "/ws/v1/cluster/apps/new-application?user.name=peertest",
                    "application/json");
  json nj = json::parse(n.body, nullptr, false);
  if (n.status != 200 || !nj.is_object() || !nj.contains("application-id")) return "";
  std::string id = nj["application-id"].get<std::string>();
  json sub = {{"application-id", id},
              {"application-name", name},
              {"queue", queue},
              {"am-container-spec", {{"commands", {{"command", command}}}}},
              {"max-app-attempts", 1},
              {"resource", {{"memory", 256}, {"vCores", 1}}},
              {"application-type", "YARN"}};
  Response s =
      Http(port, "POST", "/ws/v1/cluster/apps?user.name=peertest", "application/json", sub.dump());
  return s.status == 202 ? id : "";
}

std::string AppState(int port, const std::string& id) {
  json a = GetJson(port, "/ws/v1/cluster/apps/" + id);
  if (!a.is_object() || !a.contains("app")) return "";
  return a["app"].value("state", "");
}

// The scenario on one side. `full`: three apps (running/failed/killed); else one running app.
absl::Status RunScenario(Side* side, bool full, const std::string& queue_running,
                         const std::string& queue_other) {
  int port = side->rm_port;
  std::string running = Submit(port, "peer-running", queue_running, "sleep 600");
  if (running.empty()) return absl::InternalError(side->name + ": submission failed");
  side->ids["running"] = running;
  if (full) {
    std::string failed = Submit(port, "peer-failed", queue_other, "false");
    std::string killed = Submit(port, "peer-killed", queue_other, "sleep 600");
    if (failed.empty() || killed.empty()) {
      return absl::InternalError(side->name + ": submission failed");
    }
    side->ids["failed"] = failed;
    side->ids["killed"] = killed;
    Response k = Http(port, "PUT", "/ws/v1/cluster/apps/" + killed + "/state?user.name=peertest",
                      "application/json", R"({"state":"KILLED"})");
    if (k.status != 200 && k.status != 202) {
      return absl::InternalError(absl::StrCat(side->name, ": kill answered ", k.status));
    }
    if (!WaitFor([&] { return AppState(port, failed) == "FAILED"; }, absl::Seconds(90)) ||
        !WaitFor([&] { return AppState(port, killed) == "KILLED"; }, absl::Seconds(60))) {
      return absl::DeadlineExceededError(side->name + ": failed/killed apps not final");
    }
  }
  // The running app's AM container is up once its node lists it.
  std::string container;
  bool up = WaitFor(
      [&] {
        json nodes = GetJson(port, "/ws/v1/cluster/nodes");
        if (!nodes.is_object() || !nodes["nodes"].is_object()) return false;
        for (const auto& n : nodes["nodes"]["node"]) {
          if (n.value("numContainers", 0) == 0) continue;
          std::string http = n.value("nodeHTTPAddress", "");
          int nm_port = 0;
          if (!absl::SimpleAtoi(http.substr(http.rfind(':') + 1), &nm_port)) continue;
          json cs = GetJson(nm_port, "/ws/v1/node/containers");
          if (!cs.is_object() || !cs["containers"].is_object()) continue;
          json list = cs["containers"]["container"];
          if (list.is_object()) list = json::array({list});
          // The running app's container: another app's (the failed or killed one's) may still
          // show RUNNING for a moment and be gone by the time the endpoints are fetched.
          const std::string mine = "container_" + running.substr(running.find('_') + 1) + "_";
          for (const auto& c : list) {
            if (c.value("state", "") == "RUNNING" && c.value("id", "").rfind(mine, 0) == 0) {
              side->nm_port = nm_port;
              side->ids["node"] = n.value("id", "");
              container = c.value("id", "");
              return true;
            }
          }
        }
        return false;
      },
      absl::Seconds(90));
  if (!up) return absl::DeadlineExceededError(side->name + ": no running AM container");
  side->ids["container"] = container;
  json attempts = GetJson(port, "/ws/v1/cluster/apps/" + running + "/appattempts");
  if (attempts.is_object() && attempts["appAttempts"].is_object()) {
    json list = attempts["appAttempts"]["appAttempt"];
    if (list.is_array() && !list.empty()) list = list[0];
    side->ids["attempt"] = list.value("appAttemptId", "");
  }
  if (side->ids["attempt"].empty()) return absl::InternalError(side->name + ": no attempt id");
  return absl::OkStatus();
}

// Role-named endpoint -> concrete path on `side`.
std::string Concrete(const std::string& endpoint, const Side& side) {
  std::string out = endpoint;
  for (const auto& [role, id] : side.ids) {
    std::string key = "{" + role + "}";
    size_t pos;
    while ((pos = out.find(key)) != std::string::npos) out.replace(pos, key.size(), id);
  }
  return out;
}

// Fetches `endpoint` (RM, or NM when it starts with "node") from both sides in both formats and
// returns every difference. A status differing between the sides is a difference too.
std::vector<Diff> DiffEndpoint(const std::string& endpoint, const Side& yarn, const Side& skein) {
  std::vector<Diff> diffs;
  bool nm = absl::StartsWith(endpoint, "node");
  for (const char* format : {"json", "xml"}) {
    std::string accept = std::string(format) == "json" ? "application/json" : "application/xml";
    Shape shapes[2];
    int status[2];
    std::string bodies[2];
    const Side* sides[2] = {&yarn, &skein};
    for (int i = 0; i < 2; ++i) {
      std::string path = "/ws/v1/" + Concrete(endpoint, *sides[i]);
      Response r = Http(nm ? sides[i]->nm_port : sides[i]->rm_port, "GET", path, accept);
      status[i] = r.status;
      bodies[i] = r.body.substr(0, 300);
      if (r.status != 200) continue;
      if (std::string(format) == "json") {
        json j = json::parse(r.body, nullptr, false);
        if (j.is_discarded()) {
          diffs.push_back(
              {"parse", endpoint + " json", sides[i]->name + ": " + r.body.substr(0, 200)});
          continue;
        }
        JsonShape(j, "", &shapes[i]);
      } else {
        pugi::xml_document doc;
        if (!doc.load_string(r.body.c_str())) {
          diffs.push_back(
              {"parse", endpoint + " xml", sides[i]->name + ": " + r.body.substr(0, 200)});
          continue;
        }
        pugi::xml_node root = doc.document_element();
        XmlShape(root, root.name(), &shapes[i]);
      }
    }
    if (status[0] != status[1]) {
      diffs.push_back({"status", absl::StrCat(endpoint, " ", format),
                       absl::StrCat("yarn ", status[0], ", skein ", status[1],
                                    "; yarn: ", bodies[0], "; skein: ", bodies[1])});
      continue;
    }
    for (auto& d : Compare(absl::StrCat(endpoint, " ", format), shapes[0], shapes[1])) {
      diffs.push_back(std::move(d));
    }
  }
  return diffs;
}

// ---------------------------------------------------------------------------------------------
std::map<std::string, std::string> SchedulerProperties(const std::string& scheduler) {
  std::map<std::string, std::string> p = {
      {"yarn.nodemanager.resource.memory-mb", "8192"},
      {"yarn.nodemanager.resource.cpu-vcores", "8"},
      {"yarn.resourcemanager.am.max-attempts", "1"},
      {"yarn.nodemanager.vmem-check-enabled", "false"},
  };
  if (scheduler == "capacity") {
    p["yarn.resourcemanager.scheduler.class"] =
        "org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler";
    p["yarn.scheduler.capacity.root.queues"] = "a,b";
    p["yarn.scheduler.capacity.root.a.capacity"] = "50";
    p["yarn.scheduler.capacity.root.b.capacity"] = "50";
    p["yarn.scheduler.capacity.root.a.maximum-capacity"] = "100";
    p["yarn.scheduler.capacity.maximum-am-resource-percent"] = "1.0";
  } else if (scheduler == "fair") {
    p["yarn.resourcemanager.scheduler.class"] =
        "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fair.FairScheduler";
  } else {
    p["yarn.resourcemanager.scheduler.class"] =
        "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler";
  }
  return p;
}

struct Pair {
  std::unique_ptr<YarnPeer> yarn_peer;
  std::unique_ptr<TestCluster> skein_cluster;
  Side yarn;
  Side skein;
  absl::Status status;
};

class RestDiffTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    std::string interop = InteropDir("java/yarn-peer", &why);
    setup_error_ = new std::string(why);
    pairs_ = new std::map<std::string, Pair>();
    if (interop.empty()) return;
    base_ =
        new std::string(fs::temp_directory_path() / absl::StrCat("skein-peer-test-", ::getpid()));
    fs::create_directories(*base_);
    const std::map<std::string, int> nms = {{"capacity", 2}, {"fair", 1}, {"fifo", 1}};
    absl::Time t0 = absl::Now();
    auto phase = [&](const char* what) {
      std::fprintf(stderr, "rest_diff_test: %s after %.1f s\n", what,
                   absl::ToDoubleSeconds(absl::Now() - t0));
    };
    // All three JVMs start in parallel; Skein's clusters start while they boot.
    for (const auto& [sched, n] : nms) {
      Pair& p = (*pairs_)[sched];
      p.yarn_peer = std::make_unique<YarnPeer>();
      p.status =
          p.yarn_peer->Launch(interop, *base_ + "/yarn-" + sched, n, SchedulerProperties(sched));
    }
    for (const auto& [sched, n] : nms) {
      Pair& p = (*pairs_)[sched];
      if (!p.status.ok()) continue;
      auto props = SchedulerProperties(sched);
      p.skein_cluster = std::make_unique<TestCluster>(n, props);
      p.status = p.skein_cluster->Start();
      p.skein.name = "skein-" + sched;
      p.skein.rm_port = p.skein_cluster->rm_web_port();
    }
    phase("Skein clusters up");
    for (const auto& [sched, n] : nms) {
      Pair& p = (*pairs_)[sched];
      if (!p.status.ok()) continue;
      p.status = p.yarn_peer->WaitReady(absl::Seconds(150));
      p.yarn.name = "yarn-" + sched;
      p.yarn.rm_port = p.yarn_peer->web_port();
    }
    phase("YARN peers READY");
    for (const auto& [sched, n] : nms) {
      Pair& p = (*pairs_)[sched];
      if (!p.status.ok()) continue;
      bool full = sched == "capacity";
      std::string q1 = full ? "a" : "default", q2 = full ? "b" : "default";
      p.status = RunScenario(&p.yarn, full, q1, q2);
      if (p.status.ok()) p.status = RunScenario(&p.skein, full, q1, q2);
      phase(sched.c_str());
    }
  }

  static void TearDownTestSuite() {
    if (pairs_ != nullptr) {
      // Kill the running apps first so both sides' NMs stop their containers at once, then let
      // every JVM stop in parallel.
      for (auto& [sched, p] : *pairs_) {
        for (const Side* side : {&p.yarn, &p.skein}) {
          auto it = side->ids.find("running");
          if (side->rm_port == 0 || it == side->ids.end()) continue;
          Http(side->rm_port, "PUT",
               "/ws/v1/cluster/apps/" + it->second + "/state?user.name=peertest",
               "application/json", R"({"state":"KILLED"})");
        }
      }
      for (auto& [sched, p] : *pairs_) {
        if (p.yarn.rm_port != 0 && p.yarn.ids.count("running") > 0) {
          WaitFor([&] { return AppState(p.yarn.rm_port, p.yarn.ids["running"]) == "KILLED"; },
                  absl::Seconds(10));
        }
      }
      for (auto& [sched, p] : *pairs_) {
        if (p.yarn_peer) p.yarn_peer->RequestStop();
      }
      for (auto& [sched, p] : *pairs_) {
        if (p.yarn_peer) p.yarn_peer->Stop();
        p.skein_cluster.reset();
      }
      delete pairs_;
      pairs_ = nullptr;
    }
    if (base_ != nullptr) {
      std::error_code ec;
      fs::remove_all(*base_, ec);
      delete base_;
      base_ = nullptr;
    }
    delete setup_error_;
    setup_error_ = nullptr;
  }

  // The pair for `sched`, failing the test when the set-up did not bring it up.
  const Pair* Ready(const std::string& sched) {
    if (!setup_error_->empty()) {
      ADD_FAILURE() << *setup_error_;
      return nullptr;
    }
    const Pair& p = pairs_->at(sched);
    if (!p.status.ok()) {
      ADD_FAILURE() << sched << ": " << p.status;
      return nullptr;
    }
    return &p;
  }

  static void Check(const std::vector<std::string>& endpoints, const Pair& p) {
    std::vector<std::string> unexpected;
    for (const auto& e : endpoints) {
      for (const Diff& d : DiffEndpoint(e, p.yarn, p.skein)) {
        if (!IsAllowed(d, used_)) {
          unexpected.push_back(absl::StrCat(d.kind, "  ", d.where, "  (", d.detail, ")"));
        }
      }
    }
    EXPECT_TRUE(unexpected.empty()) << unexpected.size() << " differences not in kAllowed:\n  "
                                    << absl::StrJoin(unexpected, "\n  ");
  }

  static std::map<std::string, Pair>* pairs_;
  static std::string* base_;
  static std::string* setup_error_;
  static std::set<size_t>* used_;
};

std::map<std::string, Pair>* RestDiffTest::pairs_ = nullptr;
std::string* RestDiffTest::base_ = nullptr;
std::string* RestDiffTest::setup_error_ = nullptr;
std::set<size_t>* RestDiffTest::used_ = new std::set<size_t>();

TEST_F(RestDiffTest, ClusterEndpointsMatchYarn) {
  const Pair* p = Ready("capacity");
  if (p == nullptr) return;
  Check({"cluster", "cluster/info", "cluster/metrics", "cluster/scheduler", "cluster/apps",
         "cluster/apps/{running}", "cluster/apps/{failed}", "cluster/apps/{killed}",
         "cluster/apps/{running}/appattempts", "cluster/apps/{failed}/appattempts",
         "cluster/apps/{running}/appattempts/{attempt}",
         "cluster/apps/{running}/appattempts/{attempt}/containers", "cluster/apps/{running}/queue",
         "cluster/apps/{running}/priority", "cluster/apps/{running}/state",
         "cluster/apps/{killed}/state", "cluster/appstatistics", "cluster/nodes",
         "cluster/nodes/{node}"},
        *p);
}

TEST_F(RestDiffTest, NodeEndpointsMatchYarn) {
  const Pair* p = Ready("capacity");
  if (p == nullptr) return;
  Check({"node", "node/info", "node/apps", "node/apps/{running}", "node/containers",
         "node/containers/{container}"},
        *p);
}

TEST_F(RestDiffTest, NewApplicationMatchesYarn) {
  const Pair* p = Ready("capacity");
  if (p == nullptr) return;
  Shape shapes[2];
  const Side* sides[2] = {&p->yarn, &p->skein};
  for (int i = 0; i < 2; ++i) {
    Response r = Http(sides[i]->rm_port, "POST",
                      "/ws/v1/cluster/apps/new-application?user.name=peertest", "application/json");
    ASSERT_EQ(r.status, 200) << sides[i]->name << " " << r.body;
    JsonShape(json::parse(r.body), "", &shapes[i]);
  }
  std::vector<std::string> unexpected;
  for (const Diff& d : Compare("cluster/apps/new-application json", shapes[0], shapes[1])) {
    if (!IsAllowed(d, used_)) unexpected.push_back(d.kind + "  " + d.where + "  " + d.detail);
  }
  EXPECT_TRUE(unexpected.empty()) << absl::StrJoin(unexpected, "\n  ");
}

TEST_F(RestDiffTest, FairSchedulerMatchesYarn) {
  const Pair* p = Ready("fair");
  if (p == nullptr) return;
  Check({"cluster/scheduler", "cluster/metrics", "cluster/apps/{running}"}, *p);
}

TEST_F(RestDiffTest, FifoSchedulerMatchesYarn) {
  const Pair* p = Ready("fifo");
  if (p == nullptr) return;
  Check({"cluster/scheduler", "cluster/metrics", "cluster/apps/{running}"}, *p);
}

}  // namespace
}  // namespace skein::testing
