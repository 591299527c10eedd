#include "common/conf/configuration.h"

#include <pwd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>

#include "common/testing/unprivileged.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pugixml.hpp"

namespace skein::conf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Sets (or unsets, with nullopt) an environment variable for the scope of a test.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = getenv(name_.c_str())) old_ = old;
    if (value.has_value()) {
      setenv(name_.c_str(), value->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ~ScopedEnv() {
    if (old_.has_value()) {
      setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// A fresh directory under the test temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "skein_conf_test_XXXXXX";
    char* made = mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& content) const {
    std::string file = path_ + "/" + name;
    std::ofstream(file) << content;
    return file;
  }

 private:
  std::string path_;
};

std::string Property(const std::string& name, const std::string& value, bool is_final = false) {
  return "<property><name>" + name + "</name><value>" + value + "</value>" +
         (is_final ? "<final>true</final>" : "") + "</property>\n";
}

std::string Xml(const std::string& properties) {
  return "<?xml version=\"1.0\"?>\n<configuration>\n" + properties + "</configuration>\n";
}

std::string CurrentUser() {
  passwd* entry = getpwuid(geteuid());
  return entry != nullptr ? entry->pw_name : "";
}

// ---- Parsing ----

TEST(ConfigurationTest, EmptyHasNoKeys) {
  Configuration conf;
  EXPECT_THAT(conf.Keys(), IsEmpty());
  EXPECT_FALSE(conf.Contains("yarn.resourcemanager.address"));
  EXPECT_FALSE(conf.Get("yarn.resourcemanager.address").has_value());
  EXPECT_EQ(conf.SourceOf("yarn.resourcemanager.address"), "");
}

TEST(ConfigurationTest, ParsesPropertiesWithSourceLines) {
  Configuration conf;
  ASSERT_TRUE(conf.AddResourceString(R"(<?xml version="1.0"?>
<?xml-stylesheet type="text/xsl" href="configuration.xsl"?>
<!-- site overrides -->
<configuration>
  <property>
    <name> a.key </name>
    <value>one</value>
    <description>ignored</description>
  </property>
  <property>
    <name>b.key</name>
    <value><![CDATA[x<y]]></value>
  </property>
  <property name="c.key" value="attr"/>
  <property><name>no.value</name></property>
  <property><name>empty.value</name><value></value></property>
</configuration>
)",
                                     "yarn-site.xml")
                  .ok());
  EXPECT_THAT(conf.Keys(), ElementsAre("a.key", "b.key", "c.key", "empty.value"));
  EXPECT_EQ(conf.Get("a.key"), "one");
  EXPECT_EQ(conf.SourceOf("a.key"), "yarn-site.xml:7");
  EXPECT_EQ(conf.Get("b.key"), "x<y");
  EXPECT_EQ(conf.SourceOf("b.key"), "yarn-site.xml:12");
  EXPECT_EQ(conf.Get("c.key"), "attr");
  EXPECT_EQ(conf.SourceOf("c.key"), "yarn-site.xml:14");
  EXPECT_FALSE(conf.Contains("no.value"));
  EXPECT_EQ(conf.Get("empty.value"), "");
}

TEST(ConfigurationTest, ValuesAreKeptVerbatimButTypedGettersTrim) {
  Configuration conf;
  ASSERT_TRUE(conf.AddResourceString(Xml(Property("n", " 42 ")), "s").ok());
  EXPECT_EQ(conf.GetRaw("n"), " 42 ");
  EXPECT_EQ(*conf.GetInt("n", 0), 42);
}

TEST(ConfigurationTest, MalformedXmlNamesFileAndLine) {
  Configuration conf;
  absl::Status s = conf.AddResourceString(
      "<configuration>\n<property>\n<name>a</name>\n<value>b</valu>\n</property>\n"
      "</configuration>\n",
      "/etc/hadoop/yarn-site.xml");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("/etc/hadoop/yarn-site.xml:4: XML parse error: "));
}

TEST(ConfigurationTest, TruncatedXmlIsAnError) {
  Configuration conf;
  absl::Status s = conf.AddResourceString("<configuration>\n<property>\n", "t.xml");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("t.xml:"));
  EXPECT_THAT(s.message(), HasSubstr("XML parse error"));
}

