// The RM web UI in a real headless Chromium against real `yarn` daemons (tests/integration's
// TestCluster): every page renders without script errors or external resources, /cluster/apps
// shows a just-submitted application, /cluster/nodes the used memory the REST API reports, and
// the Kill Application button kills the app (the `yarn` CLI then reports KILLED). A screenshot
// of each page is written to SKEIN_UI_SCREENSHOT_DIR.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdlib>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/rpc.h"
#include "nlohmann/json.hpp"
#include "protos/am_protocol.grpc.pb.h"
#include "tests/integration/test_cluster.h"
#include "tests/ui/headless_browser.h"

namespace skein::ui {
namespace {

using json = nlohmann::ordered_json;
using skein::testing::Process;
using skein::testing::ReadFileOrEmpty;
using skein::testing::TestCluster;
using skein::testing::WaitFor;

std::string MemoryCell(int64_t mb) {  // the UI's Mem Used formatting
  return mb >= 1024 && mb % 1024 == 0 ? absl::StrCat(mb / 1024, " GB") : absl::StrCat(mb, " MB");
}

class UiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = HeadlessBrowser::FindChromium();
    if (chromium_.empty()) {
      GTEST_SKIP() << "chromium is not installed (Debian package `chromium`, or set "
                      "SKEIN_CHROMIUM): the UI tests need a real browser";
    }
    mkdir(SKEIN_UI_SCREENSHOT_DIR, 0755);
  }

  // Loads `path`, checks it rendered with a title and without errors or external resources, and
  // keeps a screenshot named `shot`. Returns the page's HTML.
  std::string Visit(HeadlessBrowser& browser, const std::string& path, const std::string& shot) {
    absl::Status s = browser.Navigate(base_ + path);
    EXPECT_TRUE(s.ok()) << path << ": " << s;
    auto html = browser.Html();
    EXPECT_TRUE(html.ok()) << path << ": " << html.status();
    std::string page = html.ok() ? *html : "";
    EXPECT_TRUE(absl::StrContains(page, "<title>")) << path;
    EXPECT_TRUE(absl::StrContains(page, "Skein")) << path;
    EXPECT_FALSE(absl::StrContains(page, "src=\"http")) << path << ": loads an external resource";
    EXPECT_FALSE(absl::StrContains(page, "<script")) << path;
    for (const auto& e : browser.TakeErrors()) ADD_FAILURE() << path << ": " << e;
    s = browser.Screenshot(absl::StrCat(SKEIN_UI_SCREENSHOT_DIR, "/", shot, ".png"));
    EXPECT_TRUE(s.ok()) << s;
    return page;
  }

  std::string chromium_;
  std::string base_;
};

