// `yarn rmadmin` HA commands against two in-process HA ResourceManagers on 127.0.0.1: output and
// errors pinned.
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/yarn_cli.h"
#include "common/testing/zk_test_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resourcemanager/resource_manager.h"

namespace skein::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct Result {
  int code;
  std::string out;
  std::string err;
};

class RmAdminHaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skein-rmadmin-ha-XXXXXX";
    dir_ = mkdtemp(tmpl);
    props_ = {{"yarn.resourcemanager.ha.enabled", "true"},
              {"yarn.resourcemanager.ha.rm-ids", "rm1,rm2"},
              {"yarn.resourcemanager.scheduler.class", "fifo"},
              {"yarn.client.failover-sleep-base-ms", "50"},
              {"yarn.client.failover-sleep-max-ms", "100"}};
    const auto addresses = testing::FreeHaRmAddresses({"rm1", "rm2"});
    ASSERT_FALSE(addresses.empty());
    props_.insert(addresses.begin(), addresses.end());
  }
  void TearDown() override {
    rms_.clear();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void WriteSite() {
    std::ofstream out(dir_ + "/yarn-site.xml");
    out << "<configuration>\n";
    for (const auto& [k, v] : props_) {
      out << "<property><name>" << k << "</name><value>" << v << "</value></property>\n";
    }
    out << "</configuration>\n";
  }

  void StartRm(const std::string& id) {
    conf::Configuration c = conf::Configuration::WithYarnDefaults();
    for (const auto& [k, v] : props_) c.Set(k, v);
    c.Set("yarn.resourcemanager.ha.id", id);
    auto rm = rm::ResourceManager::Create(c, RealClock::Get());
    ASSERT_TRUE(rm.ok()) << rm.status();
    ASSERT_TRUE((*rm)->Start().ok());
    rms_[id] = std::move(*rm);
  }

  Result Yarn(std::vector<std::string> args) {
    WriteSite();
    args.insert(args.begin(), {"--config", dir_});
    std::ostringstream out, err;
    int code = RunYarn(args, out, err);
    return {code, out.str(), err.str()};
  }

  std::string Admin(const std::string& id) const {
    return props_.at("yarn.resourcemanager.admin.address." + id);
  }

  std::string dir_;
  std::map<std::string, std::string> props_;
  std::map<std::string, std::unique_ptr<rm::ResourceManager>> rms_;
};

TEST_F(RmAdminHaTest, WithoutHaTheCommandsSaySo) {
  props_["yarn.resourcemanager.ha.enabled"] = "false";
  Result r = Yarn({"rmadmin", "-getServiceState", "rm1"});
  EXPECT_EQ(r.code, 255);
  EXPECT_EQ(r.err,
            "getServiceState: Cannot run -getServiceState when ResourceManager HA is not enabled "
            "(yarn.resourcemanager.ha.enabled)\n");
  r = Yarn({"rmadmin", "-getAllServiceState"});
  EXPECT_EQ(r.code, 255);
  EXPECT_THAT(r.err, HasSubstr("Cannot run -getAllServiceState"));
}