TEST(ConfigurationTest, PropertyWithoutNameNamesLine) {
  Configuration conf;
  absl::Status s = conf.AddResourceString("<configuration>\n" + Property("ok", "1") +
                                              "  <property>\n    <value>v</value>\n" +
                                              "  </property>\n</configuration>\n",
                                          "yarn-site.xml");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "yarn-site.xml:3: <property> without <name>");
  // Nothing from a failed resource is applied.
  EXPECT_FALSE(conf.Contains("ok"));
}

TEST(ConfigurationTest, BlankNameIsMissingName) {
  Configuration conf;
  absl::Status s = conf.AddResourceString(Xml(Property("  ", "v")), "x.xml");
  EXPECT_THAT(s.message(), HasSubstr("<property> without <name>"));
}

TEST(ConfigurationTest, WrongRootElement) {
  Configuration conf;
  absl::Status s = conf.AddResourceString("\n<allocations/>", "fair.xml");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "fair.xml:2: root element is <allocations>, expected <configuration>");
  EXPECT_THAT(conf.AddResourceString("", "empty.xml").message(), HasSubstr("empty.xml:"));
}

TEST(ConfigurationTest, IncludeIsRejected) {
  Configuration conf;
  absl::Status s = conf.AddResourceString(
      "<configuration xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n"
      "<xi:include href=\"other.xml\"/>\n</configuration>",
      "inc.xml");
  EXPECT_EQ(s.message(), "inc.xml:2: <xi:include> is not supported");
}

TEST(ConfigurationTest, BadFinalFlag) {
  Configuration conf;
  absl::Status s = conf.AddResourceString(
      Xml("<property><name>k</name><value>v</value><final>yes</final></property>"), "f.xml");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("f.xml:3: <final> of k is \"yes\""));
}

TEST(ConfigurationTest, MissingFileIsNotFound) {
  Configuration conf;
  absl::Status s = conf.AddResourceFile("/nonexistent/skein/yarn-site.xml");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("/nonexistent/skein/yarn-site.xml"));
}

TEST(ConfigurationTest, UnreadableFileIsAnError) {
  TempDir dir;
  // A directory opens but cannot be read.
  absl::Status s = Configuration().AddResourceFile(dir.path());
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr(dir.path()));

  // A file without read permission, read by a user the mode binds (root reads it anyway).
  std::string file = dir.Write("secret.xml", Xml(Property("a", "b")));
  ASSERT_EQ(chmod(file.c_str(), 0), 0);
  EXPECT_EQ(skein::testing::RunUnprivileged(
                {dir.path()},
                [&]() -> std::string {
                  absl::Status s = Configuration().AddResourceFile(file);
                  if (s.code() == absl::StatusCode::kPermissionDenied &&
                      s.message().find(file) != std::string::npos) {
                    return "";
                  }
                  return "expected PermissionDenied naming " + file + ", got " + s.ToString();
                }),
            "");
}

TEST(ConfigurationTest, FileSourceIsItsPath) {
  TempDir dir;
  std::string file = dir.Write("yarn-site.xml", Xml(Property("a", "b")));
  Configuration conf;
  ASSERT_TRUE(conf.AddResourceFile(file).ok());
  EXPECT_EQ(conf.SourceOf("a"), file + ":3");

  std::string broken = dir.Write("broken.xml", "<configuration>\n\n<property>\n");
  absl::Status s = conf.AddResourceFile(broken);
  EXPECT_THAT(s.message(), HasSubstr(broken + ":"));
}

// ---- Precedence ----

TEST(ConfigurationTest, LaterResourceOverrides) {
  Configuration conf;
  ASSERT_TRUE(conf.AddResourceString(Xml(Property("k", "first")), "core-site.xml").ok());
  ASSERT_TRUE(conf.AddResourceString(Xml(Property("k", "second")), "yarn-site.xml").ok());
  EXPECT_EQ(conf.Get("k"), "second");
  EXPECT_EQ(conf.SourceOf("k"), "yarn-site.xml:3");
}

