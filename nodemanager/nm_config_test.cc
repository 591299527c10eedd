#include "nodemanager/nm_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::nm {
namespace {

using ::testing::HasSubstr;

conf::Configuration Base() {
  conf::Configuration c = conf::Configuration::WithYarnDefaults();
  c.Set("yarn.nodemanager.local-dirs", "/tmp/nm-test/local");
  c.Set("yarn.nodemanager.log-dirs", "/tmp/nm-test/logs");
  return c;
}

TEST(NmConfigTest, DefaultsResolveMinusOneAndWildcardHost) {
  absl::StatusOr<NmConfig> c = ParseNmConfig(Base());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->total, Resource(8192, 8));
  EXPECT_EQ(c->bind_address, "0.0.0.0:0");
  EXPECT_EQ(c->node_host, "127.0.0.1");
  EXPECT_EQ(c->http_port, 8042);
  EXPECT_EQ(c->sigkill_delay, absl::Milliseconds(250));
  EXPECT_EQ(c->rm_tracker_address, "127.0.0.1:8031");
  EXPECT_EQ(c->rm_retry_cap, absl::Seconds(30));
  EXPECT_THAT(c->env_whitelist, ::testing::Contains("PATH"));
  EXPECT_THAT(c->env_whitelist, ::testing::Contains("JAVA_HOME"));
}

TEST(NmConfigTest, ExplicitValues) {
  conf::Configuration conf = Base();
  conf.Set("yarn.nodemanager.address", "localhost:4545");
  conf.Set("yarn.nodemanager.webapp.address", ":0");
  conf.Set("yarn.nodemanager.resource.memory-mb", "2048");
  conf.Set("yarn.nodemanager.resource.cpu-vcores", "3");
  conf.Set("yarn.nodemanager.env-whitelist", "JAVA_HOME");
  conf.Set("yarn.nodemanager.local-dirs", "/a, /b");
  absl::StatusOr<NmConfig> c = ParseNmConfig(conf);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->bind_address, "127.0.0.1:4545");
  EXPECT_EQ(c->node_host, "127.0.0.1");
  EXPECT_EQ(c->http_port, 0);
  EXPECT_EQ(c->total, Resource(2048, 3));
  EXPECT_THAT(c->local_dirs, ::testing::ElementsAre("/a", "/b"));
  EXPECT_THAT(c->env_whitelist, ::testing::ElementsAre("JAVA_HOME", "PATH"));
}

TEST(NmConfigTest, AdminEnvDefaultIsHadoopsMallocArenaMaxPassThrough) {
  absl::StatusOr<NmConfig> c = ParseNmConfig(Base());
  ASSERT_TRUE(c.ok()) << c.status();
  // Hadoop's yarn-default.xml: yarn.nodemanager.admin-env = MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX.
  EXPECT_THAT(c->admin_env,
              ::testing::ElementsAre(::testing::Pair("MALLOC_ARENA_MAX", "$MALLOC_ARENA_MAX")));
  auto nm_env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "MALLOC_ARENA_MAX") return "4";
    return std::nullopt;
  };
  EXPECT_THAT(ExpandAdminEnv(c->admin_env, nm_env),
              ::testing::ElementsAre(::testing::Pair("MALLOC_ARENA_MAX", "4")));
  // An NM started without MALLOC_ARENA_MAX passes nothing rather than an empty value.
  auto empty_env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  EXPECT_TRUE(ExpandAdminEnv(c->admin_env, empty_env).empty());
}

