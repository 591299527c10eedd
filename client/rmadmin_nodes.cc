#include "client/rmadmin_nodes.h"

#include <chrono>
#include <optional>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/rm_client.h"
#include "common/ids.h"

namespace skein::cli {
namespace {

// Java's Integer.parseInt, with its NumberFormatException text.
absl::StatusOr<int32_t> ParseJavaInt(const std::string& s) {
  int32_t v = 0;
  if (!absl::SimpleAtoi(s, &v) || absl::StartsWith(s, "+") || s.find(' ') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("For input string: \"", s, "\""));
  }
  return v;
}

int Fail(CliContext& ctx, const std::string& cmd, absl::string_view message,
         const std::string& usage = "") {
  ctx.err << cmd.substr(1) << ": " << message << "\n" << usage;
  return kExitMinusOne;
}

// RMAdminCLI's client-side tracking of a graceful decommission.
int TrackDecommissioning(RMClient& rm, int32_t timeout, CliContext& ctx) {
  constexpr int kGracePeriodSeconds = 5;  // as RMAdminCLI: let the RM's own timeout act first
  bool decommissioning = true;
  int64_t waited = 0;
  for (; timeout == -1 || waited < timeout + kGracePeriodSeconds; ++waited) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    auto nodes = rm.CheckForDecommissioningNodes();
    if (!nodes.ok()) return Fail(ctx, "-refreshNodes", nodes.status().message());
    if (nodes->decommissioning_nodes().empty()) {
      decommissioning = false;
      break;
    }
    std::vector<std::string> ids;
    for (const auto& n : nodes->decommissioning_nodes()) {
      ids.push_back(NodeId::FromProto(n).ToString());
    }
    ctx.out << "Nodes '" << absl::StrJoin(ids, ",") << "' are still decommissioning." << std::endl;
  }
  if (decommissioning) {
    ctx.out << "Graceful decommissioning not completed in " << timeout
            << " seconds, issuing forceful decommissioning command." << std::endl;
    if (auto s = rm.RefreshNodes(proto::DECOMMISSION_FORCEFUL); !s.ok()) {
      return Fail(ctx, "-refreshNodes", s.message());
    }
  } else {
    ctx.out << "Graceful decommissioning completed in " << waited << " seconds." << std::endl;
  }
  return 0;
}

}  // namespace

int RunRefreshNodes(const std::vector<std::string>& args, const std::string& usage,
                    CliContext& ctx) {
  const std::string& cmd = args[0];
  bool graceful = false, client = false, server = false;
  std::optional<std::string> timeout_text;
  auto is_option = [](const std::string& a) {
    return a == "-g" || a == "-graceful" || a == "--graceful" || a == "-client" || a == "-server" ||
           a == "-refreshNodes";
  };
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-g" || a == "-graceful" || a == "--graceful") {
      graceful = true;
      // The timeout is optional; anything that is not another option is taken as it.
      if (i + 1 < args.size() && !is_option(args[i + 1])) timeout_text = args[++i];
    } else if (a == "-client") {
      client = true;
    } else if (a == "-server") {
      server = true;
    } else {
      return Fail(ctx, cmd, absl::StrCat("Unrecognized option: ", a), usage);
    }
  }
  auto rm = RMClient::CreateAdmin(ctx.conf);
  if (!graceful) {
    absl::Status s = rm.ok() ? (*rm)->RefreshNodes(proto::DECOMMISSION_NORMAL) : rm.status();
    return s.ok() ? 0 : Fail(ctx, cmd, s.message());
  }
  int32_t timeout = -1;  // RMAdminCLI: omitted means no limit
  if (timeout_text.has_value()) {
    auto parsed = ParseJavaInt(*timeout_text);
    if (!parsed.ok() || *parsed < -1) {
      return Fail(ctx, cmd,
                  absl::StrCat("Invalid timeout specified : ",
                               parsed.ok() ? absl::StrCat(*parsed) : *timeout_text),
                  usage);
    }
    timeout = *parsed;
  }
  if (!client && !server) {
    ctx.err << usage;
    return kExitMinusOne;
  }
  if (!rm.ok()) return Fail(ctx, cmd, rm.status().message());
  if (auto s = (*rm)->RefreshNodes(proto::DECOMMISSION_GRACEFUL, timeout); !s.ok()) {
    return Fail(ctx, cmd, s.message());
  }
  return client ? TrackDecommissioning(**rm, timeout, ctx) : 0;
}