TEST(ConfigurationTest, FinalIsRespectedAcrossResources) {
  Configuration conf;
  ASSERT_TRUE(conf.AddResourceString(
                      Xml(Property("k", "locked", /*is_final=*/true) + Property("other", "1")),
                      "core-site.xml")
                  .ok());
  ASSERT_TRUE(conf.AddResourceString(Xml(Property("k", "ignored") + Property("other", "2")),
                                     "yarn-site.xml")
                  .ok());
  EXPECT_EQ(conf.Get("k"), "locked");
  EXPECT_EQ(conf.SourceOf("k"), "core-site.xml:3");
  EXPECT_EQ(conf.Get("other"), "2");
}

TEST(ConfigurationTest, SetOverridesEvenFinal) {
  Configuration conf;
  ASSERT_TRUE(conf.AddResourceString(Xml(Property("k", "v", true)), "a.xml").ok());
  conf.Set("k", "programmatic value");
  EXPECT_EQ(conf.Get("k"), "programmatic value");
  EXPECT_EQ(conf.SourceOf("k"), "programmatic");
  // Still final against later resources.
  ASSERT_TRUE(conf.AddResourceString(Xml(Property("k", "late")), "b.xml").ok());
  EXPECT_EQ(conf.Get("k"), "programmatic value");
}

TEST(ConfigurationTest, DefaultsHaveDefaultSourceAndAreOverridable) {
  Configuration conf = Configuration::WithYarnDefaults();
  EXPECT_EQ(conf.SourceOf("yarn.resourcemanager.hostname"), "default");
  EXPECT_EQ(conf.Get("yarn.resourcemanager.address"), "0.0.0.0:8032");
  ASSERT_TRUE(
      conf.AddResourceString(Xml(Property("yarn.resourcemanager.hostname", "rm1")), "y.xml").ok());
  EXPECT_EQ(conf.Get("yarn.resourcemanager.address"), "rm1:8032");
  EXPECT_EQ(conf.GetRaw("yarn.resourcemanager.address"), "${yarn.resourcemanager.hostname}:8032");
}

// ---- Expansion ----

TEST(ConfigurationTest, ExpandsOtherKeysRecursively) {
  Configuration conf;
  conf.Set("a", "${b}/a");
  conf.Set("b", "${c}/b");
  conf.Set("c", "root");
  EXPECT_EQ(conf.Get("a"), "root/b/a");
  EXPECT_EQ(conf.Get("missing", "fallback"), "fallback");
  EXPECT_EQ(conf.Get("a", "fallback"), "root/b/a");
}

TEST(ConfigurationTest, UnknownVariablesStayAsWritten) {
  Configuration conf;
  conf.Set("a", "${no.such.key}/${b}/${unterminated");
  conf.Set("b", "x");
  EXPECT_EQ(conf.Get("a"), "${no.such.key}/x/${unterminated");
  conf.Set("dollar", "$HOME and $ { not a var } and ${}");
  EXPECT_EQ(conf.Get("dollar"), "$HOME and $ { not a var } and ${}");
}

TEST(ConfigurationTest, CycleTerminates) {
  Configuration conf;
  conf.Set("a", "${b}");
  conf.Set("b", "${a}");
  conf.Set("self", "x${self}");
  EXPECT_EQ(conf.Get("a"), "${a}");
  EXPECT_EQ(conf.Get("self"), "x${self}");
}

TEST(ConfigurationTest, DepthIsLimitedToTwenty) {
  Configuration conf;
  // k0 -> k1 -> ... -> k30 = "end".
  for (int i = 0; i < 30; ++i) {
    conf.Set("k" + std::to_string(i), "${k" + std::to_string(i + 1) + "}");
  }
  conf.Set("k30", "end");
  EXPECT_EQ(conf.Get("k0"), "${k21}");
  EXPECT_EQ(conf.Get("k15"), "end");
}

