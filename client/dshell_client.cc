// `yarn distributedshell`: submits the distributed-shell ApplicationMaster (skein-dshell-am, next
// to this binary) with the job in its environment, follows the application and reports how it
// ended. Exit 0 only for FINISHED + SUCCEEDED; 2 when -timeout expired (the app is killed).
#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "appmaster/distributedshell/dshell_am.h"
#include "client/cli_format.h"
#include "client/commands.h"
#include "client/options.h"
#include "client/rm_client.h"
#include "client/submit_support.h"
#include "common/ids.h"

namespace skein::cli {

namespace {

constexpr char kDShellUsage[] =
    "usage: yarn distributedshell -shell_command <cmd> [options]\n"
    " -appname <name>            Application name (default DistributedShell)\n"
    " -container_memory <MB>     Memory per shell container (default 10)\n"
    " -container_vcores <n>      Virtual cores per shell container (default 1)\n"
    " -help                      Print usage\n"
    " -master_memory <MB>        Memory of the ApplicationMaster (default 10)\n"
    " -master_vcores <n>         Virtual cores of the ApplicationMaster (default 1)\n"
    " -num_containers <n>        Number of containers to run the command in (default 1)\n"
    " -priority <n>              Priority of the shell containers (default 0)\n"
    " -queue <queue>             Queue to submit to (default \"default\")\n"
    " -shell_args <args>         Arguments appended to the shell command\n"
    " -shell_command <cmd>       Shell command run in every container\n"
    " -shell_env <K=V>           Environment for the shell command (repeatable)\n"
    " -timeout <ms>              Kill the application after this long (default 600000)\n";

struct DShellOptions {
  dshell::DShellJob job;
  int64_t master_memory_mb = 10;
  int32_t master_vcores = 1;
  std::string queue = "default";
  std::string appname = "DistributedShell";
  int64_t timeout_ms = 600000;
};

absl::Status ParseInt(const ParsedOptions& opts, const std::string& name, int64_t minimum,
                      int64_t* out) {
  if (!opts.Has(name)) return absl::OkStatus();
  std::string text = opts.Value(name);
  int64_t v;
  if (!absl::SimpleAtoi(text, &v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("-", name, ": invalid value '", text, "': not an integer"));
  }
  if (v < minimum) {
    return absl::InvalidArgumentError(
        absl::StrCat("-", name, ": invalid value ", v, ": must be at least ", minimum));
  }
  *out = v;
  return absl::OkStatus();
}

absl::StatusOr<DShellOptions> ParseDShellOptions(const std::vector<std::string>& args) {
  static const std::map<std::string, Arity> kSpec = {{"shell_command", Arity::kOne},
                                                     {"shell_args", Arity::kOne},
                                                     {"shell_env", Arity::kOne},
                                                     {"num_containers", Arity::kOne},
                                                     {"container_memory", Arity::kOne},
                                                     {"container_vcores", Arity::kOne},
                                                     {"master_memory", Arity::kOne},
                                                     {"master_vcores", Arity::kOne},
                                                     {"queue", Arity::kOne},
                                                     {"priority", Arity::kOne},
                                                     {"appname", Arity::kOne},
                                                     {"timeout", Arity::kOne},
                                                     {"help", Arity::kNone}};
  auto parsed = ParseOptions(args, kSpec, /*split_commas=*/false);
  if (!parsed.ok()) return absl::InvalidArgumentError(parsed.status().message());
  const ParsedOptions& opts = *parsed;
  DShellOptions o;
  o.job.shell_command = opts.Value("shell_command");
  if (o.job.shell_command.empty()) {
    return absl::InvalidArgumentError(
        "-shell_command: no shell command specified to be executed by the application master");
  }
  o.job.shell_args = opts.Value("shell_args");
  if (opts.Has("shell_env")) {
    for (const auto& kv : opts.values.at("shell_env")) {
      size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("-shell_env: invalid value '", kv, "': expected KEY=VALUE"));
      }
      if (kv.find('\n') != std::string::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("-shell_env: invalid value '", kv, "': newlines are not supported"));
      }
      o.job.shell_env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  int64_t n = 1, mem = 10, vcores = 1, prio = 0, am_vcores = 1;
  for (auto s :
       {ParseInt(opts, "num_containers", 1, &n), ParseInt(opts, "container_memory", 1, &mem),
        ParseInt(opts, "container_vcores", 1, &vcores),
        ParseInt(opts, "master_memory", 1, &o.master_memory_mb),
        ParseInt(opts, "master_vcores", 1, &am_vcores), ParseInt(opts, "priority", 0, &prio),
        ParseInt(opts, "timeout", 1, &o.timeout_ms)}) {
    if (!s.ok()) return s;
  }
  o.job.num_containers = static_cast<int32_t>(n);
  o.job.container_memory_mb = mem;
  o.job.container_vcores = static_cast<int32_t>(vcores);
  o.job.priority = static_cast<int32_t>(prio);
  o.master_vcores = static_cast<int32_t>(am_vcores);
  if (opts.Has("queue")) o.queue = opts.Value("queue");
  if (opts.Has("appname")) o.appname = opts.Value("appname");
  if (o.queue.empty()) return absl::InvalidArgumentError("-queue: the queue name is empty");
  return o;
}

}  // namespace