TEST_F(UiTest, PagesRenderShowTheAppAndNodeMemoryAndKillButtonKills) {
  TestCluster cluster(1);
  ASSERT_TRUE(cluster.Start().ok());
  base_ = absl::StrCat("http://127.0.0.1:", cluster.rm_web_port());
  httplib::Client http("127.0.0.1", cluster.rm_web_port());
  http.set_read_timeout(10, 0);

  Process client;
  std::string id = cluster.StartClient(client, {"distributedshell", "-shell_command", "sleep 90",
                                                "-num_containers", "1", "-appname", "ui<app>"});
  ASSERT_FALSE(id.empty()) << ReadFileOrEmpty(cluster.base_dir() + "/client.err");
  json node;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = http.Get("/ws/v1/cluster/nodes");
        if (!r || r->status != 200) return false;
        node = json::parse(r->body, nullptr, false)["nodes"]["node"][0];
        return node.is_object() && node["numContainers"] == 2;
      },
      absl::Seconds(45)))
      << node.dump();

  HeadlessBrowser browser;
  absl::Status started = browser.Start(chromium_, cluster.base_dir() + "/chromium-profile");
  ASSERT_TRUE(started.ok()) << started;

  std::string cluster_page = Visit(browser, "/cluster", "cluster");
  EXPECT_TRUE(absl::StrContains(cluster_page, "Apps Running"));
  EXPECT_TRUE(absl::StrContains(cluster_page, "<svg")) << "no utilization chart";
  auto title = browser.Evaluate("document.title");
  ASSERT_TRUE(title.ok()) << title.status();
  EXPECT_EQ(*title, "Cluster Metrics - Skein");

  std::string apps = Visit(browser, "/cluster/apps", "apps");
  EXPECT_TRUE(absl::StrContains(apps, id)) << "the just-submitted app is not listed";
  EXPECT_TRUE(absl::StrContains(apps, "ui&lt;app&gt;")) << "the name is not shown escaped";
  auto rows = browser.Evaluate("document.querySelectorAll('table tr').length");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, 2);  // header + the one app
  Visit(browser, "/cluster/apps/RUNNING", "apps-running");

  std::string nodes = Visit(browser, "/cluster/nodes", "nodes");
  std::string used = MemoryCell(node["usedMemoryMB"].get<int64_t>());
  // The Mem Used cell of the node's row, read from the rendered table.
  auto cell = browser.Evaluate(
      "(() => { const h = [...document.querySelectorAll('th')].map(t => t.textContent);"
      " const row = document.querySelectorAll('table tr')[1];"
      " return row.children[h.indexOf('Mem Used')].textContent; })()");
  ASSERT_TRUE(cell.ok()) << cell.status();
  EXPECT_EQ(*cell, used) << nodes;

  std::string sched = Visit(browser, "/cluster/scheduler", "scheduler");
  EXPECT_TRUE(absl::StrContains(sched, "class=\"bar\""));

  std::string user = CurrentUser();
  std::string app = Visit(browser, "/cluster/app/" + id + "?user.name=" + user, "app");
  EXPECT_TRUE(absl::StrContains(app, "Kill Application"));
  absl::Status clicked = browser.EvaluateAndWaitForLoad(
      "document.querySelector('form[action$=\"/kill\"] button').click()");
  ASSERT_TRUE(clicked.ok()) << clicked;
  for (const auto& e : browser.TakeErrors()) ADD_FAILURE() << "after the kill: " << e;
  auto location = browser.Evaluate("location.pathname");
  ASSERT_TRUE(location.ok());
  EXPECT_EQ(*location, "/cluster/app/" + id);  // the 303 lands back on the app page
  std::string status_out;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto r = cluster.Yarn({"application", "-status", id}, absl::Seconds(20));
        status_out = r.out;
        return absl::StrContains(r.out, "State : KILLED");
      },
      absl::Seconds(20)))
      << status_out;
  Visit(browser, "/cluster/app/" + id + "?user.name=" + user, "app-killed");
  auto killed_page = browser.Html();
  ASSERT_TRUE(killed_page.ok());
  EXPECT_FALSE(absl::StrContains(*killed_page, "Kill Application")) << "no kill button once final";
  client.Signal(SIGKILL);
}

