#include "client/yarn_cli.h"

#include <optional>

#include "absl/strings/match.h"
#include "client/commands.h"
#include "common/conf/configuration.h"

namespace skein::cli {

std::string YarnUsage() {
  return "Usage: yarn [--config confdir] COMMAND [COMMAND_OPTIONS]\n"
         "\n"
         "  --config confdir   use confdir/yarn-site.xml (default: $YARN_CONF_DIR, else\n"
         "                     $HADOOP_CONF_DIR, else built-in defaults)\n"
         "\n"
         "Client commands:\n"
         "  application        prints application(s) report/kill application:\n"
         "                     -list [-appStates S1,S2|ALL] [-appTypes T1,T2], -status <appId>,\n"
         "                     -kill <appId> [<appId> ...], -movetoqueue <appId> -queue <q>,\n"
         "                     -appId <appId> -updatePriority <p> | -changeQueue <q>\n"
         "  node               prints node report(s): -list [-all] [-states S1,S2] "
         "[-showDetails],\n"
         "                     -status <NodeId>\n"
         "  queue              prints queue information: -status <queue>\n"
         "  logs               prints container logs: -applicationId <id> [-containerId <id>]\n"
         "                     [-log_files F1,F2] [-am 1,2|-1] [-size N] [-nodeAddress H:P]\n"
         "  container          signals a container: -signal <containerId> [OUTPUT_THREAD_DUMP|\n"
         "                     GRACEFUL_SHUTDOWN|FORCEFUL_SHUTDOWN]\n"
         "  rmadmin            admin tools: -refreshQueues, -refreshNodes [-g [timeout]\n"
         "                     -client|-server], -refreshAdminAcls, -updateNodeResource\n"
         "                     <NodeID> <MemSize> <vCores>, -help [cmd]\n"
         "  distributedshell   runs a shell command in containers: -shell_command CMD [-shell_args "
         "A]\n"
         "                     [-shell_env K=V] [-num_containers N] [-container_memory MB]\n"
         "                     [-container_vcores V] [-master_memory MB] [-master_vcores V]\n"
         "                     [-queue Q] [-priority P] [-appname NAME] [-timeout ms]\n"
         "  submit             runs a Spark-style driver/executor job:\n"
         "                     [--deploy-mode cluster|client] [--num-executors N]\n"
         "                     [--executor-memory MEM] [--conf K=V] ...\n"
         "                     pi [SLICES] | shell [--tasks N] -- COMMAND [ARGS...]\n"
         "  version            print the version\n"
         "\n"
         "Daemon commands:\n"
         "  resourcemanager    run the ResourceManager [--address-file F]\n"
         "  nodemanager        run a NodeManager\n"
         "  minicluster        run a ResourceManager and NodeManagers in one process\n"
         "                     [--nodemanagers N] [--base-dir DIR] [--conf-dir-out DIR]\n"
         "                     [--ephemeral-ports]\n"
         "\n"
         "Most commands print help when invoked with -help.\n";
}

namespace {

bool IsHelp(const std::string& a) {
  return a == "-help" || a == "--help" || a == "-h" || a == "help";
}

using Command = int (*)(const std::vector<std::string>&, CliContext&);

Command FindCommand(const std::string& name) {
  if (name == "application" || name == "app") return &RunApplicationCommand;
  if (name == "node") return &RunNodeCommand;
  if (name == "queue") return &RunQueueCommand;
  if (name == "distributedshell") return &RunDistributedShell;
  if (name == "submit") return &RunSubmitCommand;
  if (name == "resourcemanager") return &RunResourceManagerCommand;
  if (name == "nodemanager") return &RunNodeManagerCommand;
  if (name == "minicluster") return &RunMiniClusterCommand;
  if (name == "rmadmin") return &RunRmAdminCommand;
  if (name == "container") return &RunContainerCommand;
  if (name == "logs") return &RunLogsCommand;
  return nullptr;
}

}  // namespace

int RunYarn(std::vector<std::string> args, std::ostream& out, std::ostream& err) {
  std::optional<std::string> config_flag;
  size_t i = 0;
  while (i < args.size() && absl::StartsWith(args[i], "--config")) {
    if (args[i] == "--config") {
      if (i + 1 >= args.size() || args[i + 1].empty()) {
        err << "yarn: --config needs a configuration directory\n" << YarnUsage();
        return 1;
      }
      config_flag = args[i + 1];
      i += 2;
    } else if (absl::StartsWith(args[i], "--config=")) {
      config_flag = args[i].substr(9);
      i += 1;
    } else {
      break;
    }
  }
  if (i >= args.size()) {
    err << YarnUsage();
    return 1;
  }
  const std::string command = args[i];
  std::vector<std::string> rest(args.begin() + static_cast<long>(i) + 1, args.end());
  if (IsHelp(command)) {
    out << YarnUsage();
    return 0;
  }
  if (command == "version") {
    out << "Skein 0.1.0\nCompatible with Hadoop YARN 3.x\n";
    return 0;
  }
  Command run = FindCommand(command);
  if (run == nullptr) {
    err << "yarn: unknown command '" << command << "'\n" << YarnUsage();
    return 1;
  }
  std::optional<std::string> conf_dir = conf::ResolveConfDir(config_flag);
  auto conf = conf::LoadYarnConfiguration(conf_dir);
  if (!conf.ok()) {
    err << "yarn: cannot load the configuration: " << conf.status().message() << "\n";
    return 1;
  }
  CliContext ctx{std::move(*conf), out, err, conf_dir};
  return run(rest, ctx);
}

}  // namespace skein::cli
