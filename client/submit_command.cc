// `yarn submit`: spark-submit for Skein's driver/executor launcher (appmaster/launcher).
//
//   yarn submit [options] pi [SLICES]
//   yarn submit [options] shell [--tasks N] -- COMMAND [ARGS...]
//
// Sizes the AM and executor containers with Spark's rules (appmaster/launcher/sizing.h),
// submits skein-launcher-am (next to this binary) as application type SPARK and follows the
// application report until it ends. Cluster mode runs the driver in the AM; client mode runs it
// in this process (the result prints here) and a SIGINT/SIGTERM/SIGHUP kills the application.
// Exit 0 only when the application FINISHED with SUCCEEDED.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "appmaster/launcher/distributed_files.h"
#include "appmaster/launcher/driver.h"
#include "appmaster/launcher/sizing.h"
#include "client/cli_format.h"
#include "client/commands.h"
#include "client/rm_client.h"
#include "client/submit_support.h"
#include "common/ids.h"
#include "common/rpc.h"

namespace skein::cli {

namespace {

constexpr char kSubmitUsage[] =
    "usage: yarn submit [options] pi [SLICES]\n"
    "       yarn submit [options] shell [--tasks N] -- COMMAND [ARGS...]\n"
    "Options (as spark-submit spells them):\n"
    "  --deploy-mode cluster|client  where the driver runs (default client)\n"
    "  --driver-memory MEM           driver memory, e.g. 1g (cluster mode: sizes the AM)\n"
    "  --driver-cores N              driver cores (cluster mode: the AM's vcores)\n"
    "  --executor-memory MEM         memory per executor (default 1g)\n"
    "  --executor-cores N            vcores per executor (default 1)\n"
    "  --num-executors N             number of executors (default 2)\n"
    "  --queue QUEUE                 queue to submit to (default \"default\")\n"
    "  --name NAME                   application name\n"
    "  --files F1,F2#ALIAS,...       files (local paths or http(s):// URLs) linked into the\n"
    "                                working directory of the AM and every executor\n"
    "  --archives A1.tgz#DIR,...     archives (tar, tar.gz, tgz, zip, jar) unpacked into a\n"
    "                                directory of the AM's and every executor's working dir\n"
    "  --conf KEY=VALUE              spark.yarn.am.memory, spark.yarn.am.cores,\n"
    "                                spark.{executor,driver,yarn.am}.memoryOverhead,\n"
    "                                spark.{executor,driver}.memoryOverheadFactor,\n"
    "                                spark.yarn.maxAppAttempts, spark.executor.instances,\n"
    "                                spark.executor.maxNumFailures, spark.driver.host, ...\n";

volatile sig_atomic_t g_signal = 0;
void OnSignal(int sig) { g_signal = sig; }

struct SubmitArgs {
  launcher::SubmitSettings settings;
  std::string queue = "default";
  std::string name;
  proto::LauncherJobProto job;
  std::optional<int32_t> shell_tasks;
  launcher::LocalResources files;  // --files and --archives
};

absl::StatusOr<int32_t> PositiveInt(const std::string& what, const std::string& text) {
  int32_t v;
  if (!absl::SimpleAtoi(text, &v)) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": \"", text, "\" is not a whole number"));
  }
  if (v < 1) return absl::InvalidArgumentError(absl::StrCat(what, ": ", v, " must be at least 1"));
  return v;
}