// The AM web proxy in a real browser: an application whose AM registered a small HTTP server as
// its tracking URL; the apps page links to /proxy/<id>/, the browser first sees Hadoop's warning
// page, follows its link to the AM's page served through the proxy, and the AM's own links lead
// back through the proxy.
TEST_F(UiTest, AppListLinksThroughTheProxyToTheAmUi) {
  TestCluster cluster(1);
  ASSERT_TRUE(cluster.Start().ok());
  base_ = absl::StrCat("http://127.0.0.1:", cluster.rm_web_port());
  httplib::Client http("127.0.0.1", cluster.rm_web_port());
  http.set_read_timeout(10, 0);

  // The "AM web UI".
  httplib::Server am_ui;
  am_ui.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(
        "<!DOCTYPE html><html><head><title>Fake AM</title></head><body><h1>AM home</h1>"
        "<a id=\"jobs\" href=\"/jobs/\">Jobs</a></body></html>",
        "text/html");
  });
  am_ui.Get("/jobs/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(
        "<!DOCTYPE html><html><head><title>Jobs</title></head><body><h1>2 jobs</h1>"
        "</body></html>",
        "text/html");
  });
  int am_port = am_ui.bind_to_any_port("127.0.0.1");
  std::thread am_thread([&] { am_ui.listen_after_bind(); });
  struct StopUi {
    httplib::Server& s;
    std::thread& t;
    ~StopUi() {
      s.stop();
      t.join();
    }
  } stop_ui{am_ui, am_thread};

  // An application whose AM container hands the test its AMRM token; the test registers the AM
  // with the UI above as its tracking URL.
  std::string user = CurrentUser();
  std::string q = "?user.name=" + user;
  auto fresh = http.Post(("/ws/v1/cluster/apps/new-application" + q).c_str(), "", "");
  ASSERT_TRUE(fresh && fresh->status == 200);
  std::string id = json::parse(fresh->body)["application-id"];
  std::string token_file = cluster.base_dir() + "/am.token";
  json body = {
      {"application-id", id},
      {"application-name", "proxied-ui"},
      {"am-container-spec",
       {{"commands",
         {{"command", "printf '%s\\n%s' \"$SKEIN_AMRM_TOKEN\" \"$SKEIN_RM_SCHEDULER_ADDRESS\" > " +
                          token_file + ".tmp && mv " + token_file + ".tmp " + token_file +
                          " && sleep 120"}}}}},
      {"resource", {{"memory", 256}, {"vCores", 1}}},
      {"max-app-attempts", 1}};
  auto sub = http.Post(("/ws/v1/cluster/apps" + q).c_str(), body.dump(), "application/json");
  ASSERT_TRUE(sub && sub->status == 202) << (sub ? sub->body : "no answer");
  std::string token_and_address;
  ASSERT_TRUE(WaitFor(
      [&] {
        token_and_address = ReadFileOrEmpty(token_file);
        return token_and_address.find('\n') != std::string::npos;
      },
      absl::Seconds(45)));
  std::string token = token_and_address.substr(0, token_and_address.find('\n'));
  std::string scheduler = token_and_address.substr(token_and_address.find('\n') + 1);
  auto am = proto::ApplicationMasterProtocol::NewStub(MakeChannel(scheduler));
  auto ctx = MakeClientContext();
  ctx->AddMetadata(kAmrmTokenMetadataKey, token);
  proto::RegisterApplicationMasterRequest reg;
  reg.set_host("127.0.0.1");
  reg.set_tracking_url(absl::StrCat("http://127.0.0.1:", am_port, "/"));
  proto::RegisterApplicationMasterResponse reg_resp;
  grpc::Status registered = am->RegisterApplicationMaster(ctx.get(), reg, &reg_resp);
  ASSERT_TRUE(registered.ok()) << registered.error_message();

  HeadlessBrowser browser;
  absl::Status started = browser.Start(chromium_, cluster.base_dir() + "/chromium-profile");
  ASSERT_TRUE(started.ok()) << started;
  std::string apps = Visit(browser, "/cluster/apps", "apps-tracking");
  auto link = browser.Evaluate("document.querySelector('a.tracking').href");
  ASSERT_TRUE(link.ok()) << link.status() << apps;
  EXPECT_EQ(*link, base_ + "/proxy/" + id + "/");
  // Clicking it: Hadoop's warning page first.
  absl::Status clicked =
      browser.EvaluateAndWaitForLoad("document.querySelector('a.tracking').click()");
  ASSERT_TRUE(clicked.ok()) << clicked;
  auto h1 = browser.Evaluate("document.querySelector('h1').textContent");
  ASSERT_TRUE(h1.ok()) << h1.status();
  EXPECT_EQ(*h1, "WARNING: The following page may not be safe!");
  ASSERT_TRUE(browser.Screenshot(absl::StrCat(SKEIN_UI_SCREENSHOT_DIR, "/proxy-warning.png")).ok());
  // "click here": the AM's page, through the proxy.
  clicked = browser.EvaluateAndWaitForLoad("document.querySelector('h3 a').click()");
  ASSERT_TRUE(clicked.ok()) << clicked;
  auto title = browser.Evaluate("document.title");
  ASSERT_TRUE(title.ok());
  EXPECT_EQ(*title, "Fake AM");
  auto path = browser.Evaluate("location.pathname");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path, "/proxy/" + id + "/");
  auto jobs = browser.Evaluate("document.getElementById('jobs').getAttribute('href')");
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ(*jobs, "/proxy/" + id + "/jobs/");  // the AM's root link, rewritten
  ASSERT_TRUE(browser.Screenshot(absl::StrCat(SKEIN_UI_SCREENSHOT_DIR, "/proxy-am.png")).ok());
  // The cookie set on approval lets the next page through without a warning.
  clicked = browser.EvaluateAndWaitForLoad("document.getElementById('jobs').click()");
  ASSERT_TRUE(clicked.ok()) << clicked;
  title = browser.Evaluate("document.title");
  ASSERT_TRUE(title.ok());
  EXPECT_EQ(*title, "Jobs");
  for (const auto& e : browser.TakeErrors()) {
    // The fake AM's pages name no icon, so the browser asks the RM for /favicon.ico.
    if (!absl::StrContains(e, "/favicon.ico")) ADD_FAILURE() << "proxied pages: " << e;
  }
}

}  // namespace
}  // namespace skein::ui
