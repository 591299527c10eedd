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

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/rpc.h"
#include "nlohmann/json.hpp"
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

}  // namespace
}  // namespace skein::ui
