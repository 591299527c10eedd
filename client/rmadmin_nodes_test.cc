// `yarn rmadmin` node commands: help text and every argument error (all caught before any RPC),
// and the resource-types parser. The RPC paths run against a real RM in
// tests/integration/decommission_end_to_end_test.cc.
#include "client/rmadmin_nodes.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Result {
  int code;
  std::string out, err;
};

Result RmAdmin(std::vector<std::string> args) {
  std::ostringstream out, err;
  CliContext ctx{conf::Configuration::WithYarnDefaults(), out, err};
  int code = RunRmAdminCommand(args, ctx);
  return {code, out.str(), err.str()};
}

constexpr char kRefreshUsage[] =
    "Usage: yarn rmadmin [-refreshNodes [-g|graceful [timeout in seconds] -client|server]]\n";
constexpr char kUpdateUsage[] =
    "Usage: yarn rmadmin [-updateNodeResource [NodeID] [MemSize] [vCores] ([OvercommitTimeout]) "
    "\n\t\tor\n\t\t[NodeID] [resourcetypes] ([OvercommitTimeout]). ]\n";

TEST(RmAdminNodesTest, HelpShowsTheNodeCommandsAsRmAdminCliDoes) {
  Result one = RmAdmin({"-help", "refreshNodes"});
  EXPECT_EQ(one.code, 0);
  EXPECT_THAT(one.out, StartsWith("-refreshNodes [-g|graceful [timeout in seconds] "
                                  "-client|server]: Refresh the hosts information at the "
                                  "ResourceManager. Here [-g|graceful"));
  Result all = RmAdmin({"-help"});
  EXPECT_THAT(all.out,
              HasSubstr("yarn rmadmin [-refreshQueues] [-refreshNodes [-g|graceful [timeout in "
                        "seconds] -client|server]] [-refreshAdminAcls] [-updateNodeResource "
                        "[NodeID] [MemSize] [vCores] ([OvercommitTimeout]) or "
                        "-updateNodeResource [NodeID] [ResourceTypes] ([OvercommitTimeout])] "
                        "[-help [cmd]]\n"));
  EXPECT_THAT(all.out, HasSubstr("   -updateNodeResource [NodeID] [MemSize] [vCores] "
                                 "([OvercommitTimeout]) \n\t\tor\n\t\t[NodeID] [resourcetypes] "
                                 "([OvercommitTimeout]). : Update resource on specific node.\n"));
  Result usage = RmAdmin({});
  EXPECT_THAT(usage.err,
              HasSubstr("   -refreshNodes [-g|graceful [timeout in seconds] -client|server]\n"));
}

TEST(RmAdminNodesTest, RefreshNodesArgumentErrors) {
  Result no_mode = RmAdmin({"-refreshNodes", "-g", "30"});
  EXPECT_EQ(no_mode.code, 255);
  EXPECT_EQ(no_mode.err, kRefreshUsage);
  Result bad = RmAdmin({"-refreshNodes", "-g", "soon", "-client"});
  EXPECT_EQ(bad.code, 255);
  EXPECT_EQ(bad.err,
            std::string("refreshNodes: Invalid timeout specified : soon\n") + kRefreshUsage);
  Result low = RmAdmin({"-refreshNodes", "-g", "-2", "-server"});
  EXPECT_EQ(low.err, std::string("refreshNodes: Invalid timeout specified : -2\n") + kRefreshUsage);
  Result unknown = RmAdmin({"-refreshNodes", "-force"});
  EXPECT_EQ(unknown.code, 255);
  EXPECT_EQ(unknown.err,
            std::string("refreshNodes: Unrecognized option: -force\n") + kRefreshUsage);
}

TEST(RmAdminNodesTest, UpdateNodeResourceArgumentErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  const std::string count = "Number of parameters specified for updateNodeResource is wrong.\n";
  for (const Case& c : {
           Case{{"-updateNodeResource", "h:1"}, count + kUpdateUsage},
           Case{{"-updateNodeResource", "h:1", "1", "2", "3", "4"}, count + kUpdateUsage},
           Case{{"-updateNodeResource", "h:1", "1024", "-2"},
                std::string("updateNodeResource: Invalid resource value: (1024,-2) for "
                            "updateNodeResource.\n") +
                    kUpdateUsage},
           Case{{"-updateNodeResource", "h:1", "1024", "two"},
                std::string("updateNodeResource: For input string: \"two\"\n") + kUpdateUsage},
           Case{{"-updateNodeResource", "h:1", "1024", "2", "soon"},
                std::string("updateNodeResource: For input string: \"soon\"\n") + kUpdateUsage},
           // As RMAdminCLI: a memory value that is not all digits means the resource-types form.
           Case{{"-updateNodeResource", "h:1", "-1024", "2"},
                std::string("Resource Types parameter specified for updateNodeResource is wrong. "
                            "It should be comma-delimited key value pairs. For example, "
                            "memory-mb=1024Mi,vcores=1,resource1=3Gi,resource2=2\n") +
                    kUpdateUsage},
           Case{{"-updateNodeResource", "h:1", "memory-mb=-5,vcores=1"},
                std::string("updateNodeResource: Invalid resource value: -5 for memory-mb: must "
                            "not be negative\n") +
                    kUpdateUsage},
           Case{{"-updateNodeResource", "nohost", "1024", "2"}, "updateNodeResource: "},
       }) {
    Result r = RmAdmin(c.args);
    EXPECT_EQ(r.code, 255) << c.args[1];
    EXPECT_THAT(r.err, StartsWith(c.err));
  }
  Result node = RmAdmin({"-updateNodeResource", "nohost", "1024", "2"});
  EXPECT_THAT(node.err, HasSubstr("nohost"));
  EXPECT_THAT(node.err, HasSubstr(kUpdateUsage));
}

TEST(RmAdminNodesTest, ResourceTypesForm) {
  auto r = ParseResourceTypes("memory-mb=2Gi, vcores=2,yarn.io/gpu=1");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->memory_mb, 2048);
  EXPECT_EQ(r->vcores, 2);
  EXPECT_EQ(r->others.at("yarn.io/gpu"), 1);
  EXPECT_EQ(ParseResourceTypes("memory-mb=1024Mi,vcores=1")->memory_mb, 1024);
  EXPECT_EQ(ParseResourceTypes("vcores=1,memory-mb=1024")->memory_mb, 1024);

  for (auto [text, error] : std::vector<std::pair<std::string, std::string>>{
           {"memory-mb=1024", "must give both memory-mb and vcores"},
           {"memory-mb=lots,vcores=1",
            "Invalid resource value: lots. Unable to extract unit and actual value."},
           {"memory-mb=1024,vcores",
            "Invalid resource type value: (vcores) for "
            "updateNodeResource. It should be key value pairs separated "
            "using '=' symbol."}}) {
    auto bad = ParseResourceTypes(text);
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_THAT(std::string(bad.status().message()), HasSubstr(error)) << text;
  }
}

}  // namespace
}  // namespace skein::cli
