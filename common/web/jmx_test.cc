#include "common/web/jmx.h"

#include "common/web/raw_query.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace skein::web {
namespace {

using json = nlohmann::json;

bool Match(const std::string& pattern, const std::string& name) {
  auto q = JmxQuery::Parse(pattern);
  EXPECT_TRUE(q.ok()) << pattern << ": " << q.status();
  return q.ok() && q->Matches(name);
}

constexpr char kQueue[] = "Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default";

TEST(JmxQueryTest, ObjectNamePatternSemantics) {
  EXPECT_TRUE(Match("*:*", kQueue));
  EXPECT_TRUE(Match("Hadoop:*", kQueue));
  EXPECT_TRUE(Match("Had??p:*", kQueue));
  EXPECT_FALSE(Match("java.lang:*", kQueue));
  // Key order does not matter; without ",*" the key set must be exactly the pattern's.
  EXPECT_TRUE(Match("Hadoop:q1=default,q0=root,name=QueueMetrics,service=ResourceManager", kQueue));
  EXPECT_FALSE(Match("Hadoop:service=ResourceManager,name=QueueMetrics,q0=root", kQueue));
  EXPECT_TRUE(Match("Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,*", kQueue));
  EXPECT_TRUE(Match("Hadoop:service=ResourceManager,name=QueueMetrics,*", kQueue));
  EXPECT_FALSE(Match("Hadoop:service=NodeManager,*", kQueue));
  // Value wildcards (JMX 1.4+).
  EXPECT_TRUE(Match("Hadoop:service=ResourceManager,name=Queue*,*", kQueue));
  EXPECT_TRUE(Match("Hadoop:service=*,name=ClusterMetrics",
                    "Hadoop:service=ResourceManager,name=ClusterMetrics"));
  EXPECT_FALSE(
      Match("Hadoop:service=*,name=Cluster", "Hadoop:service=ResourceManager,name=ClusterMetrics"));
}

TEST(JmxQueryTest, MalformedPatternsAreRefused) {
  for (const char* bad : {"", "Hadoop", "Hadoop:", "Hadoop:name", "Hadoop:=x", "Hadoop:n*=x"}) {
    EXPECT_FALSE(JmxQuery::Parse(bad).ok()) << bad;
  }
}

std::vector<JmxBean> Beans() {
  JmxBean a{"Hadoop:service=ResourceManager,name=ClusterMetrics", "ClusterMetrics"};
  a.attributes = {{"NumActiveNMs", 2}, {"NumLostNMs", 0}};
  JmxBean b{kQueue, "QueueMetrics,q0=root,q1=default"};
  b.attributes = {{"tag.Queue", "root.default"}, {"AppsRunning", 1}};
  return {a, b};
}

TEST(RenderJmxTest, AllBeansByDefault) {
  JmxResponse r = RenderJmx(Beans(), "", "");
  EXPECT_EQ(r.status, 200);
  json doc = json::parse(r.body);
  ASSERT_EQ(doc["beans"].size(), 2u);
  EXPECT_EQ(doc["beans"][0]["name"], "Hadoop:service=ResourceManager,name=ClusterMetrics");
  EXPECT_EQ(doc["beans"][0]["modelerType"], "ClusterMetrics");
  EXPECT_EQ(doc["beans"][0]["NumActiveNMs"], 2);
  EXPECT_EQ(doc["beans"][1]["AppsRunning"], 1);
}

TEST(RenderJmxTest, QryFilters) {
  json doc = json::parse(
      RenderJmx(Beans(), "Hadoop:service=ResourceManager,name=QueueMetrics,*", "").body);
  ASSERT_EQ(doc["beans"].size(), 1u);
  EXPECT_EQ(doc["beans"][0]["tag.Queue"], "root.default");
  doc = json::parse(RenderJmx(Beans(), "Hadoop:service=NodeManager,*", "").body);
  EXPECT_TRUE(doc["beans"].empty());
  JmxResponse bad = RenderJmx(Beans(), "nonsense", "");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body)["result"], "ERROR");
}

TEST(RenderJmxTest, GetOneAttribute) {
  JmxResponse r =
      RenderJmx(Beans(), "", "Hadoop:service=ResourceManager,name=ClusterMetrics::NumActiveNMs");
  EXPECT_EQ(r.status, 200);
  json doc = json::parse(r.body);
  ASSERT_EQ(doc["beans"].size(), 1u);
  EXPECT_EQ(doc["beans"][0]["NumActiveNMs"], 2);
  EXPECT_FALSE(doc["beans"][0].contains("NumLostNMs"));

  r = RenderJmx(Beans(), "", "Hadoop:service=ResourceManager,name=ClusterMetrics::Nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["beans"][0]["message"], "No attribute with name Nope was found.");
  EXPECT_EQ(RenderJmx(Beans(), "", "no-separator").status, 400);
}

TEST(RawQueryParamTest, KeepsEqualsSignsAndDecodes) {
  EXPECT_EQ(RawQueryParam("/jmx?qry=Hadoop:service=ResourceManager,name=*", "qry"),
            "Hadoop:service=ResourceManager,name=*");
  EXPECT_EQ(RawQueryParam("/jmx?a=1&qry=Hadoop%3Aservice%3DNodeManager%2C*&b=2", "qry"),
            "Hadoop:service=NodeManager,*");
  EXPECT_EQ(RawQueryParam("/jmx?get=X:a=b::Attr", "get"), "X:a=b::Attr");
  EXPECT_EQ(RawQueryParam("/jmx", "qry"), "");
  EXPECT_EQ(RawQueryParam("/jmx?qryx=1", "qry"), "");
}

TEST(AppendRpcBeansTest, PerPortTotalsAndMethods) {
  std::map<std::string, RpcMetrics::MethodTotals> rpc = {
      {"skein.proto.ApplicationClientProtocol/GetNewApplication", {4, 0.008}},
      {"skein.proto.ApplicationClientProtocol/SubmitApplication", {2, 0.004}},
      {"skein.proto.ResourceTracker/NodeHeartbeat", {10, 0.010}},
      {"skein.proto.Unknown/X", {1, 1}}};
  std::vector<JmxBean> out;
  AppendRpcBeans("ResourceManager", "h",
                 {{"ApplicationClientProtocol", 8032}, {"ResourceTracker", 8031}}, rpc, out);
  ASSERT_EQ(out.size(), 4u);  // activity + detailed for 8031 and 8032
  EXPECT_EQ(out[2].name, "Hadoop:service=ResourceManager,name=RpcActivityForPort8032");
  EXPECT_EQ(out[2].modeler_type, "RpcActivityForPort8032");
  EXPECT_EQ(out[2].attributes["RpcProcessingTimeNumOps"], 6);
  EXPECT_DOUBLE_EQ(out[2].attributes["RpcProcessingTimeAvgTime"].get<double>(), 2.0);
  EXPECT_EQ(out[2].attributes["tag.port"], "8032");
  EXPECT_EQ(out[3].name, "Hadoop:service=ResourceManager,name=RpcDetailedActivityForPort8032");
  EXPECT_EQ(out[3].attributes["GetNewApplicationNumOps"], 4);
  EXPECT_DOUBLE_EQ(out[3].attributes["SubmitApplicationAvgTime"].get<double>(), 2.0);
  EXPECT_EQ(out[0].attributes["RpcProcessingTimeNumOps"], 10);
}

}  // namespace
}  // namespace skein::web