TEST(ConfigurationTest, ExpandsEnvironmentWithFallbacks) {
  ScopedEnv set("SKEIN_CONF_TEST_SET", "value");
  ScopedEnv empty("SKEIN_CONF_TEST_EMPTY", "");
  ScopedEnv unset("SKEIN_CONF_TEST_UNSET", std::nullopt);
  Configuration conf;
  conf.Set("plain", "${env.SKEIN_CONF_TEST_SET}");
  conf.Set("missing", "${env.SKEIN_CONF_TEST_UNSET}");
  conf.Set("colon.set", "${env.SKEIN_CONF_TEST_SET:-fb}");
  conf.Set("colon.empty", "${env.SKEIN_CONF_TEST_EMPTY:-fb}");
  conf.Set("colon.unset", "${env.SKEIN_CONF_TEST_UNSET:-fb}");
  conf.Set("dash.empty", "${env.SKEIN_CONF_TEST_EMPTY-fb}");
  conf.Set("dash.unset", "${env.SKEIN_CONF_TEST_UNSET-fb}");
  conf.Set("nested", "${env.SKEIN_CONF_TEST_UNSET:-${plain}/dir}");
  EXPECT_EQ(conf.Get("plain"), "value");
  EXPECT_EQ(conf.Get("missing"), "${env.SKEIN_CONF_TEST_UNSET}");
  EXPECT_EQ(conf.Get("colon.set"), "value");
  EXPECT_EQ(conf.Get("colon.empty"), "fb");
  EXPECT_EQ(conf.Get("colon.unset"), "fb");
  EXPECT_EQ(conf.Get("dash.empty"), "");
  EXPECT_EQ(conf.Get("dash.unset"), "fb");
  EXPECT_EQ(conf.Get("nested"), "value/dir");
}

TEST(ConfigurationTest, ExpandsUserNameAndTmpDir) {
  Configuration conf = Configuration::WithYarnDefaults();
  const std::string user = CurrentUser();
  ASSERT_FALSE(user.empty());
  EXPECT_EQ(conf.Get("hadoop.tmp.dir"), "/tmp/hadoop-" + user);
  EXPECT_EQ(conf.Get("yarn.nodemanager.log-dirs"), "/tmp/hadoop-" + user + "/logs/userlogs");
  conf.Set("t", "${java.io.tmpdir}/x");
  EXPECT_EQ(conf.Get("t"), "/tmp/x");
}

// ---- Typed getters ----

TEST(ConfigurationTest, GetIntParsesAndReportsErrors) {
  Configuration conf;
  ASSERT_TRUE(conf.AddResourceString(Xml(Property("good", "-12") + Property("hex", "0x1F") +
                                         Property("bad", "12abc") + Property("huge", "1e99")),
                                     "yarn-site.xml")
                  .ok());
  EXPECT_EQ(*conf.GetInt("good", 0), -12);
  EXPECT_EQ(*conf.GetInt("hex", 0), 31);
  EXPECT_EQ(*conf.GetInt("absent", 7), 7);
  absl::StatusOr<int64_t> bad = conf.GetInt("bad", 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("bad"));
  EXPECT_THAT(bad.status().message(), HasSubstr("\"12abc\""));
  EXPECT_THAT(bad.status().message(), HasSubstr("yarn-site.xml:5"));
  EXPECT_FALSE(conf.GetInt("huge", 0).ok());
  conf.Set("overflow", "9223372036854775808");
  EXPECT_FALSE(conf.GetInt("overflow", 0).ok());
  conf.Set("min", "-9223372036854775808");
  EXPECT_EQ(*conf.GetInt("min", 0), std::numeric_limits<int64_t>::min());
  conf.Set("empty", "");
  EXPECT_FALSE(conf.GetInt("empty", 0).ok());
}

TEST(ConfigurationTest, GetIntExpandsFirst) {
  Configuration conf;
  conf.Set("base", "10");
  conf.Set("ref", "${base}");
  EXPECT_EQ(*conf.GetInt("ref", 0), 10);
}

TEST(ConfigurationTest, GetDouble) {
  Configuration conf;
  conf.Set("d", " 0.25 ");
  conf.Set("bad", "quarter");
  EXPECT_DOUBLE_EQ(*conf.GetDouble("d", 0), 0.25);
  EXPECT_DOUBLE_EQ(*conf.GetDouble("absent", 1.5), 1.5);
  absl::StatusOr<double> bad = conf.GetDouble("bad", 0);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("\"quarter\""));
  EXPECT_THAT(bad.status().message(), HasSubstr("programmatic"));
}

