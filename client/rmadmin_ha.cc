#include "client/rmadmin_ha.h"

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/rm_failover.h"
#include "common/rpc.h"
#include "protos/ha_protocol.grpc.pb.h"

namespace skein::cli {
namespace {

constexpr char kAdminKey[] = "yarn.resourcemanager.admin.address";
constexpr auto kTransitionWait = std::chrono::seconds(30);

struct Target {
  std::string id;
  std::string shown;    // host:port as configured (what -getAllServiceState prints)
  std::string connect;  // connectable host:port
};

absl::StatusOr<std::vector<Target>> AllTargets(const conf::Configuration& conf,
                                               const std::string& command) {
  auto ha = conf.GetBool(kHaEnabledKey, false);
  if (!ha.ok()) return ha.status();
  if (!*ha) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Cannot run ", command, " when ResourceManager HA is not enabled (", kHaEnabledKey, ")"));
  }
  auto rms = ConfiguredRms(conf, kAdminKey, 8033);
  if (!rms.ok()) return rms.status();
  std::vector<Target> out;
  for (const RmEndpoint& e : *rms) {
    auto shown = RmAddressFor(conf, kAdminKey, e.rm_id, 8033);
    out.push_back({e.rm_id, shown.ok() ? *shown : e.address, e.address});
  }
  return out;
}

absl::StatusOr<Target> Resolve(const conf::Configuration& conf, const std::string& command,
                               const std::string& id) {
  auto all = AllTargets(conf, command);
  if (!all.ok()) return all.status();
  for (const Target& t : *all) {
    if (t.id == id) return t;
  }
  return absl::InvalidArgumentError(absl::StrCat("Invalid ResourceManager id '", id,
                                                 "': not one of ", kHaRmIdsKey, " (",
                                                 absl::StrJoin(ConfiguredRmIds(conf), ","), ")"));
}

absl::StatusOr<proto::GetServiceStatusResponse> GetStatus(const Target& t) {
  auto stub = proto::HAServiceProtocol::NewStub(MakeChannel(t.connect));
  auto ctx = MakeClientContext(std::chrono::milliseconds(5000));
  proto::GetServiceStatusResponse resp;
  grpc::Status s = stub->GetServiceStatus(ctx.get(), proto::GetServiceStatusRequest(), &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  return resp;
}

const char* StateName(proto::HAServiceStateProto s) {
  switch (s) {
    case proto::HA_ACTIVE:
      return "active";
    case proto::HA_STANDBY:
      return "standby";
    case proto::HA_STOPPING:
      return "stopping";
    default:
      return "initializing";
  }
}

int Fail(CliContext& ctx, const std::string& command, absl::string_view why) {
  ctx.err << command.substr(1) << ": " << why << "\n";
  return kExitMinusOne;
}

// Flags (--forcemanual, --forceactive) and the one rm-id; false on a usage error.
bool ParseTransition(const std::vector<std::string>& args, bool allow_forceactive,
                     bool* forcemanual, bool* forceactive, std::string* id) {
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--forcemanual") {
      *forcemanual = true;
    } else if (allow_forceactive && args[i] == "--forceactive") {
      *forceactive = true;
    } else if (!args[i].empty() && args[i][0] == '-') {
      return false;
    } else if (id->empty()) {
      *id = args[i];
    } else {
      return false;
    }
  }
  return !id->empty();
}

