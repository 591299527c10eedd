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
constexpr absl::string_view kLogDeleterPrefix = "LogDeleters/";
constexpr absl::string_view kLogAggregationPrefix = "LogAggregations/";
constexpr absl::string_view kLocalizedPrefix = "Localization/";
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

// Decodes exactly `n` length-prefixed fields, the first of which must be kVersion.
absl::StatusOr<std::vector<std::string>> Fields(const std::string& bytes, size_t n,
                                                absl::string_view what) {
  std::vector<std::string> f(n);
  size_t pos = 0;
  for (std::string& field : f) {
    if (!Take(bytes, &pos, &field)) return absl::DataLossError(absl::StrCat("truncated ", what));
  }
  if (f[0] != kVersion) {
    return absl::DataLossError(absl::StrCat("unknown ", what, " version '", f[0], "'"));
  }
  return f;
}

std::string EncodeLogDeletion(const logs::PendingLogDeletion& d) {
  std::string out;
  Put(&out, kVersion);
  Put(&out, d.app.ToString());
  Put(&out, d.user);
  Put(&out, absl::StrCat(d.deletion_time_ms));
  return out;
}

absl::StatusOr<logs::PendingLogDeletion> DecodeLogDeletion(const std::string& bytes) {
  absl::StatusOr<std::vector<std::string>> f = Fields(bytes, 4, "log deletion record");
  if (!f.ok()) return f.status();
  logs::PendingLogDeletion d;
  absl::StatusOr<ApplicationId> app = ApplicationId::Parse((*f)[1]);
  if (!app.ok() || !absl::SimpleAtoi((*f)[3], &d.deletion_time_ms)) {
    return absl::DataLossError(absl::StrCat("bad log deletion record for '", (*f)[1], "'"));
  }
  d.app = *app;
  d.user = (*f)[2];
  return d;
}

std::string EncodeLogAggregation(const logs::PendingLogAggregation& a) {
  std::string out;
  Put(&out, kVersion);
  Put(&out, a.app.ToString());
  Put(&out, a.user);
  return out;
}

absl::StatusOr<logs::PendingLogAggregation> DecodeLogAggregation(const std::string& bytes) {
  absl::StatusOr<std::vector<std::string>> f = Fields(bytes, 3, "log aggregation record");
  if (!f.ok()) return f.status();
  absl::StatusOr<ApplicationId> app = ApplicationId::Parse((*f)[1]);
  if (!app.ok()) {
    return absl::DataLossError(absl::StrCat("bad log aggregation record for '", (*f)[1], "'"));
  }
  return logs::PendingLogAggregation{*app, (*f)[2]};
}

std::string EncodeLocalized(const LocalizedResourceRecord& r) {
  std::string out;
  Put(&out, kVersion);
  Put(&out, r.key);
  Put(&out, r.dir);
  Put(&out, r.path);
  Put(&out, r.user);
  Put(&out, r.app);
  Put(&out, absl::StrCat(r.size));
  Put(&out, r.localized ? "1" : "0");
  return out;
}

absl::StatusOr<LocalizedResourceRecord> DecodeLocalized(const std::string& bytes) {
  absl::StatusOr<std::vector<std::string>> f = Fields(bytes, 8, "localized resource record");
  if (!f.ok()) return f.status();
  LocalizedResourceRecord r;
  if (!absl::SimpleAtoi((*f)[6], &r.size)) {
    return absl::DataLossError(absl::StrCat("bad size in the record of '", (*f)[1], "'"));
  }
  r.key = (*f)[1];
  r.dir = (*f)[2];
  r.path = (*f)[3];
  r.user = (*f)[4];
  r.app = (*f)[5];
  r.localized = (*f)[7] == "1";
  return r;
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
    return LoadAll<ContainerRecord>(kContainerPrefix, &DecodeContainerRecord, "containers");
  }

  absl::Status StoreLogDeletion(const logs::PendingLogDeletion& d) override {
    return Write(kLogDeleterPrefix, d.app.ToString(), EncodeLogDeletion(d));
  }
  absl::Status RemoveLogDeletion(const ApplicationId& app) override {
    return Erase(kLogDeleterPrefix, app.ToString());
  }
  absl::Status StoreLogAggregation(const logs::PendingLogAggregation& a) override {
    return Write(kLogAggregationPrefix, a.app.ToString(), EncodeLogAggregation(a));
  }
  absl::Status RemoveLogAggregation(const ApplicationId& app) override {
    return Erase(kLogAggregationPrefix, app.ToString());
  }
  absl::StatusOr<std::vector<logs::PendingLogDeletion>> LoadLogDeletions() override {
    return LoadAll<logs::PendingLogDeletion>(kLogDeleterPrefix, &DecodeLogDeletion,
                                             "log deletions");
  }
  absl::StatusOr<std::vector<logs::PendingLogAggregation>> LoadLogAggregations() override {
    return LoadAll<logs::PendingLogAggregation>(kLogAggregationPrefix, &DecodeLogAggregation,
                                                "log aggregations");
  }

  absl::Status StoreLocalizedResource(const LocalizedResourceRecord& r) override {
    return Write(kLocalizedPrefix, r.key, EncodeLocalized(r));
  }
  absl::Status RemoveLocalizedResource(const std::string& key) override {
    return Erase(kLocalizedPrefix, key);
  }
  absl::StatusOr<std::vector<LocalizedResourceRecord>> LoadLocalizedResources() override {
    return LoadAll<LocalizedResourceRecord>(kLocalizedPrefix, &DecodeLocalized,
                                            "localized resources");
  }

 private:
  absl::Status Write(absl::string_view prefix, const std::string& name, const std::string& value) {
    return Check(db_->Put(leveldb::WriteOptions(), absl::StrCat(prefix, name), value),
                 absl::StrCat("storing ", prefix, name));
  }
  absl::Status Erase(absl::string_view prefix, const std::string& name) {
    return Check(db_->Delete(leveldb::WriteOptions(), absl::StrCat(prefix, name)),
                 absl::StrCat("removing ", prefix, name));
  }
  // Every record under `prefix`, decoded; a bad one is DATA_LOSS naming its key.
  template <typename T>
  absl::StatusOr<std::vector<T>> LoadAll(absl::string_view prefix,
                                         absl::StatusOr<T> (*decode)(const std::string&),
                                         absl::string_view what) {
    std::vector<T> out;
    const std::string start(prefix);
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    for (it->Seek(start); it->Valid(); it->Next()) {
      if (!it->key().starts_with(start)) break;
      absl::StatusOr<T> r = decode(it->value().ToString());
      if (!r.ok()) {
        return absl::DataLossError(absl::StrCat("NodeManager state store ", dir_, ": record ",
                                                it->key().ToString(), ": ", r.status().message()));
      }
      out.push_back(*std::move(r));
    }
    if (absl::Status s = Check(it->status(), absl::StrCat("reading ", what)); !s.ok()) return s;
    return out;
  }

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
  absl::StatusOr<std::vector<std::string>> fields = Fields(bytes, 13, "container record");
  if (!fields.ok()) return fields.status();
  const std::vector<std::string>& f = *fields;
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