TEST(ConfigurationTest, GetBoolIsCaseInsensitive) {
  Configuration conf;
  conf.Set("t", "TRUE");
  conf.Set("f", " False ");
  conf.Set("bad", "yes");
  EXPECT_TRUE(*conf.GetBool("t", false));
  EXPECT_FALSE(*conf.GetBool("f", true));
  EXPECT_TRUE(*conf.GetBool("absent", true));
  absl::StatusOr<bool> bad = conf.GetBool("bad", false);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("configuration key bad"));
  EXPECT_THAT(bad.status().message(), HasSubstr("\"yes\""));
}

TEST(ConfigurationTest, GetDurationSuffixes) {
  Configuration conf;
  conf.Set("plain", "1500");
  conf.Set("ns", "7ns");
  conf.Set("us", "7us");
  conf.Set("ms", "7ms");
  conf.Set("s", "7s");
  conf.Set("m", "7m");
  conf.Set("h", "7H");
  conf.Set("d", "2d");
  conf.Set("bad", "7 fortnights");
  conf.Set("fraction", "1.5s");
  const absl::Duration def = absl::Seconds(99);
  EXPECT_EQ(*conf.GetDuration("plain", def), absl::Milliseconds(1500));
  EXPECT_EQ(*conf.GetDuration("plain", def, absl::Seconds(1)), absl::Seconds(1500));
  EXPECT_EQ(*conf.GetDuration("ns", def), absl::Nanoseconds(7));
  EXPECT_EQ(*conf.GetDuration("us", def), absl::Microseconds(7));
  EXPECT_EQ(*conf.GetDuration("ms", def, absl::Seconds(1)), absl::Milliseconds(7));
  EXPECT_EQ(*conf.GetDuration("s", def), absl::Seconds(7));
  EXPECT_EQ(*conf.GetDuration("m", def), absl::Minutes(7));
  EXPECT_EQ(*conf.GetDuration("h", def), absl::Hours(7));
  EXPECT_EQ(*conf.GetDuration("d", def), absl::Hours(48));
  EXPECT_EQ(*conf.GetDuration("absent", def), def);
  absl::StatusOr<absl::Duration> bad = conf.GetDuration("bad", def);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("configuration key bad"));
  EXPECT_THAT(bad.status().message(), HasSubstr("\"7 fortnights\""));
  EXPECT_FALSE(conf.GetDuration("fraction", def).ok());
}

TEST(ConfigurationTest, ParseDurationErrors) {
  EXPECT_EQ(*ParseDuration("-5s", absl::Milliseconds(1)), absl::Seconds(-5));
  for (const char* text : {"", "s", "ms", "abc", "10x", "99999999999999999999d"}) {
    absl::StatusOr<absl::Duration> d = ParseDuration(text, absl::Milliseconds(1));
    EXPECT_FALSE(d.ok()) << text;
    EXPECT_THAT(d.status().message(), HasSubstr(std::string("\"") + text + "\"")) << text;
  }
  EXPECT_FALSE(ParseDuration("9223372036854775807d", absl::Milliseconds(1)).ok());
}

TEST(ConfigurationTest, ParseMemoryMb) {
  EXPECT_EQ(*ParseMemoryMb("1024"), 1024);
  EXPECT_EQ(*ParseMemoryMb("512m"), 512);
  EXPECT_EQ(*ParseMemoryMb("512MB"), 512);
  EXPECT_EQ(*ParseMemoryMb("2g"), 2048);
  EXPECT_EQ(*ParseMemoryMb("2 GB"), 2048);
  EXPECT_EQ(*ParseMemoryMb("1t"), 1024 * 1024);
  EXPECT_EQ(*ParseMemoryMb("1Tb"), 1024 * 1024);
  EXPECT_EQ(*ParseMemoryMb("1024k"), 1);
  EXPECT_EQ(*ParseMemoryMb("1025kb"), 2);
  EXPECT_EQ(*ParseMemoryMb("1k"), 1);
  EXPECT_EQ(*ParseMemoryMb("0k"), 0);
  EXPECT_EQ(*ParseMemoryMb("-1"), -1);
  for (const char* text : {"", "m", "abc", "1.5g", "12x", "12b", "99999999999999999t"}) {
    absl::StatusOr<int64_t> mb = ParseMemoryMb(text);
    EXPECT_FALSE(mb.ok()) << text;
    EXPECT_EQ(mb.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(mb.status().message(), HasSubstr(std::string("\"") + text + "\"")) << text;
  }
}

TEST(ConfigurationTest, GetMemoryMb) {
  Configuration conf;
  ASSERT_TRUE(
      conf.AddResourceString(Xml(Property("mem", "4g") + Property("bad", "lots")), "yarn-site.xml")
          .ok());
  EXPECT_EQ(*conf.GetMemoryMb("mem", 0), 4096);
  EXPECT_EQ(*conf.GetMemoryMb("absent", 8192), 8192);
  absl::StatusOr<int64_t> bad = conf.GetMemoryMb("bad", 0);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("configuration key bad"));
  EXPECT_THAT(bad.status().message(), HasSubstr("\"lots\""));
  EXPECT_THAT(bad.status().message(), HasSubstr("yarn-site.xml:4"));
}