TEST_F(RmAdminHaTest, UsageErrorsAndHelp) {
  Result r = Yarn({"rmadmin", "-getServiceState"});
  EXPECT_EQ(r.code, 255);
  EXPECT_EQ(r.err, "Usage: yarn rmadmin [-getServiceState <serviceId>]\n");
  r = Yarn({"rmadmin", "-transitionToActive", "--bogus", "rm1"});
  EXPECT_EQ(r.code, 255);
  EXPECT_EQ(r.err,
            "Usage: yarn rmadmin [-transitionToActive [--forceactive] [--forcemanual] "
            "<serviceId>]\n");
  r = Yarn({"rmadmin", "-transitionToStandby", "rm1", "rm2"});
  EXPECT_EQ(r.code, 255);
  EXPECT_EQ(r.err, "Usage: yarn rmadmin [-transitionToStandby [--forcemanual] <serviceId>]\n");
  r = Yarn({"rmadmin", "-getAllServiceState", "rm1"});
  EXPECT_EQ(r.err, "Usage: yarn rmadmin [-getAllServiceState]\n");
  r = Yarn({"rmadmin", "-help", "getServiceState"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out,
            "-getServiceState <serviceId>: Prints the HA state of the ResourceManager "
            "<serviceId>.\n");
}

TEST_F(RmAdminHaTest, UsageAndHelpListTheHaCommandsOnlyWithHa) {
  Result r = Yarn({"rmadmin"});
  EXPECT_EQ(r.code, 255);
  EXPECT_THAT(r.err, HasSubstr("   -getServiceState <serviceId>\n"
                               "   -getAllServiceState \n"
                               "   -help [cmd]\n"));
  EXPECT_THAT(r.err, HasSubstr("   -transitionToActive [--forceactive] [--forcemanual] "
                               "<serviceId>\n"));
  r = Yarn({"rmadmin", "-help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("   -getAllServiceState: Prints the HA state of every "
                               "ResourceManager.\n   -help [cmd]: "));
  props_["yarn.resourcemanager.ha.enabled"] = "false";
  EXPECT_THAT(Yarn({"rmadmin"}).err, ::testing::Not(HasSubstr("ServiceState")));
  EXPECT_THAT(Yarn({"rmadmin", "-help"}).out, ::testing::Not(HasSubstr("ServiceState")));
}

TEST_F(RmAdminHaTest, UnknownIdNamesTheConfiguredOnes) {
  Result r = Yarn({"rmadmin", "-getServiceState", "rm3"});
  EXPECT_EQ(r.code, 255);
  EXPECT_EQ(r.err,
            "getServiceState: Invalid ResourceManager id 'rm3': not one of "
            "yarn.resourcemanager.ha.rm-ids (rm1,rm2)\n");
  r = Yarn({"rmadmin", "-transitionToActive", "--forcemanual", "rm9"});
  EXPECT_EQ(r.code, 255);
  EXPECT_THAT(r.err, HasSubstr("transitionToActive: Invalid ResourceManager id 'rm9'"));
}

// Without automatic failover (no ZooKeeper needed): the operator decides.
TEST_F(RmAdminHaTest, ManualFailover) {
  props_["yarn.resourcemanager.ha.automatic-failover.enabled"] = "false";
  StartRm("rm1");
  StartRm("rm2");
  Result r = Yarn({"rmadmin", "-getAllServiceState"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrFormat("%-50s %-10s\n%-50s %-10s\n", Admin("rm1"), "standby",
                                   Admin("rm2"), "standby"));
  r = Yarn({"rmadmin", "-transitionToActive", "rm1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Yarn({"rmadmin", "-getServiceState", "rm1"}).out, "active\n");
  // The yarn command finds the active RM whichever is first in rm-ids.
  EXPECT_EQ(Yarn({"application", "-list"}).code, 0);
  r = Yarn({"rmadmin", "-transitionToActive", "rm2"});
  EXPECT_EQ(r.code, 255);
  EXPECT_EQ(r.err, "transitionToActive: Node rm1 is already active\n");
  EXPECT_EQ(Yarn({"rmadmin", "-getServiceState", "rm2"}).out, "standby\n");
  r = Yarn({"rmadmin", "-transitionToStandby", "rm1"});
  EXPECT_EQ(r.code, 0) << r.err;
  r = Yarn({"rmadmin", "-transitionToActive", "rm2"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Yarn({"application", "-list"}).code, 0);
  rms_["rm1"]->Stop();
  r = Yarn({"rmadmin", "-getAllServiceState"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr(absl::StrFormat("%-50s Failed to connect: ", Admin("rm1"))));
  EXPECT_THAT(r.out, HasSubstr(absl::StrFormat("%-50s %-10s\n", Admin("rm2"), "active")));
  r = Yarn({"rmadmin", "-getServiceState", "rm1"});
  EXPECT_EQ(r.code, 255);
  EXPECT_THAT(r.err, HasSubstr("getServiceState: "));
}

TEST_F(RmAdminHaTest, AutomaticFailoverRefusesManualTransitionsUnlessForced) {
  SKIP_IF_NO_ZOOKEEPER();
  auto zk = testing::ZkTestServer::Start();
  ASSERT_TRUE(zk.ok()) << zk.status();
  props_["hadoop.zk.address"] = (*zk)->connect_string();
  props_["hadoop.zk.timeout-ms"] = "2000";
  props_["yarn.resourcemanager.cluster-id"] = "cli-test";
  StartRm("rm1");
  for (int i = 0; i < 200 && rms_["rm1"]->ha_state() != "active"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  StartRm("rm2");
  EXPECT_EQ(Yarn({"rmadmin", "-getServiceState", "rm1"}).out, "active\n");
  EXPECT_EQ(Yarn({"rmadmin", "-getServiceState", "rm2"}).out, "standby\n");
  Result r = Yarn({"rmadmin", "-transitionToStandby", "rm1"});
  EXPECT_EQ(r.code, 255);
  EXPECT_EQ(r.err,
            "Automatic failover is enabled for ResourceManager rm1\n"
            "Refusing to manually manage HA state, since it may cause\n"
            "a split-brain scenario or other incorrect state.\n"
            "If you are very sure you know what you are doing, please \n"
            "specify the --forcemanual flag.\n");
  r = Yarn({"rmadmin", "-transitionToActive", "--forcemanual", "rm2"});
  EXPECT_EQ(r.code, 255);
  EXPECT_THAT(r.err, HasSubstr("transitionToActive: Node rm1 is already active\n"));
  r = Yarn({"rmadmin", "-transitionToStandby", "--forcemanual", "rm1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--forcemanual"));
  EXPECT_EQ(Yarn({"rmadmin", "-getServiceState", "rm1"}).out, "standby\n");
}

}  // namespace
}  // namespace skein::cli