absl::StatusOr<SubmitArgs> ParseSubmitArgs(const std::vector<std::string>& args) {
  SubmitArgs a;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    std::string flag = args[i];
    if (!absl::StartsWith(flag, "--")) break;
    std::optional<std::string> value;
    if (size_t eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    static const char* kKnown[] = {"--deploy-mode",     "--driver-memory",  "--driver-cores",
                                   "--executor-memory", "--executor-cores", "--num-executors",
                                   "--queue",           "--name",           "--conf",
                                   "--master",          "--files",          "--archives"};
    bool known = false;
    for (const char* k : kKnown) known = known || flag == k;
    if (!known) return absl::InvalidArgumentError(absl::StrCat("unknown option ", flag));
    if (!value.has_value()) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat(flag, " needs a value"));
      }
      value = args[++i];
    }
    if (flag == "--deploy-mode") {
      if (*value == "cluster") {
        a.settings.deploy_mode = launcher::DeployMode::kCluster;
      } else if (*value == "client") {
        a.settings.deploy_mode = launcher::DeployMode::kClient;
      } else {
        return absl::InvalidArgumentError(absl::StrCat(
            "--deploy-mode: \"", *value, "\" is not a deploy mode: expected cluster or client"));
      }
    } else if (flag == "--driver-memory") {
      a.settings.driver_memory = *value;
    } else if (flag == "--driver-cores") {
      a.settings.driver_cores = *value;
    } else if (flag == "--executor-memory") {
      a.settings.executor_memory = *value;
    } else if (flag == "--executor-cores") {
      a.settings.executor_cores = *value;
    } else if (flag == "--num-executors") {
      a.settings.num_executors = *value;
    } else if (flag == "--queue") {
      if (value->empty()) return absl::InvalidArgumentError("--queue: the queue name is empty");
      a.queue = *value;
    } else if (flag == "--name") {
      a.name = *value;
    } else if (flag == "--master") {
      if (*value != "yarn") {
        return absl::InvalidArgumentError(
            absl::StrCat("--master: \"", *value, "\" is not supported: only yarn"));
      }
    } else if (flag == "--files" || flag == "--archives") {
      if (absl::Status s = launcher::AddDistributedFiles(
              flag, *value, flag == "--files" ? proto::FILE : proto::ARCHIVE, &a.files);
          !s.ok()) {
        return s;
      }
    } else {  // --conf
      size_t eq = value->find('=');
      if (eq == std::string::npos || eq == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("--conf: \"", *value, "\" is not of the form KEY=VALUE"));
      }
      a.settings.conf[value->substr(0, eq)] = value->substr(eq + 1);
    }
  }
  if (i >= args.size()) {
    return absl::InvalidArgumentError("no program given: expected pi [SLICES] or shell -- COMMAND");
  }
  const std::string program = args[i++];
  a.job.set_program(program);
  if (program == "pi") {
    a.job.set_slices(2);
    if (i < args.size()) {
      auto slices = PositiveInt("pi: SLICES", args[i++]);
      if (!slices.ok()) return slices.status();
      a.job.set_slices(*slices);
    }
    if (i < args.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("pi: unexpected argument \"", args[i], "\" after SLICES"));
    }
    if (a.name.empty()) a.name = "Spark Pi";
    return a;
  }
  if (program == "shell") {
    for (; i < args.size() && args[i] != "--"; ++i) {
      if (args[i] == "--tasks" || absl::StartsWith(args[i], "--tasks=")) {
        std::string text;
        if (args[i] == "--tasks") {
          if (i + 1 >= args.size())
            return absl::InvalidArgumentError("shell: --tasks needs a value");
          text = args[++i];
        } else {
          text = args[i].substr(8);
        }
        auto n = PositiveInt("shell: --tasks", text);
        if (!n.ok()) return n.status();
        a.shell_tasks = *n;
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("shell: unexpected argument \"", args[i], "\": expected -- COMMAND"));
      }
    }
    if (i >= args.size() || i + 1 >= args.size()) {
      return absl::InvalidArgumentError("shell: no command given: expected -- COMMAND [ARGS...]");
    }
    for (++i; i < args.size(); ++i) a.job.add_command(args[i]);
    if (a.name.empty()) a.name = "Shell";
    return a;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown program \"", program, "\": expected pi or shell"));
}

// The host executors dial to reach a client-mode driver: spark.driver.host, else 127.0.0.1 when
// the RM is on loopback (a local cluster), else this machine's host name.
std::string DriverHost(const SubmitArgs& a, const std::string& rm_address) {
  if (auto it = a.settings.conf.find("spark.driver.host"); it != a.settings.conf.end()) {
    return it->second;
  }
  if (absl::StartsWith(rm_address, "127.") || absl::StartsWith(rm_address, "localhost:")) {
    return "127.0.0.1";
  }
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') return "127.0.0.1";
  return host;
}

