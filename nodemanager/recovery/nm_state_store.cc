#include "nodemanager/recovery/nm_state_store.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "leveldb/db.h"
#include "leveldb/write_batch.h"

namespace skein::nm {
namespace {

constexpr absl::string_view kContainerPrefix = "ContainerManager/containers/";
constexpr absl::string_view kVersion = "v1";

void Put(std::string* out, absl::string_view field) {
  absl::StrAppend(out, field.size(), ":", field);
}

// Reads one length-prefixed field at *pos.
bool Take(const std::string& in, size_t* pos, std::string* field) {
  size_t colon = in.find(':', *pos);
  size_t len = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(absl::string_view(in).substr(*pos, colon - *pos), &len) ||
      colon + 1 + len > in.size()) {
    return false;
  }
  *field = in.substr(colon + 1, len);
  *pos = colon + 1 + len;
  return true;
}

class LevelDbStateStore final : public NmStateStore {
 public:
  LevelDbStateStore(std::unique_ptr<leveldb::DB> db, std::string dir)
      : db_(std::move(db)), dir_(std::move(dir)) {}

  absl::Status StoreContainer(const ContainerRecord& r) override {
    return Check(db_->Put(leveldb::WriteOptions(), Key(r.id), EncodeContainerRecord(r)),
                 "storing " + r.id.ToString());
  }

  absl::Status RemoveContainer(const ContainerId& id) override {
    return Check(db_->Delete(leveldb::WriteOptions(), Key(id)), "removing " + id.ToString());
  }

  absl::StatusOr<std::vector<ContainerRecord>> LoadContainers() override {
    std::vector<ContainerRecord> out;
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    for (it->Seek(std::string(kContainerPrefix)); it->Valid(); it->Next()) {
      if (!it->key().starts_with(std::string(kContainerPrefix))) break;
      absl::StatusOr<ContainerRecord> r = DecodeContainerRecord(it->value().ToString());
      if (!r.ok()) {
        return absl::DataLossError(absl::StrCat("NodeManager state store ", dir_, ": record ",
                                                it->key().ToString(), ": ", r.status().message()));
      }
      out.push_back(*std::move(r));
    }
    if (absl::Status s = Check(it->status(), "reading containers"); !s.ok()) return s;
    return out;
  }

 private:
  static std::string Key(const ContainerId& id) {
    return absl::StrCat(kContainerPrefix, id.ToString());
  }
  absl::Status Check(const leveldb::Status& s, const std::string& what) const {
    if (s.ok()) return absl::OkStatus();
    return absl::InternalError(
        absl::StrCat("NodeManager state store ", dir_, ": ", what, ": ", s.ToString()));
  }

  std::unique_ptr<leveldb::DB> db_;
  const std::string dir_;
};

}  // namespace

std::string EncodeContainerRecord(const ContainerRecord& r) {
  std::string out;
  Put(&out, kVersion);
  Put(&out, r.id.ToString());
  Put(&out, r.user);
  Put(&out, absl::StrCat(r.resource.memory_mb));
  Put(&out, absl::StrCat(r.resource.vcores));
  Put(&out, absl::StrCat(r.pid));
  Put(&out, absl::StrCat(r.start_time_ticks));
  Put(&out, r.work_dir);
  Put(&out, r.log_dir);
  Put(&out, r.token_identifier);
  Put(&out, r.completed ? "1" : "0");
  Put(&out, absl::StrCat(r.exit_status));
  Put(&out, r.diagnostics);
  return out;
}

absl::StatusOr<ContainerRecord> DecodeContainerRecord(const std::string& bytes) {
  std::vector<std::string> f(13);
  size_t pos = 0;
  for (std::string& field : f) {
    if (!Take(bytes, &pos, &field)) return absl::DataLossError("truncated container record");
  }
  if (f[0] != kVersion) {
    return absl::DataLossError(absl::StrCat("unknown container record version '", f[0], "'"));
  }
  ContainerRecord r;
  absl::StatusOr<ContainerId> id = ContainerId::Parse(f[1]);
  if (!id.ok()) return absl::DataLossError(absl::StrCat("bad container id '", f[1], "'"));
  r.id = *id;
  r.user = f[2];
  int64_t mem = 0, vcores = 0;
  if (!absl::SimpleAtoi(f[3], &mem) || !absl::SimpleAtoi(f[4], &vcores) ||
      !absl::SimpleAtoi(f[5], &r.pid) || !absl::SimpleAtoi(f[6], &r.start_time_ticks) ||
      !absl::SimpleAtoi(f[11], &r.exit_status)) {
    return absl::DataLossError(absl::StrCat("bad number in the record of ", f[1]));
  }
  r.resource = Resource(mem, vcores);
  r.work_dir = f[7];
  r.log_dir = f[8];
  r.token_identifier = f[9];
  r.completed = f[10] == "1";
  r.diagnostics = f[12];
  return r;
}

absl::StatusOr<std::unique_ptr<NmStateStore>> OpenLevelDbStateStore(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("yarn.nodemanager.recovery.dir: cannot create ", dir, ": ", ec.message()));
  }
  leveldb::Options options;
  options.create_if_missing = true;
  leveldb::DB* db = nullptr;
  leveldb::Status s = leveldb::DB::Open(options, dir + "/yarn-nm-state", &db);
  if (!s.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open the NodeManager state store in ", dir, ": ", s.ToString()));
  }
  return std::unique_ptr<NmStateStore>(
      new LevelDbStateStore(std::unique_ptr<leveldb::DB>(db), dir));
}

int64_t ProcessStartTime(int pid) {
  if (pid <= 0) return 0;
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string stat = ss.str();
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  // Fields after "comm": state(3) ppid(4) ... starttime(22).
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(stat).substr(paren + 2), ' ');
  int64_t start = 0;
  if (fields.size() < 20 || !absl::SimpleAtoi(fields[19], &start)) return 0;
  if (fields[0] == "Z" || fields[0] == "X") return 0;  // a zombie runs nothing
  return start;
}

}  // namespace skein::nm
