#include "nodemanager/recovery/nm_state_store.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "leveldb/db.h"
#include "nodemanager/container/launch_script.h"
#include "nodemanager/recovery/container_recovery.h"

namespace skein::nm {
namespace {

using ::testing::HasSubstr;

ContainerRecord Record(int seq) {
  ContainerRecord r;
  r.id = ContainerId::Make(ApplicationAttemptId(ApplicationId(1700, 1), 1), 0, seq);
  r.user = "alice";
  r.resource = Resource(1024, 2);
  r.pid = 4242;
  r.start_time_ticks = 123456;
  r.work_dir = "/local/usercache/alice/appcache/x";
  r.log_dir = "/logs/x";
  r.token_identifier = std::string("\0bin\n:ary", 9);
  return r;
}

TEST(NmStateStoreTest, RecordEncodingRoundTrips) {
  ContainerRecord r = Record(3);
  r.completed = true;
  r.exit_status = -105;
  r.diagnostics = "killed: 12:34";
  absl::StatusOr<ContainerRecord> back = DecodeContainerRecord(EncodeContainerRecord(r));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->id, r.id);
  EXPECT_EQ(back->user, "alice");
  EXPECT_EQ(back->resource, Resource(1024, 2));
  EXPECT_EQ(back->pid, 4242);
  EXPECT_EQ(back->start_time_ticks, 123456);
  EXPECT_EQ(back->token_identifier, r.token_identifier);
  EXPECT_TRUE(back->completed);
  EXPECT_EQ(back->exit_status, -105);
  EXPECT_EQ(back->diagnostics, "killed: 12:34");
  EXPECT_TRUE(absl::IsDataLoss(DecodeContainerRecord("2:v1").status()));
  EXPECT_THAT(
      DecodeContainerRecord(EncodeContainerRecord(r).replace(0, 4, "2:v9")).status().message(),
      HasSubstr("unknown container record version 'v9'"));
}

TEST(NmStateStoreTest, LevelDbKeepsRecordsAcrossReopen) {
  const std::string dir = ::testing::TempDir() + "/nm_state_" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  {
    auto store = OpenLevelDbStateStore(dir);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->StoreContainer(Record(1)).ok());
    ASSERT_TRUE((*store)->StoreContainer(Record(2)).ok());
    ContainerRecord done = Record(2);
    done.completed = true;
    done.exit_status = 3;
    ASSERT_TRUE((*store)->StoreContainer(done).ok());
    ASSERT_TRUE((*store)->StoreContainer(Record(3)).ok());
    ASSERT_TRUE((*store)->RemoveContainer(Record(3).id).ok());
    // A second opener is refused while the first holds the lock, with the reason.
    auto second = OpenLevelDbStateStore(dir);
    ASSERT_FALSE(second.ok());
    EXPECT_THAT(second.status().message(), HasSubstr(dir));
  }
  auto store = OpenLevelDbStateStore(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  auto records = (*store)->LoadContainers();
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].id, Record(1).id);
  EXPECT_FALSE((*records)[0].completed);
  EXPECT_TRUE((*records)[1].completed);
  EXPECT_EQ((*records)[1].exit_status, 3);
  std::filesystem::remove_all(dir);
}