TEST(ConfigurationTest, GetStrings) {
  Configuration conf;
  conf.Set("list", " a, b ,,c ,");
  conf.Set("empty", "");
  conf.Set("dirs", "${base}/1,${base}/2");
  conf.Set("base", "/data");
  EXPECT_THAT(conf.GetStrings("list"), ElementsAre("a", "b", "c"));
  EXPECT_THAT(conf.GetStrings("empty"), IsEmpty());
  EXPECT_THAT(conf.GetStrings("absent"), IsEmpty());
  EXPECT_THAT(conf.GetStrings("dirs"), ElementsAre("/data/1", "/data/2"));
}

// ---- Conf dir ----

TEST(ResolveConfDirTest, Precedence) {
  {
    ScopedEnv yarn("YARN_CONF_DIR", "/yarn/conf");
    ScopedEnv hadoop("HADOOP_CONF_DIR", "/hadoop/conf");
    EXPECT_EQ(ResolveConfDir(std::string("/flag/conf")), "/flag/conf");
    EXPECT_EQ(ResolveConfDir(std::string("")), "/yarn/conf");
    EXPECT_EQ(ResolveConfDir(std::nullopt), "/yarn/conf");
  }
  {
    ScopedEnv yarn("YARN_CONF_DIR", std::nullopt);
    ScopedEnv hadoop("HADOOP_CONF_DIR", "/hadoop/conf");
    EXPECT_EQ(ResolveConfDir(std::nullopt), "/hadoop/conf");
  }
  {
    ScopedEnv yarn("YARN_CONF_DIR", "");
    ScopedEnv hadoop("HADOOP_CONF_DIR", "/hadoop/conf");
    EXPECT_EQ(ResolveConfDir(std::nullopt), "/hadoop/conf");
  }
  {
    ScopedEnv yarn("YARN_CONF_DIR", std::nullopt);
    ScopedEnv hadoop("HADOOP_CONF_DIR", std::nullopt);
    EXPECT_FALSE(ResolveConfDir(std::nullopt).has_value());
    EXPECT_EQ(ResolveConfDir(std::string("/flag")), "/flag");
  }
}

TEST(LoadYarnConfigurationTest, DefaultsOnlyWithoutDir) {
  absl::StatusOr<Configuration> conf = LoadYarnConfiguration(std::nullopt);
  ASSERT_TRUE(conf.ok());
  EXPECT_EQ(conf->Get("yarn.resourcemanager.webapp.address"), "0.0.0.0:8088");
}

TEST(LoadYarnConfigurationTest, ReadsCoreThenYarnSite) {
  TempDir dir;
  dir.Write("core-site.xml", Xml(Property("hadoop.tmp.dir", "/data/tmp") +
                                 Property("shared", "core") + Property("locked", "core", true)));
  dir.Write("yarn-site.xml", Xml(Property("yarn.resourcemanager.hostname", "rm.example.com") +
                                 Property("shared", "yarn") + Property("locked", "yarn")));
  absl::StatusOr<Configuration> conf = LoadYarnConfiguration(dir.path());
  ASSERT_TRUE(conf.ok()) << conf.status();
  EXPECT_EQ(conf->Get("yarn.resourcemanager.address"), "rm.example.com:8032");
  EXPECT_EQ(conf->Get("yarn.nodemanager.local-dirs"), "/data/tmp/nm-local-dir");
  EXPECT_EQ(conf->Get("shared"), "yarn");
  EXPECT_EQ(conf->Get("locked"), "core");
  EXPECT_EQ(conf->SourceOf("shared"), dir.path() + "/yarn-site.xml:4");
  EXPECT_EQ(conf->SourceOf("yarn.scheduler.minimum-allocation-mb"), "default");
}

