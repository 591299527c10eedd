// The AM web proxy (/proxy/<id>/): rewriting rules, and a live RM forwarding to a small HTTP
// server registered as an AM's tracking URL.
#include "resourcemanager/web/am_proxy.h"

#include <httplib.h>

#include <chrono>
#include <thread>

#include "resourcemanager/web/rm_web_test_fixture.h"

namespace skein::web {
namespace {

using namespace webtest;  // NOLINT: the fixture and its helpers

TEST(AmProxyRewriteTest, TrackingUrls) {
  auto e = ParseTrackingUrl("http://am.example:4040/ui/");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "am.example");
  EXPECT_EQ(e->port, 4040);
  EXPECT_EQ(e->base_path, "/ui");
  EXPECT_EQ(ParseTrackingUrl("https://h")->port, 443);
  EXPECT_FALSE(ParseTrackingUrl("am:4040").ok());
  EXPECT_FALSE(ParseTrackingUrl("http://h:99999/").ok());
}

TEST(AmProxyRewriteTest, LocationsAndLinks) {
  AmEndpoint am = *ParseTrackingUrl("http://127.0.0.1:4040/");
  const std::string base = "/proxy/application_1_0001";
  EXPECT_EQ(RewriteLocation("http://127.0.0.1:4040/jobs/?id=1", am, base), base + "/jobs/?id=1");
  EXPECT_EQ(RewriteLocation("http://127.0.0.1:4040", am, base), base + "/");
  EXPECT_EQ(RewriteLocation("/stages/", am, base), base + "/stages/");
  EXPECT_EQ(RewriteLocation("stages/", am, base), "stages/");                    // relative
  EXPECT_EQ(RewriteLocation("http://other:1/x", am, base), "http://other:1/x");  // elsewhere
  EXPECT_EQ(RewriteLocation("/proxy/application_1_0001/x", am, base), base + "/x");
  AmEndpoint sub = *ParseTrackingUrl("http://127.0.0.1:4040/ui");
  EXPECT_EQ(RewriteLocation("http://127.0.0.1:4040/ui/jobs", sub, base), base + "/jobs");
  EXPECT_EQ(RewriteHtmlLinks(R"(<a href="/jobs/">j</a><img src='http://127.0.0.1:4040/s.png'>)"
                             R"(<a href="https://x/">x</a><a href="rel">r</a>)",
                             am, base),
            R"(<a href="/proxy/application_1_0001/jobs/">j</a>)"
            R"(<img src='/proxy/application_1_0001/s.png'>)"
            R"(<a href="https://x/">x</a><a href="rel">r</a>)");
}

// A stand-in ApplicationMaster web UI on an ephemeral port.
class FakeAmUi {
 public:
  FakeAmUi() {
    server_.Get("/", [this](const httplib::Request& req, httplib::Response& res) {
      last_query_ = req.get_param_value("q");
      res.set_content(
          "<html><a href=\"/jobs/\">Jobs</a><a href=\"" + self() + "/stages/\">Stages</a></html>",
          "text/html");
    });
    server_.Get("/jobs/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"jobs":[1,2]})", "application/json");
    });
    server_.Get("/old", [this](const httplib::Request&, httplib::Response& res) {
      res.status = 302;
      res.set_header("Location", self() + "/jobs/");
    });
    server_.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content("got " + req.body, "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ~FakeAmUi() {
    server_.stop();
    thread_.join();
  }
  std::string self() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string last_query_;

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

class AmProxyTest : public RmWebTest {};

TEST_P(AmProxyTest, ForwardsRewritesAndWarnsBrowsers) {
  FakeAmUi ui;
  tracking_url_ = ui.self() + "/";
  std::string id = SubmitApp("proxied", /*run=*/true);
  const std::string base = "/proxy/" + id;

  // REST shows Hadoop's proxied tracking URL.
  Reply app = Call("GET", "/ws/v1/cluster/apps/" + id);
  EXPECT_EQ(app.doc["app"]["trackingUI"], "ApplicationMaster");
  EXPECT_EQ(app.doc["app"]["trackingUrl"], "http://" + rm_->webapp_address() + base + "/");

  // A program (no text/html) owned by someone else passes straight through.
  Reply jobs = Call("GET", base + "/jobs/");
  EXPECT_EQ(jobs.status, 200);
  EXPECT_EQ(jobs.doc, json::parse(R"({"jobs":[1,2]})"));
  // Redirects and links come back through the proxy; the query reaches the AM.
  Reply old = Call("GET", base + "/old");
  EXPECT_EQ(old.status, 302);
  EXPECT_EQ(old.location, base + "/jobs/");
  Reply root = Call("GET", base + "/?q=1&user.name=alice", "", "text/html");
  EXPECT_EQ(root.status, 200);
  EXPECT_EQ(ui.last_query_, "1");
  EXPECT_NE(root.body.find("href=\"" + base + "/jobs/\""), std::string::npos) << root.body;
  EXPECT_NE(root.body.find("href=\"" + base + "/stages/\""), std::string::npos) << root.body;
  Reply echo = Call("POST", base + "/echo", "ping");
  EXPECT_EQ(echo.body, "got ping");

  // A browser that is not the owner gets Hadoop's warning page first, with a cookie.
  httplib::Headers html = {{"Accept", "text/html"}};
  auto warn = http_->Get((base + "/?q=2").c_str(), html);
  ASSERT_TRUE(warn);
  EXPECT_EQ(warn->status, 200);
  EXPECT_NE(warn->body.find("WARNING: The following page may not be safe!"), std::string::npos);
  EXPECT_NE(warn->body.find("owned by alice"), std::string::npos);
  EXPECT_NE(warn->body.find(base + "/?q=2&amp;proxyapproved=true"), std::string::npos)
      << warn->body;
  EXPECT_EQ(warn->get_header_value("Set-Cookie"),
            "checked_" + id + "=false; Path=" + base + "; Max-Age=7200");
  // Following the link with that cookie: approved, the AM's page, and the cookie turns true.
  html.emplace("Cookie", "checked_" + id + "=false");
  auto ok = http_->Get((base + "/?q=2&proxyapproved=true").c_str(), html);
  ASSERT_TRUE(ok);
  EXPECT_NE(ok->body.find("Jobs"), std::string::npos) << ok->body;
  EXPECT_EQ(ui.last_query_, "2");
  EXPECT_EQ(ok->get_header_value("Set-Cookie"),
            "checked_" + id + "=true; Path=" + base + "; Max-Age=7200");
  httplib::Headers approved = {{"Accept", "text/html"}, {"Cookie", "checked_" + id + "=true"}};
  auto later = http_->Get((base + "/").c_str(), approved);
  ASSERT_TRUE(later);
  EXPECT_NE(later->body.find("Jobs"), std::string::npos);

  // Unknown apps are 404; a finished app goes to its RM page.
  EXPECT_EQ(Call("GET", "/proxy/application_1_0099/").status, 404);
  Reply killed =
      Call("PUT", "/ws/v1/cluster/apps/" + id + "/state?user.name=alice", R"({"state":"KILLED"})");
  EXPECT_TRUE(killed.status == 200 || killed.status == 202) << killed.body;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Call("GET", "/ws/v1/cluster/apps/" + id + "/state").doc["state"] != "KILLED") {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "never KILLED";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Reply gone = Call("GET", base + "/jobs/");
  EXPECT_EQ(gone.status, 302);
  EXPECT_EQ(gone.location, "/cluster/app/" + id);
}

INSTANTIATE_TEST_SUITE_P(Schedulers, AmProxyTest, ::testing::Values("capacity"));

}  // namespace
}  // namespace skein::web