class SignalScope {
 public:
  SignalScope() {
    g_signal = 0;
    struct sigaction sa = {};
    sa.sa_handler = &OnSignal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &sa, &old_[i]);
  }
  ~SignalScope() {
    for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &old_[i], nullptr);
  }

 private:
  static constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction old_[3];
};

void PrintFinalReport(const proto::ApplicationReportProto& r, std::ostream& out) {
  out << "\t client token: N/A\n"
      << "\t diagnostics: " << (r.diagnostics().empty() ? "N/A" : r.diagnostics()) << "\n"
      << "\t ApplicationMaster host: " << OrNA(r.host()) << "\n"
      << "\t ApplicationMaster RPC port: " << r.rpc_port() << "\n"
      << "\t queue: " << r.queue() << "\n"
      << "\t start time: " << r.start_time() << "\n"
      << "\t final status: " << FinalStatusName(r.final_application_status()) << "\n"
      << "\t tracking URL: " << OrNA(r.trackingurl()) << "\n"
      << "\t user: " << r.user() << std::endl;
}

}  // namespace

int RunSubmitCommand(const std::vector<std::string>& args, CliContext& ctx) {
  for (const auto& a : args) {
    if (a == "--") break;
    if (a == "-help" || a == "--help" || a == "-h") {
      ctx.out << kSubmitUsage;
      return 0;
    }
  }
  auto parsed = ParseSubmitArgs(args);
  if (!parsed.ok()) {
    ctx.err << "submit: " << parsed.status().message() << "\n" << kSubmitUsage;
    return 1;
  }
  SubmitArgs& a = *parsed;
  auto plan = launcher::PlanLaunch(a.settings);
  if (!plan.ok()) {
    ctx.err << "submit: " << plan.status().message() << "\n";
    return 1;
  }
  const bool cluster = plan->deploy_mode == launcher::DeployMode::kCluster;
  proto::LauncherJobProto& job = a.job;
  if (job.program() == "shell") job.set_tasks(a.shell_tasks.value_or(plan->num_executors));
  job.set_deploy_mode(cluster ? "cluster" : "client");
  job.set_num_executors(plan->num_executors);
  job.set_executor_memory_mb(plan->executor.total_mb());
  job.set_executor_vcores(static_cast<int32_t>(plan->executor.vcores));
  job.set_max_executor_failures(plan->max_executor_failures);
  if (cluster) {
    if (auto it = a.settings.conf.find("spark.driver.host"); it != a.settings.conf.end()) {
      job.set_driver_host(it->second);
    }
  }
  auto am_binary = FindSiblingBinary("skein-launcher-am", "SKEIN_LAUNCHER_AM");
  auto executor_binary = FindSiblingBinary("skein-executor", "SKEIN_EXECUTOR");
  for (const auto* b : {&am_binary, &executor_binary}) {
    if (!b->ok()) {
      ctx.err << "submit: " << b->status().message() << "\n";
      return 1;
    }
  }
  job.set_executor_binary(*executor_binary);
  for (const auto& [name, resource] : a.files) (*job.mutable_local_resources())[name] = resource;

  auto connection = ConnectForSubmission(ctx.conf);
  if (!connection.ok()) {
    ctx.err << connection.status().message() << "\n";
    return 1;
  }
  std::unique_ptr<RMClient>& rm = connection->rm;
  if (ctx.conf.SourceOf(kRmAddressKey) == "default" &&
      ctx.conf.SourceOf("yarn.resourcemanager.hostname") == "default") {
    ctx.out << "No ResourceManager address configured (no --config, YARN_CONF_DIR or "
               "HADOOP_CONF_DIR, or none in yarn-site.xml): falling back to "
            << rm->address() << " (" << kRmAddressKey << " default)" << std::endl;
  }
  for (const auto& note : plan->notes) ctx.out << note << std::endl;

  // Client mode: the driver serves executors from this process.
  std::unique_ptr<launcher::Driver> driver;
  std::unique_ptr<launcher::DriverServer> server;
  if (!cluster) {
    driver = std::make_unique<launcher::Driver>(job, nullptr);
    std::string bind = "0.0.0.0";
    if (auto it = a.settings.conf.find("spark.driver.bindAddress"); it != a.settings.conf.end()) {
      bind = it->second;
    }
    std::string port = "0";
    if (auto it = a.settings.conf.find("spark.driver.port"); it != a.settings.conf.end()) {
      port = it->second;
    }
    auto started = launcher::DriverServer::Start(*driver, absl::StrCat(bind, ":", port));
    if (!started.ok()) {
      ctx.err << "submit: cannot start the driver: " << started.status().message() << "\n";
      return 1;
    }
    server = std::move(*started);
    job.set_driver_address(absl::StrCat(DriverHost(a, rm->address()), ":", server->port()));
    ctx.out << "Driver listening on " << job.driver_address() << std::endl;
  }
  if (auto s = launcher::ValidateProgram(job); !s.ok()) {
    ctx.err << "submit: " << s.message() << "\n";
    return 1;
  }

  auto app = rm->GetNewApplication();
  if (!app.ok()) {
    ctx.err << app.status().message() << "\n";
    return 1;
  }
  ApplicationId app_id = ApplicationId::FromProto(app->application_id());
  ctx.out << launcher::AmAllocationLine(plan->am) << std::endl;
  ctx.out << launcher::ExecutorAllocationLine(*plan) << std::endl;

  proto::ApplicationSubmissionContextProto sub =
      NewSubmission(*app, a.name, a.queue, "SPARK", *am_binary, "stdout", "stderr");
  *sub.mutable_resource() = plan->am.ask().ToProto();
  sub.set_max_app_attempts(plan->max_app_attempts);
  auto* am = sub.mutable_am_container_spec();
  (*am->mutable_environment())[launcher::kEnvJob] = launcher::EncodeJob(job);
  *am->mutable_local_resources() = job.local_resources();

  SignalScope signals;
  if (auto s = rm->SubmitApplication(sub); !s.ok()) {
    ctx.err << s.message() << "\n";
    return 1;
  }
  ctx.out << "Submitted application " << app_id.ToString() << std::endl;

  bool printed_result = false;
  FollowOptions follow;
  follow.interval = connection->poll;
  follow.reprint = std::chrono::seconds(5);
  follow.interrupted = [] { return static_cast<int>(g_signal); };
  follow.on_report = [&](const proto::ApplicationReportProto&) {
    if (driver != nullptr && !printed_result && driver->done()) {
      printed_result = true;
      launcher::JobOutcome o = driver->outcome();
      ctx.out << o.output;
      if (!o.succeeded) ctx.out << "Job failed: " << o.diagnostics << "\n";
      ctx.out.flush();
    }
  };
  FollowResult followed = FollowApplication(*rm, app_id, follow, ctx.out);
  if (followed.end == FollowEnd::kInterrupted) {
    const int sig = followed.signal;
    ctx.out << "Killing application " << app_id.ToString() << " on signal " << sig << std::endl;
    auto kill = rm->ForceKillApplication(
        app->application_id(),
        absl::StrCat("Application killed by the yarn submit client on signal ", sig));
    if (!kill.ok()) ctx.err << kill.status().message() << "\n";
    return 128 + sig;
  }
  if (followed.end != FollowEnd::kEnded) {
    ctx.err << followed.error.message() << "\n";
    return 1;
  }
  const proto::ApplicationReportProto& report = followed.report;
  PrintFinalReport(report, ctx.out);
  if (cluster) {
    std::string am_container = report.has_am_container_id()
                                   ? ContainerId::FromProto(report.am_container_id()).ToString()
                                   : "<AM container>";
    ctx.out << "The driver's output is in the AM container's stdout: <yarn.nodemanager.log-dirs>/"
            << app_id.ToString() << "/" << am_container << "/stdout on its NodeManager"
            << std::endl;
  }
  bool ok = report.yarn_application_state() == proto::FINISHED &&
            report.final_application_status() == proto::APP_SUCCEEDED;
  if (!ok) {
    ctx.out << "Application " << app_id.ToString() << " finished with failed status" << std::endl;
    return 1;
  }
  return 0;
}

}  // namespace skein::cli