TEST(LoadYarnConfigurationTest, MergesCapacitySchedulerXml) {
  TempDir dir;
  dir.Write("yarn-site.xml", Xml(Property("yarn.acl.enable", "true")));
  dir.Write("capacity-scheduler.xml", Xml(Property("yarn.scheduler.capacity.root.queues", "a,b")));
  absl::StatusOr<Configuration> conf = LoadYarnConfiguration(dir.path());
  ASSERT_TRUE(conf.ok()) << conf.status();
  EXPECT_EQ(conf->Get("yarn.scheduler.capacity.root.queues"), "a,b");
  EXPECT_EQ(conf->Get("yarn.acl.enable"), "true");
  dir.Write("capacity-scheduler.xml", "<configuration>\n<property>\n");
  conf = LoadYarnConfiguration(dir.path());
  ASSERT_FALSE(conf.ok());
  EXPECT_NE(conf.status().message().find("capacity-scheduler.xml:"), std::string::npos)
      << conf.status();
}

TEST(LoadYarnConfigurationTest, MissingFilesAreSkipped) {
  TempDir dir;
  dir.Write("yarn-site.xml", Xml(Property("only", "yarn")));
  absl::StatusOr<Configuration> conf = LoadYarnConfiguration(dir.path());
  ASSERT_TRUE(conf.ok()) << conf.status();
  EXPECT_EQ(conf->Get("only"), "yarn");
}

TEST(LoadYarnConfigurationTest, BadFileIsReported) {
  TempDir dir;
  dir.Write("yarn-site.xml", "<configuration>\n<property><value>x</value></property>\n");
  absl::StatusOr<Configuration> conf = LoadYarnConfiguration(dir.path());
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(conf.status().message(), HasSubstr(dir.path() + "/yarn-site.xml:"));
}

TEST(LoadYarnConfigurationTest, NonexistentDirIsNotFound) {
  absl::StatusOr<Configuration> conf = LoadYarnConfiguration(std::string("/no/such/skein/conf"));
  EXPECT_EQ(conf.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(conf.status().message(), HasSubstr("/no/such/skein/conf"));
}

TEST(LoadYarnConfigurationTest, FileAsDirIsAnError) {
  TempDir dir;
  std::string file = dir.Write("not-a-dir", "x");
  absl::StatusOr<Configuration> conf = LoadYarnConfiguration(file);
  EXPECT_EQ(conf.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(conf.status().message(), HasSubstr(file));
}

// ---- Shipped samples ----

TEST(SampleFilesTest, SiteFilesLoad) {
  const std::string dir = std::string(SKEIN_SOURCE_DIR) + "/etc/hadoop";
  absl::StatusOr<Configuration> conf = LoadYarnConfiguration(dir);
  ASSERT_TRUE(conf.ok()) << conf.status();
  Configuration capacity;
  ASSERT_TRUE(capacity.AddResourceFile(dir + "/capacity-scheduler.xml").ok());
  EXPECT_THAT(capacity.GetStrings("yarn.scheduler.capacity.root.queues"), ElementsAre("default"));
  EXPECT_DOUBLE_EQ(*capacity.GetDouble("yarn.scheduler.capacity.root.default.capacity", 0), 100);
}

TEST(SampleFilesTest, FairSchedulerAllocationsParse) {
  pugi::xml_document doc;
  std::string path = std::string(SKEIN_SOURCE_DIR) + "/etc/hadoop/fair-scheduler.xml";
  ASSERT_TRUE(doc.load_file(path.c_str())) << path;
  pugi::xml_node root = doc.child("allocations").find_child_by_attribute("queue", "name", "root");
  ASSERT_TRUE(root);
  EXPECT_TRUE(root.find_child_by_attribute("queue", "name", "default"));
}

}  // namespace
}  // namespace skein::conf
