#include "common/web/jmx.h"

#include <unistd.h>

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace skein::web {
namespace {

using json = nlohmann::ordered_json;

// Glob with * (any run) and ? (one character), as ObjectName patterns use.
bool Glob(absl::string_view pattern, absl::string_view text) {
  size_t p = 0, t = 0, star = absl::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// "domain:k=v,k=v" -> domain and the key properties (no wildcard handling).
bool Split(absl::string_view name, std::string& domain,
           std::vector<std::pair<std::string, std::string>>& keys, bool& any_keys) {
  size_t colon = name.find(':');
  if (colon == absl::string_view::npos) return false;
  domain = std::string(name.substr(0, colon));
  absl::string_view props = name.substr(colon + 1);
  any_keys = false;
  keys.clear();
  if (props.empty()) return false;
  for (absl::string_view part : absl::StrSplit(props, ',')) {
    if (part == "*") {
      if (any_keys) return false;
      any_keys = true;
      continue;
    }
    size_t eq = part.find('=');
    if (eq == absl::string_view::npos || eq == 0 || eq + 1 == part.size()) return false;
    keys.emplace_back(std::string(part.substr(0, eq)), std::string(part.substr(eq + 1)));
  }
  return true;
}

json Error(const std::string& message) { return {{"result", "ERROR"}, {"message", message}}; }

}  // namespace

absl::StatusOr<JmxQuery> JmxQuery::Parse(absl::string_view pattern) {
  JmxQuery q;
  if (!Split(pattern, q.domain_, q.keys_, q.any_keys_)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", pattern, "' is not an ObjectName pattern (domain:key=value[,*])"));
  }
  for (const auto& [k, v] : q.keys_) {
    if (k.find_first_of("*?") != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", pattern, "': a key may not hold a wildcard: ", k));
    }
    (void)v;
  }
  return q;
}

bool JmxQuery::Matches(absl::string_view object_name) const {
  std::string domain;
  std::vector<std::pair<std::string, std::string>> keys;
  bool any = false;
  if (!Split(object_name, domain, keys, any)) return false;
  if (!Glob(domain_, domain)) return false;
  if (!any_keys_ && keys.size() != keys_.size()) return false;
  for (const auto& [k, v] : keys_) {
    bool found = false;
    for (const auto& [nk, nv] : keys) {
      if (nk == k) {
        found = Glob(v, nv);
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

JmxResponse RenderJmx(const std::vector<JmxBean>& beans, const std::string& qry,
                      const std::string& get) {
  JmxResponse out;
  std::string pattern = qry.empty() ? "*:*" : qry;
  std::string attribute;
  if (!get.empty()) {
    std::vector<std::string> parts = absl::StrSplit(get, "::");
    if (parts.size() != 2) {
      out.status = 400;
      out.body = Error("query format is not as expected.").dump(2);
      return out;
    }
    pattern = parts[0];
    attribute = parts[1];
  }
  auto q = JmxQuery::Parse(pattern);
  if (!q.ok()) {
    out.status = 400;
    out.body = Error(std::string(q.status().message())).dump(2);
    return out;
  }
  json list = json::array();
  for (const JmxBean& b : beans) {
    if (!q->Matches(b.name)) continue;
    json bean = {{"name", b.name}, {"modelerType", b.modeler_type}};
    if (attribute.empty()) {
      for (const auto& [k, v] : b.attributes.items()) bean[k] = v;
    } else if (b.attributes.contains(attribute)) {
      bean[attribute] = b.attributes[attribute];
    } else {
      bean["result"] = "ERROR";
      bean["message"] = absl::StrCat("No attribute with name ", attribute, " was found.");
      list.push_back(std::move(bean));
      out.status = 404;
      break;
    }
    list.push_back(std::move(bean));
  }
  out.body = json{{"beans", list}}.dump(2);
  return out;
}

std::string LocalHostName() {
  char name[256] = {0};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

void AppendRpcBeans(const std::string& daemon, const std::string& hostname,
                    const std::map<std::string, int>& service_ports,
                    const std::map<std::string, RpcMetrics::MethodTotals>& rpc,
                    std::vector<JmxBean>& out) {
  struct PortTotals {
    uint64_t calls = 0;
    double seconds = 0;
    json detailed = json::object();
  };
  std::map<int, PortTotals> ports;
  for (const auto& [service, port] : service_ports) ports[port];  // a bean even before any call
  for (const auto& [method, t] : rpc) {
    size_t slash = method.rfind('/');
    if (slash == std::string::npos) continue;
    std::string service = method.substr(0, slash);
    size_t dot = service.rfind('.');
    if (dot != std::string::npos) service = service.substr(dot + 1);
    auto port = service_ports.find(service);
    if (port == service_ports.end()) continue;
    PortTotals& p = ports[port->second];
    p.calls += t.calls;
    p.seconds += t.seconds;
    std::string name = method.substr(slash + 1);
    p.detailed[name + "NumOps"] = t.calls;
    p.detailed[name + "AvgTime"] = t.calls > 0 ? t.seconds * 1000.0 / t.calls : 0.0;
  }
  for (const auto& [port, p] : ports) {
    std::string activity = absl::StrCat("RpcActivityForPort", port);
    JmxBean b{absl::StrCat("Hadoop:service=", daemon, ",name=", activity), activity};
    b.attributes = {{"tag.port", absl::StrCat(port)},
                    {"tag.Context", "rpc"},
                    {"tag.Hostname", hostname},
                    {"RpcQueueTimeNumOps", p.calls},
                    {"RpcQueueTimeAvgTime", 0.0},
                    {"RpcProcessingTimeNumOps", p.calls},
                    {"RpcProcessingTimeAvgTime", p.calls > 0 ? p.seconds * 1000.0 / p.calls : 0.0},
                    {"RpcAuthenticationFailures", 0},
                    {"RpcAuthenticationSuccesses", 0},
                    {"RpcAuthorizationFailures", 0},
                    {"RpcAuthorizationSuccesses", p.calls}};
    out.push_back(std::move(b));
    std::string detailed = absl::StrCat("RpcDetailedActivityForPort", port);
    JmxBean d{absl::StrCat("Hadoop:service=", daemon, ",name=", detailed), detailed};
    d.attributes = {{"tag.port", absl::StrCat(port)},
                    {"tag.Context", "rpcdetailed"},
                    {"tag.Hostname", hostname}};
    for (const auto& [k, v] : p.detailed.items()) d.attributes[k] = v;
    out.push_back(std::move(d));
  }
}

}  // namespace skein::web