TEST(NmConfigTest, AdminEnvPairsExpandReferencesAndRejectBadNames) {
  conf::Configuration conf = Base();
  conf.Set("yarn.nodemanager.admin-env", "A=1,B=${HOME}/x:$A_B,C=cost $5 and ${,D=$UNSET");
  absl::StatusOr<NmConfig> c = ParseNmConfig(conf);
  ASSERT_TRUE(c.ok()) << c.status();
  auto nm_env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "HOME") return "/home/nm";
    if (name == "A_B") return "ab";
    return std::nullopt;
  };
  EXPECT_THAT(
      ExpandAdminEnv(c->admin_env, nm_env),
      ::testing::ElementsAre(::testing::Pair("A", "1"), ::testing::Pair("B", "/home/nm/x:ab"),
                             ::testing::Pair("C", "cost $5 and ${")));
  conf.Set("yarn.nodemanager.admin-env", "MALLOC_ARENA_MAX");
  absl::StatusOr<NmConfig> bad = ParseNmConfig(conf);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("yarn.nodemanager.admin-env: 'MALLOC_ARENA_MAX'"));
  conf.Set("yarn.nodemanager.admin-env", "1X=2");
  EXPECT_FALSE(ParseNmConfig(conf).ok());
}

struct BadCase {
  const char* key;
  const char* value;
  const char* message;
};

class NmConfigBadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(NmConfigBadTest, ErrorNamesTheKey) {
  conf::Configuration conf = Base();
  conf.Set(GetParam().key, GetParam().value);
  absl::StatusOr<NmConfig> c = ParseNmConfig(conf);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr(GetParam().key));
  EXPECT_THAT(c.status().message(), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    All, NmConfigBadTest,
    ::testing::Values(
        BadCase{"yarn.nodemanager.resource.memory-mb", "0", "=0 is invalid"},
        BadCase{"yarn.nodemanager.resource.memory-mb", "-5", "=-5 is invalid"},
        BadCase{"yarn.nodemanager.resource.memory-mb", "lots", "lots"},
        BadCase{"yarn.nodemanager.resource.cpu-vcores", "0", "=0 is invalid"},
        BadCase{"yarn.nodemanager.resource.cpu-vcores", "-2", "=-2 is invalid"},
        BadCase{"yarn.nodemanager.address", "nohost", "not a valid <host>:<port>"},
        BadCase{"yarn.nodemanager.address", "h:99999", "not a valid <host>:<port>"},
        BadCase{"yarn.nodemanager.local-dirs", " , ", "is empty"},
        BadCase{"yarn.nodemanager.log-dirs", "relative/dir", "not an absolute path"},
        BadCase{"yarn.resourcemanager.resource-tracker.address", "rm:0", "fixed port"},
        BadCase{"yarn.resourcemanager.connect.retry-interval.ms", "0", "must be positive"},
        BadCase{"yarn.nodemanager.sleep-delay-before-sigkill.ms", "-1", "must not be negative"}));

TEST(NmConfigTest, PolicingSettingsAreParsedAndTheirErrorsSurface) {
  absl::StatusOr<NmConfig> c = ParseNmConfig(Base());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->monitor.pmem_check);
  EXPECT_EQ(c->monitor.node_vcores, 8);
  EXPECT_FALSE(c->cgroups.enabled);
  EXPECT_EQ(c->health.script, "");

  conf::Configuration conf = Base();
  conf.Set("yarn.nodemanager.resource.cpu.enabled", "true");
  conf.Set("yarn.nodemanager.resource.cpu-vcores", "6");
  c = ParseNmConfig(conf);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->cgroups.cpu);
  EXPECT_EQ(c->cgroups.node_vcores, 6);
  EXPECT_GE(c->cgroups.num_processors, 1);

  conf = Base();
  conf.Set("yarn.nodemanager.vmem-pmem-ratio", "abc");
  EXPECT_THAT(ParseNmConfig(conf).status().message(),
              HasSubstr("yarn.nodemanager.vmem-pmem-ratio"));
  conf = Base();
  conf.Set("yarn.nodemanager.resource.percentage-physical-cpu-limit", "101");
  EXPECT_THAT(ParseNmConfig(conf).status().message(),
              HasSubstr("yarn.nodemanager.resource.percentage-physical-cpu-limit=101"));
  conf = Base();
  conf.Set("yarn.nodemanager.health-checker.script.path", "/nonexistent/health.sh");
  EXPECT_THAT(ParseNmConfig(conf).status().message(),
              HasSubstr("'/nonexistent/health.sh' is not an executable file"));
}

}  // namespace
}  // namespace skein::nm
