#include "client/cli_format.h"

#include <gtest/gtest.h>

#include "common/ids.h"

namespace skein::cli {
namespace {

constexpr char kAppsHeader[] =
    "                Application-Id\t    Application-Name\t    Application-Type\t      User\t"
    "     Queue\t             State\t       Final-State\t       Progress\t"
    "                       Tracking-URL\n";

proto::ApplicationReportProto App(int id, const std::string& name, const std::string& type,
                                  proto::YarnApplicationState state,
                                  proto::FinalApplicationStatus final_status, float progress,
                                  const std::string& url) {
  proto::ApplicationReportProto a;
  *a.mutable_application_id() = ApplicationId(1234, id).ToProto();
  a.set_name(name);
  a.set_application_type(type);
  a.set_user(id == 5 ? "user" : "bob");
  a.set_queue(id == 5 ? "queue" : "default");
  a.set_yarn_application_state(state);
  a.set_final_application_status(final_status);
  a.set_progress(progress);
  a.set_original_tracking_url(url);
  return a;
}

TEST(FormatProgressTest, DecimalFormatPercent) {
  EXPECT_EQ(FormatProgress(0.0f), "0%");
  EXPECT_EQ(FormatProgress(1.0f), "100%");
  EXPECT_EQ(FormatProgress(0.5379f), "53.79%");
  EXPECT_EQ(FormatProgress(0.05f), "5%");
  EXPECT_EQ(FormatProgress(0.125f), "12.5%");
}

TEST(FormatPercentTest, OneDecimalLikeHashDotZero) {
  EXPECT_EQ(FormatPercentOneDecimal(100.0), "100.0");
  EXPECT_EQ(FormatPercentOneDecimal(0.0), ".0");
  EXPECT_EQ(FormatPercentOneDecimal(12.34), "12.3");
  EXPECT_EQ(FormatPercentOneDecimal(0.5), ".5");
}

TEST(ApplicationListTest, DefaultHeaderWithNoApps) {
  EXPECT_EQ(FormatApplicationList({}, {proto::RUNNING, proto::SUBMITTED, proto::ACCEPTED}, {}),
            std::string("Total number of applications (application-types: [], states: "
                        "[SUBMITTED, ACCEPTED, RUNNING] and tags: []):0\n") +
                kAppsHeader);
}

TEST(ApplicationListTest, RowsInHadoopColumns) {
  std::string out = FormatApplicationList(
      {"YARN", "MAPREDUCE"}, {proto::FINISHED, proto::RUNNING},
      {App(5, "appname", "YARN", proto::RUNNING, proto::APP_UNDEFINED, 0.5379f, ""),
       App(6, "sleep job", "MAPREDUCE", proto::FINISHED, proto::APP_SUCCEEDED, 1.0f,
           "http://h:19888/jobhistory")});
  EXPECT_EQ(out,
            std::string("Total number of applications (application-types: [MAPREDUCE, YARN], "
                        "states: [RUNNING, FINISHED] and tags: []):2\n") +
                kAppsHeader +
                "         application_1234_0005\t             appname\t                YARN\t"
                "      user\t     queue\t           RUNNING\t         UNDEFINED\t         53.79%\t"
                "                                N/A\n"
                "         application_1234_0006\t           sleep job\t           MAPREDUCE\t"
                "       bob\t   default\t          FINISHED\t         SUCCEEDED\t           100%\t"
                "          http://h:19888/jobhistory\n");
}

TEST(ApplicationReportTest, HadoopFieldOrder) {
  proto::ApplicationReportProto a =
      App(5, "appname", "YARN", proto::FINISHED, proto::APP_SUCCEEDED, 0.5379f, "");
  a.mutable_priority()->set_priority(0);
  a.set_rpc_port(124);
  a.set_host("host");
  a.set_diagnostics("diagnostics");
  a.set_start_time(1700000000000);
  a.set_finish_time(1700000005000);
  a.mutable_app_resource_usage()->set_memory_seconds(123456);
  a.mutable_app_resource_usage()->set_vcore_seconds(4567);
  // What the RM fills in (RmCore::BuildReport, as Hadoop's RMAppImpl); the CLI prints it.
  a.set_log_aggregation_status(proto::LOG_DISABLED);
  a.set_app_node_label_expression("<Not set>");
  a.set_am_node_label_expression("<DEFAULT_PARTITION>");
  auto* timeout = a.add_app_timeouts();
  timeout->set_application_timeout_type(proto::APP_TIMEOUT_LIFETIME);
  timeout->mutable_application_timeout()->set_expire_time("UNLIMITED");
  timeout->mutable_application_timeout()->set_remaining_time(-1);
  EXPECT_EQ(FormatApplicationReport(a),
            "Application Report : \n"
            "\tApplication-Id : application_1234_0005\n"
            "\tApplication-Name : appname\n"
            "\tApplication-Type : YARN\n"
            "\tUser : user\n"
            "\tQueue : queue\n"
            "\tApplication Priority : 0\n"
            "\tStart-Time : 1700000000000\n"
            "\tFinish-Time : 1700000005000\n"
            "\tProgress : 53.79%\n"
            "\tState : FINISHED\n"
            "\tFinal-State : SUCCEEDED\n"
            "\tTracking-URL : N/A\n"
            "\tRPC Port : 124\n"
            "\tAM Host : host\n"
            "\tAggregate Resource Allocation : 123456 MB-seconds, 4567 vcore-seconds\n"
            "\tAggregate Resource Preempted : 0 MB-seconds, 0 vcore-seconds\n"
            "\tLog Aggregation Status : DISABLED\n"
            "\tDiagnostics : diagnostics\n"
            "\tUnmanaged Application : false\n"
            "\tApplication Node Label Expression : <Not set>\n"
            "\tAM container Node Label Expression : <DEFAULT_PARTITION>\n"
            "\tTimeoutType : LIFETIME\tExpiryTime : UNLIMITED\tRemainingTime : -1seconds\n"
            "\n");
}

TEST(ApplicationReportTest, MissingUsageIsNA) {
  proto::ApplicationReportProto a =
      App(5, "a", "YARN", proto::ACCEPTED, proto::APP_UNDEFINED, 0, "");
  std::string out = FormatApplicationReport(a);
  EXPECT_NE(
      out.find("\tAggregate Resource Allocation : N/A\n\tAggregate Resource Preempted : N/A\n"),
      std::string::npos);
  EXPECT_NE(out.find("\tAM Host : N/A\n"), std::string::npos);
}

proto::NodeReportProto Node(const std::string& host, int port, proto::NodeState state) {
  proto::NodeReportProto n;
  *n.mutable_node_id() = NodeId(host, port).ToProto();
  n.set_http_address(host + ":8042");
  n.set_node_state(state);
  n.set_num_containers(3);
  n.mutable_capability()->set_memory_mb(8192);
  n.mutable_capability()->set_virtual_cores(8);
  n.mutable_used()->set_memory_mb(3072);
  n.mutable_used()->set_virtual_cores(3);
  n.set_rack_name("/default-rack");
  n.set_health_report("");
  return n;
}

TEST(NodeListTest, HadoopColumns) {
  EXPECT_EQ(FormatNodeList({Node("host0", 45454, proto::NS_RUNNING)}, false),
            "Total Nodes:1\n"
            "         Node-Id\t     Node-State\tNode-Http-Address\tNumber-of-Running-Containers\n"
            "     host0:45454\t        RUNNING\t       host0:8042\t                           3\n");
}

TEST(NodeListTest, ShowDetails) {
  EXPECT_EQ(FormatNodeList({Node("host0", 45454, proto::NS_RUNNING)}, true),
            "Total Nodes:1\n"
            "         Node-Id\t     Node-State\tNode-Http-Address\tNumber-of-Running-Containers\n"
            "     host0:45454\t        RUNNING\t       host0:8042\t                           3\n"
            "Detailed Node Information :\n"
            "\tConfigured Resources : <memory:8192, vCores:8>\n"
            "\tAllocated Resources : <memory:3072, vCores:3>\n"
            "\tResource Utilization by Node : \n"
            "\tResource Utilization by Containers : \n"
            "\tNode-Labels : \n");
}

TEST(NodeReportTest, Fields) {
  proto::NodeReportProto n = Node("host0", 45454, proto::NS_RUNNING);
  n.set_last_health_report_time(0);
  std::string out = FormatNodeReport(n);
  std::string expected_prefix =
      "Node Report : \n"
      "\tNode-Id : host0:45454\n"
      "\tRack : /default-rack\n"
      "\tNode-State : RUNNING\n"
      "\tNode-Http-Address : host0:8042\n"
      "\tLast-Health-Update : ";
  ASSERT_EQ(out.substr(0, expected_prefix.size()), expected_prefix);
  std::string expected_suffix =
      "\tHealth-Report : \n"
      "\tContainers : 3\n"
      "\tMemory-Used : 3072MB\n"
      "\tMemory-Capacity : 8192MB\n"
      "\tCPU-Used : 3 vcores\n"
      "\tCPU-Capacity : 8 vcores\n"
      "\tNode-Labels : \n"
      "\tResource Utilization by Node : \n"
      "\tResource Utilization by Containers : \n"
      "\tNode Attributes : \n"
      "\n";
  ASSERT_GE(out.size(), expected_suffix.size());
  EXPECT_EQ(out.substr(out.size() - expected_suffix.size()), expected_suffix);
}

TEST(NodeReportTest, HealthTimeFormat) {
  setenv("TZ", "UTC", 1);
  tzset();
  // 2023-11-14 22:13:20.123 UTC was a Tuesday.
  EXPECT_EQ(FormatHealthTime(1700000000123), "Tue 14/Nov/23 10:13:20:123UTC");
}

TEST(QueueInfoTest, QueueCliFormat) {
  proto::GetQueueInfoResponse info;
  proto::QueueInfoProto& q = *info.mutable_queue_info();
  q.set_queue_name("default");
  q.set_queue_path("root.default");
  q.set_state(proto::Q_RUNNING);
  q.set_capacity(1.0f);
  q.set_current_capacity(0.0f);
  q.set_maximum_capacity(1.0f);
  q.set_preemption_disabled(true);
  q.add_accessible_node_labels("*");  // as the RM reports a Capacity queue without labels
  q.set_intra_queue_preemption_disabled(true);
  info.mutable_queue_info()->set_weight(-1.0f);
  info.mutable_queue_info()->set_max_parallel_apps(2147483647);
  EXPECT_EQ(FormatQueueInfo(info),
            "Queue Information : \n"
            "Queue Name : default\n"
            "Queue Path : root.default\n"
            "\tState : RUNNING\n"
            "\tCapacity : 100.00%\n"
            "\tCurrent Capacity : .00%\n"
            "\tMaximum Capacity : 100.00%\n"
            "\tWeight : -1.00\n"
            "\tMaximum Parallel Apps : 2147483647\n"
            "\tDefault Node Label expression : <DEFAULT_PARTITION>\n"
            "\tAccessible Node Labels : *\n"
            "\tPreemption : disabled\n"
            "\tIntra-queue Preemption : disabled\n");
}

TEST(QueueInfoTest, FractionsPrintAsHadoopDecimalFormat) {
  proto::GetQueueInfoResponse info;
  proto::QueueInfoProto& q = *info.mutable_queue_info();
  q.set_queue_name("a");
  q.set_queue_path("root.a");
  q.set_state(proto::Q_STOPPED);
  q.set_capacity(0.7f);  // 0.699999988 as a float
  q.set_current_capacity(0.125f);
  q.set_maximum_capacity(0.005f);
  info.mutable_queue_info()->set_weight(2.5f);
  info.mutable_queue_info()->set_max_parallel_apps(3);
  std::string out = FormatQueueInfo(info);
  EXPECT_NE(out.find("\tState : STOPPED\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\tCapacity : 70.00%\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\tCurrent Capacity : 12.50%\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\tMaximum Capacity : .50%\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\tWeight : 2.50\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\tMaximum Parallel Apps : 3\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("Intra-queue"), std::string::npos) << out;  // unset: not printed
  EXPECT_EQ(FormatDecimalTwo(0), ".00");
  EXPECT_EQ(FormatDecimalTwo(-0.5), "-.50");
}

TEST(StatesTest, ParseAndValidLists) {
  EXPECT_EQ(ParseAppState(" running "), proto::RUNNING);
  EXPECT_EQ(ParseAppState("new_saving"), proto::NEW_SAVING);
  EXPECT_FALSE(ParseAppState("RUNNIN").has_value());
  EXPECT_EQ(ParseNodeState("decommissioning"), proto::NS_DECOMMISSIONING);
  EXPECT_FALSE(ParseNodeState("GONE").has_value());
  EXPECT_EQ(ValidAppStatesMessage(),
            "The valid application state can be one of the following: "
            "ALL,NEW,NEW_SAVING,SUBMITTED,ACCEPTED,RUNNING,FINISHED,FAILED,KILLED");
  EXPECT_EQ(ValidNodeStatesMessage(),
            "The valid node state can be one of the following: "
            "NEW,RUNNING,UNHEALTHY,DECOMMISSIONED,LOST,REBOOTED,DECOMMISSIONING,SHUTDOWN.");
}

}  // namespace
}  // namespace skein::cli