absl::StatusOr<Resource> ParseResourceTypes(const std::string& text) {
  Resource r;
  bool has_memory = false, has_vcores = false;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    std::vector<std::string> kv = absl::StrSplit(part, '=');
    if (kv.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Invalid resource type value: (", part,
          ") for updateNodeResource. It should be key value pairs separated using '=' symbol."));
    }
    std::string name(absl::StripAsciiWhitespace(kv[0]));
    absl::string_view value = absl::StripAsciiWhitespace(kv[1]);
    int64_t scale = 1;
    if (name == "memory-mb" || name == "memory") {
      for (auto [unit, factor] : {std::pair{"Mi", 1}, {"Gi", 1024}, {"Ti", 1024 * 1024}}) {
        if (absl::ConsumeSuffix(&value, unit)) {
          scale = factor;
          break;
        }
      }
    }
    int64_t n = 0;
    if (!absl::SimpleAtoi(value, &n)) {
      return absl::InvalidArgumentError(absl::StrCat("Invalid resource value: ", kv[1],
                                                     ". Unable to extract unit and actual value."));
    }
    if (n < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("Invalid resource value: ", kv[1], " for ", name, ": must not be negative"));
    }
    if (name == "memory-mb" || name == "memory") {
      r.memory_mb = n * scale;
      has_memory = true;
    } else if (name == "vcores") {
      r.vcores = n;
      has_vcores = true;
    } else if (n != 0) {
      r.others[name] = n;
    }
  }
  if (!has_memory || !has_vcores) {
    return absl::InvalidArgumentError(
        absl::StrCat("Resource Types parameter '", text,
                     "' for updateNodeResource must give both memory-mb and vcores, e.g. "
                     "memory-mb=1024Mi,vcores=1"));
  }
  return r;
}

int RunUpdateNodeResource(const std::vector<std::string>& args, const std::string& usage,
                          CliContext& ctx) {
  const std::string& cmd = args[0];
  if (args.size() < 3 || args.size() > 5) {
    ctx.err << "Number of parameters specified for updateNodeResource is wrong.\n" << usage;
    return kExitMinusOne;
  }
  size_t i = 2;
  Resource resource;
  // RMAdminCLI: with 4 or 5 words and a plain number in the memory slot it is <MemSize>
  // <vCores>; otherwise the resource-types form.
  const bool numeric = (args.size() == 4 || args.size() == 5) &&
                       args[2].find_first_not_of("0123456789") == std::string::npos;
  if (numeric) {
    auto mem = ParseJavaInt(args[i++]);
    if (!mem.ok()) return Fail(ctx, cmd, mem.status().message(), usage);
    auto cores = ParseJavaInt(args[i++]);
    if (!cores.ok()) return Fail(ctx, cmd, cores.status().message(), usage);
    if (*mem < 0 || *cores < 0) {
      return Fail(
          ctx, cmd,
          absl::StrCat("Invalid resource value: (", *mem, ",", *cores, ") for updateNodeResource."),
          usage);
    }
    resource = Resource(*mem, *cores);
  } else {
    const std::string& types = args[i++];
    if (types.find('=') == std::string::npos) {
      ctx.err << "Resource Types parameter specified for updateNodeResource is wrong. It should "
                 "be comma-delimited key value pairs. For example, memory-mb=1024Mi,vcores=1,"
                 "resource1=3Gi,resource2=2\n"
              << usage;
      return kExitMinusOne;
    }
    auto parsed = ParseResourceTypes(types);
    if (!parsed.ok()) return Fail(ctx, cmd, parsed.status().message(), usage);
    resource = *parsed;
  }
  int32_t overcommit = -1;
  if (i == args.size() - 1) {
    auto t = ParseJavaInt(args[i]);
    if (!t.ok()) return Fail(ctx, cmd, t.status().message(), usage);
    overcommit = *t;
  } else if (i < args.size()) {
    ctx.err << "Number of parameters specified for updateNodeResource is wrong.\n" << usage;
    return kExitMinusOne;
  }
  auto node = NodeId::Parse(args[1]);
  if (!node.ok()) return Fail(ctx, cmd, node.status().message(), usage);
  proto::UpdateNodeResourceRequest req;
  proto::NodeResourceMapProto* entry = req.add_node_resource_map();
  *entry->mutable_node_id() = node->ToProto();
  *entry->mutable_resource_option()->mutable_resource() = resource.ToProto();
  entry->mutable_resource_option()->set_over_commit_timeout(overcommit);
  auto rm = RMClient::CreateAdmin(ctx.conf);
  absl::Status s = rm.ok() ? (*rm)->UpdateNodeResource(req) : rm.status();
  return s.ok() ? 0 : Fail(ctx, cmd, s.message());
}

}  // namespace skein::cli