TEST(NmStateStoreTest, LogWorkAndLocalizedResourcesSurviveReopen) {
  const std::string dir = ::testing::TempDir() + "/nm_state_logs_" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  const ApplicationId a1(1700, 1), a2(1700, 2);
  LocalizedResourceRecord res;
  res.key = "1|alice|0||1700000000000|file:///data/x:y|z";  // any bytes
  res.dir = "/local/usercache/alice/filecache/3";
  res.path = res.dir + "/x";
  res.user = "alice";
  res.size = 1234567890123;
  res.localized = true;
  {
    auto store = OpenLevelDbStateStore(dir);
    ASSERT_TRUE(store.ok()) << store.status();
    NmStateStore& s = **store;
    ASSERT_TRUE(s.StoreLogDeletion({a1, "alice", 1700000123456}).ok());
    ASSERT_TRUE(s.StoreLogDeletion({a2, "bob", 5}).ok());
    ASSERT_TRUE(s.RemoveLogDeletion(a2).ok());
    ASSERT_TRUE(s.RemoveLogDeletion(ApplicationId(9, 9)).ok());  // absent: fine
    ASSERT_TRUE(s.StoreLogAggregation({a2, "bob"}).ok());
    ASSERT_TRUE(s.StoreLocalizedResource(res).ok());
    LocalizedResourceRecord gone = res;
    gone.key = "other";
    ASSERT_TRUE(s.StoreLocalizedResource(gone).ok());
    ASSERT_TRUE(s.RemoveLocalizedResource("other").ok());
    ASSERT_TRUE(s.StoreContainer(Record(1)).ok());  // the kinds do not mix
  }
  auto store = OpenLevelDbStateStore(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  auto deletions = (*store)->LoadLogDeletions();
  ASSERT_TRUE(deletions.ok()) << deletions.status();
  ASSERT_EQ(deletions->size(), 1u);
  EXPECT_EQ((*deletions)[0].app, a1);
  EXPECT_EQ((*deletions)[0].user, "alice");
  EXPECT_EQ((*deletions)[0].deletion_time_ms, 1700000123456);
  auto aggregations = (*store)->LoadLogAggregations();
  ASSERT_TRUE(aggregations.ok()) << aggregations.status();
  ASSERT_EQ(aggregations->size(), 1u);
  EXPECT_EQ((*aggregations)[0].app, a2);
  EXPECT_EQ((*aggregations)[0].user, "bob");
  auto resources = (*store)->LoadLocalizedResources();
  ASSERT_TRUE(resources.ok()) << resources.status();
  ASSERT_EQ(resources->size(), 1u);
  const LocalizedResourceRecord& back = (*resources)[0];
  EXPECT_EQ(back.key, res.key);
  EXPECT_EQ(back.dir, res.dir);
  EXPECT_EQ(back.path, res.path);
  EXPECT_EQ(back.user, "alice");
  EXPECT_EQ(back.app, "");
  EXPECT_EQ(back.size, 1234567890123);
  EXPECT_TRUE(back.localized);
  EXPECT_EQ((*store)->LoadContainers()->size(), 1u);
  std::filesystem::remove_all(dir);
}

TEST(NmStateStoreTest, CorruptLogAndResourceRecordsAreDataLossNamingTheKey) {
  const std::string dir = ::testing::TempDir() + "/nm_state_bad_" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    leveldb::Options options;
    options.create_if_missing = true;
    leveldb::DB* raw = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(options, dir + "/yarn-nm-state", &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    ASSERT_TRUE(db->Put({}, "LogDeleters/application_1_0001", "2:v1garbage").ok());
    ASSERT_TRUE(
        db->Put({}, "LogAggregations/application_1_0002", "2:v920:application_1_0002_x3:bob").ok());
    ASSERT_TRUE(db->Put({}, "Localization/k", "2:v11:k0:0:0:0:1:x1:1").ok());
  }
  auto store = OpenLevelDbStateStore(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  auto deletions = (*store)->LoadLogDeletions();
  EXPECT_TRUE(absl::IsDataLoss(deletions.status()));
  EXPECT_THAT(deletions.status().message(), HasSubstr("LogDeleters/application_1_0001"));
  auto aggregations = (*store)->LoadLogAggregations();
  EXPECT_THAT(aggregations.status().message(),
              HasSubstr("unknown log aggregation record version 'v9'"));
  auto resources = (*store)->LoadLocalizedResources();
  EXPECT_THAT(resources.status().message(), HasSubstr("Localization/k"));
  EXPECT_THAT(resources.status().message(), HasSubstr("bad size in the record of 'k'"));
  std::filesystem::remove_all(dir);
}

// Field 22 (starttime) of /proc/<pid>/stat, read here independently of ProcessStartTime.
int64_t StatStartTime(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream fields(stat.substr(paren + 2));  // field 3 (state) onwards
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
  }
  return std::stoll(field);
}

TEST(NmStateStoreTest, ProcessStartTimeTellsLiveFromGone) {
  // Ours: the kernel's start time of this process.
  EXPECT_GT(ProcessStartTime(getpid()), 0);
  EXPECT_EQ(ProcessStartTime(getpid()), StatStartTime(getpid()));
  EXPECT_EQ(ProcessStartTime(0), 0);
  // A real child: its start time while it runs, none once it has exited and been reaped.
  int gate[2];
  ASSERT_EQ(pipe(gate), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(gate[1]);
    char c;
    (void)!read(gate[0], &c, 1);  // runs until the parent closes the pipe
    _exit(0);
  }
  close(gate[0]);
  const int64_t started = ProcessStartTime(child);
  EXPECT_EQ(started, StatStartTime(child));
  EXPECT_GE(started, ProcessStartTime(getpid()));
  close(gate[1]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_EQ(ProcessStartTime(child), 0);
}

TEST(NmStateStoreTest, ExitCodeWrapperRecordsTheExitCode) {
  const std::string dir = ::testing::TempDir() + "/nm_exitcode_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  const std::string script = dir + "/launch.sh";
  const std::string code = dir + "/code";
  {
    std::ofstream out(script);
    out << "#!/bin/bash\n" << ExitCodeWrapperLine(code) << "\nexec /bin/bash -c 'exit 7'\n";
  }
  EXPECT_EQ(WEXITSTATUS(system(("/bin/bash " + script).c_str())), 7);
  std::ifstream in(code);
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "7");
  EXPECT_FALSE(std::filesystem::exists(code + ".tmp"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace skein::nm