int RunDistributedShell(const std::vector<std::string>& args, CliContext& ctx) {
  for (const auto& a : args) {
    if (a == "-help" || a == "--help") {
      ctx.out << kDShellUsage;
      return 0;
    }
  }
  auto parsed = ParseDShellOptions(args);
  if (!parsed.ok()) {
    ctx.err << "distributedshell: " << parsed.status().message() << "\n" << kDShellUsage;
    return 1;
  }
  const DShellOptions& o = *parsed;
  // Next to the `yarn` binary; $SKEIN_DSHELL_AM overrides.
  auto am_binary = FindSiblingBinary("skein-dshell-am", "SKEIN_DSHELL_AM");
  if (!am_binary.ok()) {
    ctx.err << "distributedshell: " << am_binary.status().message() << "\n";
    return 1;
  }
  auto connection = ConnectForSubmission(ctx.conf);
  if (!connection.ok()) {
    ctx.err << connection.status().message() << "\n";
    return 1;
  }
  std::unique_ptr<RMClient>& rm = connection->rm;
  auto app = rm->GetNewApplication();
  if (!app.ok()) {
    ctx.err << app.status().message() << "\n";
    return 1;
  }
  ApplicationId app_id = ApplicationId::FromProto(app->application_id());

  proto::ApplicationSubmissionContextProto sub = NewSubmission(
      *app, o.appname, o.queue, "YARN", *am_binary, "AppMaster.stdout", "AppMaster.stderr");
  sub.mutable_resource()->set_memory_mb(o.master_memory_mb);
  sub.mutable_resource()->set_virtual_cores(o.master_vcores);
  for (const auto& [k, v] : dshell::DShellJobEnvironment(o.job))
    (*sub.mutable_am_container_spec()->mutable_environment())[k] = v;
  if (auto s = rm->SubmitApplication(sub); !s.ok()) {
    ctx.err << s.message() << "\n";
    return 1;
  }
  ctx.out << "Submitted application " << app_id.ToString() << std::endl;

  FollowOptions follow;
  follow.interval = connection->poll;
  follow.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(o.timeout_ms);
  FollowResult followed = FollowApplication(*rm, app_id, follow, ctx.out);
  if (followed.end == FollowEnd::kError) {
    ctx.err << followed.error.message() << "\n";
    return 1;
  }
  if (followed.end == FollowEnd::kTimedOut) {
    ctx.out << "Reached client specified timeout for application. Killing application "
            << app_id.ToString() << std::endl;
    auto kill = rm->ForceKillApplication(
        app->application_id(),
        absl::StrCat("Killed by the distributedshell client after -timeout ", o.timeout_ms, " ms"));
    if (!kill.ok()) ctx.err << kill.status().message() << "\n";
    return 2;
  }
  const proto::ApplicationReportProto& report = followed.report;

  std::vector<std::string> log_dirs = ctx.conf.GetStrings("yarn.nodemanager.log-dirs");
  for (auto& d : log_dirs) {
    d = absl::StrCat(d, "/", app_id.ToString(), "/");
  }
  ctx.out << "Application " << app_id.ToString() << " finished with state "
          << AppStateName(report.yarn_application_state()) << " and final status "
          << FinalStatusName(report.final_application_status()) << "\n"
          << "\tdiagnostics: " << (report.diagnostics().empty() ? "N/A" : report.diagnostics())
          << "\n"
          << "\ttracking URL: " << OrNA(report.original_tracking_url()) << "\n"
          << "\tcontainer logs: " << absl::StrJoin(log_dirs, ", ")
          << " (yarn.nodemanager.log-dirs on the NodeManager hosts)\n";
  bool ok = report.yarn_application_state() == proto::FINISHED &&
            report.final_application_status() == proto::APP_SUCCEEDED;
  if (ok) {
    ctx.out << "Application completed successfully" << std::endl;
    return 0;
  }
  ctx.out << "Application failed to complete successfully" << std::endl;
  return 1;
}

}  // namespace skein::cli
