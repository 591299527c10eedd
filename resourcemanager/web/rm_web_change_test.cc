// PUT /apps/{id}/queue, /priority and /state with ACLs, against a live in-process
// ResourceManager (see rm_web_test_fixture.h): Hadoop's bodies in JSON and XML, the applied
// values, and every error status (400 malformed, 403 without the right, 404
// unknown app; never a 500).
#include "resourcemanager/web/rm_web_test_fixture.h"

namespace skein::web {
namespace {

using namespace webtest;  // NOLINT: the fixture's field lists and helpers

// Two Capacity leaves (default, b) and priorities up to 10.
class RmWebChangeTest : public RmWebTest {
 protected:
  void Configure(conf::Configuration& conf) override {
    conf.Set("yarn.scheduler.capacity.root.queues", "default,b");
    conf.Set("yarn.scheduler.capacity.root.default.capacity", "50");
    conf.Set("yarn.scheduler.capacity.root.b.capacity", "50");
    conf.Set("yarn.cluster.max-application-priority", "10");
  }
  std::string AppPath(const std::string& id, const std::string& what) {
    return "/ws/v1/cluster/apps/" + id + "/" + what;
  }
};

TEST_P(RmWebChangeTest, QueueAndPriorityErrors) {
  std::string id = SubmitApp("changes", /*run=*/true);
  for (const char* what : {"queue", "priority"}) {
    std::string path = AppPath(id, what);
    ExpectError(Call("PUT", path + "?user.name=alice", "{oops"), 400, "BadRequestException",
                "malformed");
    ExpectError(Call("PUT", path + "?user.name=alice", R"({"other":1})"), 400,
                "BadRequestException", std::string("expected {\"") + what + "\"");
    ExpectError(Call("PUT", path + "?user.name=alice", "<nothing/>"), 400, "BadRequestException",
                "malformed");
    ExpectError(Call("PUT", AppPath("application_1_0099", what) + "?user.name=alice",
                     R"({"queue":"b","priority":1})"),
                404, "NotFoundException", "app with id: application_1_0099 not found");
    ExpectError(Call("PUT", AppPath("bogus", what) + "?user.name=alice", R"({"queue":"b"})"), 400,
                "BadRequestException", "Invalid ApplicationId: bogus");
    ExpectError(Call("GET", AppPath("application_1_0099", what)), 404, "NotFoundException",
                "not found");
  }
  ExpectError(Call("PUT", AppPath(id, "queue") + "?user.name=alice", R"({"queue":""})"), 400,
              "BadRequestException", "'queue' must be a non-empty string");
  ExpectError(Call("PUT", AppPath(id, "queue") + "?user.name=alice", R"({"queue":7})"), 400,
              "BadRequestException", "'queue' must be a non-empty string");
  ExpectError(Call("PUT", AppPath(id, "priority") + "?user.name=alice", R"({"priority":"high"})"),
              400, "BadRequestException", "'priority' must be an integer");
  ExpectError(Call("PUT", AppPath(id, "priority") + "?user.name=alice", R"({"priority":1.5})"), 400,
              "BadRequestException", "'priority' must be an integer");
  // Moving to the queue the app is in is a no-op on every scheduler (as in YARN).
  Reply same = Call("PUT", AppPath(id, "queue") + "?user.name=alice", R"({"queue":"default"})");
  EXPECT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(same.doc, json({{"queue", "default"}}));
  // A finished app cannot move.
  ASSERT_EQ(Call("PUT", AppPath(id, "state") + "?user.name=alice", R"({"state":"KILLED"})").status,
            202);
  ExpectError(Call("PUT", AppPath(id, "queue") + "?user.name=alice", R"({"queue":"b"})"), 400,
              "BadRequestException", "cannot be moved");
}

TEST_P(RmWebChangeTest, MoveApplication) {
  std::string id = SubmitApp("mover", /*run=*/true);
  Reply get = Call("GET", AppPath(id, "queue"));
  ASSERT_EQ(get.status, 200) << get.body;
  EXPECT_EQ(get.doc, json({{"queue", "default"}}));
  Reply xml = Call("GET", AppPath(id, "queue"), "", "application/xml");
  EXPECT_NE(xml.body.find("<appqueue><queue>default</queue></appqueue>"), std::string::npos)
      << xml.body;
  if (!capacity()) {  // FIFO has one queue: YARN refuses moves there
    ExpectError(Call("PUT", AppPath(id, "queue") + "?user.name=alice", R"({"queue":"b"})"), 400,
                "BadRequestException", "");
    return;
  }
  Reply moved = Call("PUT", AppPath(id, "queue") + "?user.name=alice", R"({"queue":"b"})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.doc, json({{"queue", "b"}}));
  EXPECT_EQ(Call("GET", AppPath(id, "queue")).doc, json({{"queue", "b"}}));
  EXPECT_EQ(Call("GET", "/ws/v1/cluster/apps/" + id).doc["app"]["queue"], "b");
  ExpectError(Call("PUT", AppPath(id, "queue") + "?user.name=alice", R"({"queue":"nosuch"})"), 400,
              "BadRequestException", "nosuch");
  // XML in, XML out.
  auto back = http_->Put((AppPath(id, "queue") + "?user.name=alice").c_str(),
                         httplib::Headers{{"Accept", "application/xml"}},
                         "<?xml version=\"1.0\"?><appqueue><queue>default</queue></appqueue>",
                         "application/xml");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status, 200) << back->body;
  EXPECT_NE(back->body.find("<appqueue><queue>default</queue></appqueue>"), std::string::npos)
      << back->body;
}

TEST_P(RmWebChangeTest, UpdatePriority) {
  std::string id = SubmitApp("prio", /*run=*/true);
  EXPECT_EQ(Call("GET", AppPath(id, "priority")).doc, json({{"priority", 0}}));
  Reply xml = Call("GET", AppPath(id, "priority"), "", "application/xml");
  EXPECT_NE(xml.body.find("<applicationpriority><priority>0</priority></applicationpriority>"),
            std::string::npos)
      << xml.body;
  Reply set = Call("PUT", AppPath(id, "priority") + "?user.name=alice", R"({"priority":5})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.doc, json({{"priority", 5}}));
  EXPECT_EQ(Call("GET", "/ws/v1/cluster/apps/" + id).doc["app"]["priority"], 5);
  // Capped at yarn.cluster.max-application-priority.
  Reply capped = Call("PUT", AppPath(id, "priority") + "?user.name=alice", R"({"priority":50})");
  ASSERT_EQ(capped.status, 200) << capped.body;
  EXPECT_EQ(capped.doc, json({{"priority", 10}}));
  auto put_xml = http_->Put((AppPath(id, "priority") + "?user.name=alice").c_str(),
                            httplib::Headers{{"Accept", "application/xml"}},
                            "<applicationpriority><priority>3</priority></applicationpriority>",
                            "application/xml");
  ASSERT_TRUE(put_xml);
  EXPECT_EQ(put_xml->status, 200) << put_xml->body;
  EXPECT_NE(put_xml->body.find("<applicationpriority><priority>3</priority></applicationpriority>"),
            std::string::npos)
      << put_xml->body;
}

INSTANTIATE_TEST_SUITE_P(Schedulers, RmWebChangeTest, ::testing::Values("fifo", "capacity"));

// yarn.acl.enable with an administrator and queues nobody administers: only the owner and the
// administrator may kill, move or re-prioritize; everyone else gets 403 with Hadoop's message.
class RmWebAclTest : public RmWebChangeTest {
 protected:
  void Configure(conf::Configuration& conf) override {
    RmWebChangeTest::Configure(conf);
    conf.Set("yarn.acl.enable", "true");
    conf.Set("yarn.admin.acl", "admin");
    for (const char* q : {"root", "root.default", "root.b"}) {
      conf.Set(absl::StrCat("yarn.scheduler.capacity.", q, ".acl_administer_queue"), " ");
      conf.Set(absl::StrCat("yarn.scheduler.capacity.", q, ".acl_submit_applications"), "*");
    }
  }
};

TEST_P(RmWebAclTest, OnlyOwnerAndAdminsMayChange) {
  std::string id = SubmitApp("guarded", /*run=*/true);
  ExpectError(Call("PUT", AppPath(id, "state") + "?user.name=bob", R"({"state":"KILLED"})"), 403,
              "AuthorizationException",
              "Unauthorized attempt to kill appid " + id + " by remote user bob");
  ExpectError(Call("PUT", AppPath(id, "queue") + "?user.name=bob", R"({"queue":"b"})"), 403,
              "AuthorizationException",
              "Unauthorized attempt to move appid " + id + " by remote user bob");
  ExpectError(Call("PUT", AppPath(id, "priority") + "?user.name=bob", R"({"priority":2})"), 403,
              "AuthorizationException",
              "Unauthorized attempt to change priority of appid " + id + " by remote user bob");
  // Anonymous requests act as hadoop.http.staticuser.user, refused like any non-owner.
  ExpectError(Call("PUT", AppPath(id, "state"), R"({"state":"KILLED"})"), 403,
              "AuthorizationException",
              "Unauthorized attempt to kill appid " + id + " by remote user dr.who");
  // The UI: no kill button for bob, and his POST is refused.
  Reply page = Call("GET", "/cluster/app/" + id + "?user.name=bob", "", "text/html");
  EXPECT_EQ(page.body.find("/kill\""), std::string::npos);
  auto ui_kill = http_->Post(("/cluster/app/" + id + "/kill").c_str(), "user.name=bob",
                             "application/x-www-form-urlencoded");
  ASSERT_TRUE(ui_kill);
  EXPECT_EQ(ui_kill->status, 403);
  EXPECT_EQ(Call("GET", AppPath(id, "state")).doc, json({{"state", "RUNNING"}}));
  // The administrator and the owner may.
  Reply admin = Call("PUT", AppPath(id, "priority") + "?user.name=admin", R"({"priority":2})");
  EXPECT_EQ(admin.status, 200) << admin.body;
  EXPECT_EQ(admin.doc, json({{"priority", 2}}));
  Reply admin_page = Call("GET", "/cluster/app/" + id + "?user.name=alice", "", "text/html");
  EXPECT_NE(admin_page.body.find("/kill\""), std::string::npos);
  Reply owner = Call("PUT", AppPath(id, "state") + "?user.name=alice", R"({"state":"KILLED"})");
  EXPECT_EQ(owner.status, 202) << owner.body;
}

INSTANTIATE_TEST_SUITE_P(Schedulers, RmWebAclTest, ::testing::Values("capacity"));

}  // namespace
}  // namespace skein::web