int RunTransition(const std::vector<std::string>& args, const std::string& usage, CliContext& ctx,
                  bool to_active) {
  const std::string& command = args[0];
  bool forcemanual = false;
  bool forceactive = false;
  std::string id;
  if (!ParseTransition(args, to_active, &forcemanual, &forceactive, &id)) {
    ctx.err << usage;
    return kExitMinusOne;
  }
  auto target = Resolve(ctx.conf, command, id);
  if (!target.ok()) return Fail(ctx, command, target.status().message());
  auto automatic = ctx.conf.GetBool("yarn.resourcemanager.ha.automatic-failover.enabled", true);
  if (!automatic.ok()) return Fail(ctx, command, automatic.status().message());
  if (*automatic && !forcemanual) {
    ctx.err << "Automatic failover is enabled for ResourceManager " << id << "\n"
            << "Refusing to manually manage HA state, since it may cause\n"
            << "a split-brain scenario or other incorrect state.\n"
            << "If you are very sure you know what you are doing, please \n"
            << "specify the --forcemanual flag.\n";
    return kExitMinusOne;
  }
  if (forcemanual) {
    ctx.err << "Warning: --forcemanual bypasses the automatic failover controller; the "
               "ResourceManagers' elector does not know of this transition.\n";
  }
  if (to_active && !forceactive) {
    auto all = AllTargets(ctx.conf, command);
    if (!all.ok()) return Fail(ctx, command, all.status().message());
    for (const Target& other : *all) {
      if (other.id == id) continue;
      auto st = GetStatus(other);
      if (st.ok() && st->state() == proto::HA_ACTIVE) {
        return Fail(ctx, command, absl::StrCat("Node ", other.id, " is already active"));
      }
    }
  }
  auto stub = proto::HAServiceProtocol::NewStub(MakeChannel(target->connect));
  auto rpc = MakeClientContext(std::chrono::milliseconds(10000));
  proto::HATransitionRequest req;
  req.mutable_req_info()->set_req_source(forcemanual ? proto::REQUEST_BY_USER_FORCED
                                                     : proto::REQUEST_BY_USER);
  proto::HATransitionResponse resp;
  grpc::Status s = to_active ? stub->TransitionToActive(rpc.get(), req, &resp)
                             : stub->TransitionToStandby(rpc.get(), req, &resp);
  if (!s.ok()) return Fail(ctx, command, FromGrpcStatus(s).message());
  // The RM transitions in the background (its listeners restart): wait for the new state.
  const proto::HAServiceStateProto want = to_active ? proto::HA_ACTIVE : proto::HA_STANDBY;
  const auto deadline = std::chrono::steady_clock::now() + kTransitionWait;
  absl::Status last = absl::OkStatus();
  while (std::chrono::steady_clock::now() < deadline) {
    auto st = GetStatus(*target);
    if (st.ok() && st->state() == want) return 0;
    last = st.ok() ? absl::OkStatus() : st.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Fail(ctx, command,
              absl::StrCat("ResourceManager ", id, " did not become ", StateName(want), " within ",
                           kTransitionWait.count(), " s",
                           last.ok() ? "" : absl::StrCat(": ", last.message())));
}

int RunGetServiceState(const std::vector<std::string>& args, const std::string& usage,
                       CliContext& ctx) {
  if (args.size() != 2) {
    ctx.err << usage;
    return kExitMinusOne;
  }
  auto target = Resolve(ctx.conf, args[0], args[1]);
  if (!target.ok()) return Fail(ctx, args[0], target.status().message());
  auto st = GetStatus(*target);
  if (!st.ok()) return Fail(ctx, args[0], st.status().message());
  ctx.out << StateName(st->state()) << "\n";
  return 0;
}

int RunGetAllServiceState(const std::vector<std::string>& args, const std::string& usage,
                          CliContext& ctx) {
  if (args.size() != 1) {
    ctx.err << usage;
    return kExitMinusOne;
  }
  auto all = AllTargets(ctx.conf, args[0]);
  if (!all.ok()) return Fail(ctx, args[0], all.status().message());
  for (const Target& t : *all) {
    auto st = GetStatus(t);
    const std::string state = st.ok() ? StateName(st->state())
                                      : absl::StrCat("Failed to connect: ", st.status().message());
    ctx.out << absl::StrFormat("%-50s %-10s", t.shown, state) << "\n";
  }
  return 0;
}

int RunTransitionToActive(const std::vector<std::string>& args, const std::string& usage,
                          CliContext& ctx) {
  return RunTransition(args, usage, ctx, true);
}

int RunTransitionToStandby(const std::vector<std::string>& args, const std::string& usage,
                           CliContext& ctx) {
  return RunTransition(args, usage, ctx, false);
}

struct HaCommand {
  const char* name;
  const char* args;
  const char* description;
  int (*run)(const std::vector<std::string>&, const std::string&, CliContext&);
};

const HaCommand kHaCommands[] = {
    {"-transitionToActive", "[--forceactive] [--forcemanual] <serviceId>",
     "Makes the ResourceManager <serviceId> active. --forceactive skips the check that no other "
     "ResourceManager is active. Refused while automatic failover is enabled unless "
     "--forcemanual is given (use with care).",
     &RunTransitionToActive},
    {"-transitionToStandby", "[--forcemanual] <serviceId>",
     "Makes the ResourceManager <serviceId> standby. Refused while automatic failover is enabled "
     "unless --forcemanual is given (use with care).",
     &RunTransitionToStandby},
    {"-getServiceState", "<serviceId>", "Prints the HA state of the ResourceManager <serviceId>.",
     &RunGetServiceState},
    {"-getAllServiceState", "", "Prints the HA state of every ResourceManager.",
     &RunGetAllServiceState},
};

}  // namespace

bool RunHaAdminCommand(const std::vector<std::string>& args, CliContext& ctx, int* exit_code) {
  if (args.empty()) return false;
  for (const HaCommand& c : kHaCommands) {
    if (args[0] != c.name) continue;
    const std::string usage =
        absl::StrCat("Usage: yarn rmadmin [", c.name, c.args[0] == '\0' ? "" : " ", c.args, "]\n");
    *exit_code = c.run(args, usage, ctx);
    return true;
  }
  return false;
}

std::string HaAdminUsageLines(const conf::Configuration& conf) {
  std::string out;
  if (!HaEnabled(conf)) return out;
  for (const HaCommand& c : kHaCommands) absl::StrAppend(&out, "   ", c.name, " ", c.args, "\n");
  return out;
}

std::string HaAdminHelpLines(const conf::Configuration& conf) {
  std::string out;
  if (!HaEnabled(conf)) return out;
  for (const HaCommand& c : kHaCommands) absl::StrAppend(&out, "   ", HaAdminHelp(c.name));
  return out;
}

std::string HaAdminHelp(const std::string& command) {
  const std::string name = !command.empty() && command[0] != '-' ? "-" + command : command;
  for (const HaCommand& c : kHaCommands) {
    if (name == c.name) {
      return absl::StrCat(c.name, c.args[0] == '\0' ? "" : " ", c.args, ": ", c.description, "\n");
    }
  }
  return "";
}

}  // namespace skein::cli
