// `yarn resourcemanager`, `yarn nodemanager` and `yarn minicluster`: thin wrappers that build
// the daemon objects, print where they listen, and run until SIGINT/SIGTERM.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/commands.h"
#include "client/options.h"
#include "common/clock.h"
#include "common/rpc.h"
#include "common/web/xml.h"
#include "nodemanager/node_manager.h"
#include "resourcemanager/resource_manager.h"

namespace skein::cli {

namespace {

std::atomic<int> g_stop_signal{0};

extern "C" void OnStopSignal(int sig) { g_stop_signal.store(sig); }

void InstallStopHandlers() {
  g_stop_signal.store(0);
  struct sigaction sa = {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// Returns the signal, or 0 when `also_stop` said so first.
int WaitForStopSignal(const std::function<bool()>& also_stop = nullptr) {
  while (g_stop_signal.load() == 0) {
    if (also_stop && also_stop()) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return g_stop_signal.load();
}

// Writes a yarn-site.xml-format file atomically (path.tmp, then rename).
absl::Status WriteSiteFile(const std::string& path,
                           const std::vector<std::pair<std::string, std::string>>& props) {
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n";
  for (const auto& [k, v] : props) {
    absl::StrAppend(&xml, "  <property>\n    <name>", web::XmlEscape(k), "</name>\n    <value>",
                    web::XmlEscape(v), "</value>\n  </property>\n");
  }
  xml += "</configuration>\n";
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!f) return absl::PermissionDeniedError(absl::StrCat("cannot write ", tmp));
    f << xml;
    f.close();
    if (!f) return absl::DataLossError(absl::StrCat("error writing ", tmp));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    return absl::InternalError(absl::StrCat("renaming ", tmp, " to ", path, ": ", ec.message()));
  return absl::OkStatus();
}

std::vector<std::pair<std::string, std::string>> RmAddressProps(const rm::ResourceManager& rm) {
  return {{"yarn.resourcemanager.address", ConnectAddress(rm.client_address())},
          {"yarn.resourcemanager.scheduler.address", ConnectAddress(rm.scheduler_address())},
          {"yarn.resourcemanager.resource-tracker.address",
           ConnectAddress(rm.resource_tracker_address())},
          {"yarn.resourcemanager.admin.address", ConnectAddress(rm.admin_address())},
          {"yarn.resourcemanager.webapp.address", ConnectAddress(rm.webapp_address())}};
}

void PrintRmAddresses(const rm::ResourceManager& rm, std::ostream& out) {
  out << "ResourceManager started (cluster timestamp " << rm.cluster_timestamp() << ")\n";
  for (const auto& [k, v] : RmAddressProps(rm)) out << "  " << k << "=" << v << "\n";
  out.flush();
}

}  // namespace

int RunResourceManagerCommand(const std::vector<std::string>& args, CliContext& ctx) {
  auto opts = ParseOptions(args, {{"address-file", Arity::kOne}, {"help", Arity::kNone}});
  if (!opts.ok()) {
    ctx.err << "resourcemanager: " << opts.status().message()
            << "\nusage: yarn resourcemanager [--address-file F]\n";
    return 1;
  }
  if (opts->Has("help")) {
    ctx.out << "usage: yarn resourcemanager [--address-file F]\n";
    return 0;
  }
  auto rm = rm::ResourceManager::Create(ctx.conf, RealClock::Get(), ctx.conf_dir);
  if (!rm.ok()) {
    ctx.err << "resourcemanager: " << rm.status().message() << "\n";
    return 1;
  }
  InstallStopHandlers();
  if (auto s = (*rm)->Start(); !s.ok()) {
    ctx.err << "resourcemanager: " << s.message() << "\n";
    (*rm)->Stop();
    return 1;
  }
  PrintRmAddresses(**rm, ctx.out);
  if (opts->Has("address-file")) {
    if (auto s = WriteSiteFile(opts->Value("address-file"), RmAddressProps(**rm)); !s.ok()) {
      ctx.err << "resourcemanager: --address-file: " << s.message() << "\n";
      (*rm)->Stop();
      return 1;
    }
  }
  int sig = WaitForStopSignal();
  ctx.out << "ResourceManager stopping on signal " << sig << std::endl;
  (*rm)->Stop();
  return 0;
}

int RunNodeManagerCommand(const std::vector<std::string>& args, CliContext& ctx) {
  if (!args.empty()) {
    if (args[0] == "-help" || args[0] == "--help") {
      ctx.out << "usage: yarn nodemanager\n";
      return 0;
    }
    ctx.err << "nodemanager: Unrecognized option: " << args[0] << "\nusage: yarn nodemanager\n";
    return 1;
  }
  auto nm = nm::NodeManager::Create(ctx.conf, RealClock::Get());
  if (!nm.ok()) {
    ctx.err << "nodemanager: " << nm.status().message() << "\n";
    return 1;
  }
  InstallStopHandlers();
  if (auto s = (*nm)->Start(); !s.ok()) {
    ctx.err << "nodemanager: " << s.message() << "\n";
    (*nm)->Stop();
    return 1;
  }
  ctx.out << "NodeManager started: yarn.nodemanager.address=" << (*nm)->address() << " (node id "
          << (*nm)->node_id().ToString() << ")" << std::endl;
  int sig = WaitForStopSignal([&nm] { return (*nm)->shut_down_by_rm(); });
  if (sig == 0) {
    ctx.out << "NodeManager stopping: the ResourceManager sent SHUTDOWN (node excluded or "
               "decommissioned)"
            << std::endl;
  } else {
    ctx.out << "NodeManager stopping on signal " << sig << std::endl;
  }
  (*nm)->Stop();
  return 0;
}

int RunMiniClusterCommand(const std::vector<std::string>& args, CliContext& ctx) {
  constexpr char kUsage[] =
      "usage: yarn minicluster [--nodemanagers N] [--base-dir DIR] [--conf-dir-out DIR] "
      "[--ephemeral-ports]\n";
  auto opts = ParseOptions(args, {{"nodemanagers", Arity::kOne},
                                  {"base-dir", Arity::kOne},
                                  {"conf-dir-out", Arity::kOne},
                                  {"ephemeral-ports", Arity::kNone},
                                  {"help", Arity::kNone}});
  if (!opts.ok()) {
    ctx.err << "minicluster: " << opts.status().message() << "\n" << kUsage;
    return 1;
  }
  if (opts->Has("help")) {
    ctx.out << kUsage;
    return 0;
  }
  int num_nms = 2;
  if (opts->Has("nodemanagers") &&
      (!absl::SimpleAtoi(opts->Value("nodemanagers"), &num_nms) || num_nms < 1 || num_nms > 64)) {
    ctx.err << "minicluster: --nodemanagers: invalid value '" << opts->Value("nodemanagers")
            << "': must be an integer from 1 to 64\n";
    return 1;
  }
  std::string base = opts->Has("base-dir") ? opts->Value("base-dir")
                                           : absl::StrCat("/tmp/skein-minicluster-", CurrentUser());
  std::string conf_dir = opts->Has("conf-dir-out") ? opts->Value("conf-dir-out") : base + "/conf";
  std::error_code ec;
  std::filesystem::create_directories(conf_dir, ec);
  if (ec) {
    ctx.err << "minicluster: cannot create " << conf_dir << ": " << ec.message() << "\n";
    return 1;
  }

  bool ephemeral = opts->Has("ephemeral-ports");
  conf::Configuration rm_conf = ctx.conf;
  rm_conf.Set("yarn.resourcemanager.hostname", "127.0.0.1");
  rm_conf.Set("yarn.resourcemanager.address", ephemeral ? "127.0.0.1:0" : "127.0.0.1:8032");
  rm_conf.Set("yarn.resourcemanager.scheduler.address",
              ephemeral ? "127.0.0.1:0" : "127.0.0.1:8030");
  rm_conf.Set("yarn.resourcemanager.resource-tracker.address",
              ephemeral ? "127.0.0.1:0" : "127.0.0.1:8031");
  rm_conf.Set("yarn.resourcemanager.admin.address", ephemeral ? "127.0.0.1:0" : "127.0.0.1:8033");
  if (ephemeral) rm_conf.Set("yarn.resourcemanager.webapp.address", "127.0.0.1:0");

  InstallStopHandlers();
  auto rm = rm::ResourceManager::Create(rm_conf, RealClock::Get(), ctx.conf_dir);
  if (!rm.ok()) {
    ctx.err << "minicluster: " << rm.status().message() << "\n";
    return 1;
  }
  if (auto s = (*rm)->Start(); !s.ok()) {
    ctx.err << "minicluster: " << s.message() << "\n";
    (*rm)->Stop();
    return 1;
  }
  PrintRmAddresses(**rm, ctx.out);

  std::vector<std::unique_ptr<nm::NodeManager>> nms;
  std::vector<std::string> log_dirs;
  auto stop_all = [&]() {
    for (auto& nm : nms) nm->Stop();
    (*rm)->Stop();
  };
  for (int i = 0; i < num_nms; ++i) {
    std::string dir = absl::StrCat(base, "/nm-", i);
    conf::Configuration nm_conf = rm_conf;
    nm_conf.Set("yarn.resourcemanager.resource-tracker.address",
                ConnectAddress((*rm)->resource_tracker_address()));
    nm_conf.Set("yarn.resourcemanager.scheduler.address",
                ConnectAddress((*rm)->scheduler_address()));
    nm_conf.Set("yarn.resourcemanager.address", ConnectAddress((*rm)->client_address()));
    nm_conf.Set("yarn.nodemanager.hostname", "127.0.0.1");
    nm_conf.Set("yarn.nodemanager.address", "127.0.0.1:0");
    nm_conf.Set("yarn.nodemanager.webapp.address", "127.0.0.1:0");
    nm_conf.Set("yarn.nodemanager.local-dirs", dir + "/local");
    nm_conf.Set("yarn.nodemanager.log-dirs", dir + "/logs");
    log_dirs.push_back(dir + "/logs");
    auto nm = nm::NodeManager::Create(nm_conf, RealClock::Get());
    if (!nm.ok()) {
      ctx.err << "minicluster: NodeManager " << i << ": " << nm.status().message() << "\n";
      stop_all();
      return 1;
    }
    if (auto s = (*nm)->Start(); !s.ok()) {
      ctx.err << "minicluster: NodeManager " << i << ": " << s.message() << "\n";
      (*nm)->Stop();
      stop_all();
      return 1;
    }
    ctx.out << "NodeManager " << i << " started at " << (*nm)->address() << std::endl;
    nms.push_back(std::move(*nm));
  }

  // The configuration file appears only once every NodeManager is registered, so a script can
  // wait for it as the "cluster ready" signal.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (true) {
    bool all = true;
    for (const auto& nm : nms) all = all && nm->registered();
    if (all) break;
    if (g_stop_signal.load() != 0 || std::chrono::steady_clock::now() > give_up) {
      ctx.err << "minicluster: not every NodeManager registered with the ResourceManager within "
                 "60 s\n";
      stop_all();
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto props = RmAddressProps(**rm);
  // Where container logs end up, so `yarn distributedshell` can tell the user.
  props.emplace_back("yarn.nodemanager.log-dirs", absl::StrJoin(log_dirs, ","));
  std::string site = conf_dir + "/yarn-site.xml";
  if (auto s = WriteSiteFile(site, props); !s.ok()) {
    ctx.err << "minicluster: " << s.message() << "\n";
    stop_all();
    return 1;
  }
  ctx.out << "MiniCluster ready: 1 ResourceManager and " << num_nms
          << " NodeManager(s) registered.\n"
          << "Client configuration written to " << site << "; to use it:\n"
          << "  export YARN_CONF_DIR=" << conf_dir << std::endl;
  int sig = WaitForStopSignal();
  ctx.out << "MiniCluster stopping on signal " << sig << std::endl;
  stop_all();
  return 0;
}

}  // namespace skein::cli
