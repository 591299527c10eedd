#include "resourcemanager/store/leveldb_state_store.h"

#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "leveldb/db.h"
#include "leveldb/write_batch.h"

namespace skein::rm {
namespace {

constexpr char kVersionKey[] = "RMVersionNode";
constexpr char kLayoutVersion[] = "1";
constexpr char kEpochKey[] = "EpochNode";
constexpr char kSecretsKey[] = "AMRMTokenSecretManagerRoot";
constexpr char kAppRoot[] = "RMAppRoot/";

std::string AppKey(const ApplicationId& id) { return absl::StrCat(kAppRoot, id.ToString()); }

}  // namespace

absl::StatusOr<std::unique_ptr<LeveldbRMStateStore>> LeveldbRMStateStore::Open(
    const std::string& path) {
  const std::string where = absl::StrCat(kPathKey, "=", path);
  if (path.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": the LevelDB state store needs a path"));
  }
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, ": cannot create the state store directory: ", ec.message()));
  }
  leveldb::Options options;
  options.create_if_missing = true;
  leveldb::DB* raw = nullptr;
  leveldb::Status s = leveldb::DB::Open(options, path, &raw);
  if (!s.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, ": cannot open the RM state store: ", s.ToString()));
  }
  std::unique_ptr<leveldb::DB> db(raw);
  std::string version;
  s = db->Get(leveldb::ReadOptions(), kVersionKey, &version);
  if (s.IsNotFound()) {
    s = db->Put(leveldb::WriteOptions(), kVersionKey, kLayoutVersion);
    version = kLayoutVersion;
  }
  if (!s.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, ": cannot read the state store version: ", s.ToString()));
  }
  if (version != kLayoutVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, ": the state store has layout version '", version,
                     "'; this ResourceManager reads version ", kLayoutVersion));
  }
  return std::unique_ptr<LeveldbRMStateStore>(new LeveldbRMStateStore(std::move(db), path));
}

LeveldbRMStateStore::LeveldbRMStateStore(std::unique_ptr<leveldb::DB> db, std::string path)
    : db_(std::move(db)), path_(std::move(path)), thread_("rm-store") {
  thread_.Start();
}

LeveldbRMStateStore::~LeveldbRMStateStore() {
  thread_.RunSync([] {});  // the queued writes land before the database closes
  thread_.Stop();
}

void LeveldbRMStateStore::Write(std::string key, std::string value, Done done) {
  thread_.Post([this, key = std::move(key), value = std::move(value), done = std::move(done)] {
    leveldb::Status s = db_->Put(leveldb::WriteOptions(), key, value);
    done(s.ok() ? absl::OkStatus()
                : absl::UnavailableError(absl::StrCat("writing ", key, " to the RM state store in ",
                                                      path_, ": ", s.ToString())));
  });
}

void LeveldbRMStateStore::StoreApplication(const ApplicationId& id,
                                           const proto::ApplicationStateDataProto& data,
                                           Done done) {
  Write(AppKey(id), data.SerializeAsString(), std::move(done));
}

void LeveldbRMStateStore::StoreAttempt(const ApplicationAttemptId& id,
                                       const proto::ApplicationAttemptStateDataProto& data,
                                       Done done) {
  Write(absl::StrCat(AppKey(id.application_id()), "/", id.ToString()), data.SerializeAsString(),
        std::move(done));
}

void LeveldbRMStateStore::RemoveApplication(const ApplicationId& id, Done done) {
  // The app's key and its attempts' keys share the prefix; no other app's id extends it
  // (sequence numbers are zero-padded only to a minimum width, so compare up to '/' too).
  std::string key = AppKey(id);
  thread_.Post([this, key, done = std::move(done)] {
    leveldb::WriteBatch batch;
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    for (it->Seek(key); it->Valid() && it->key().starts_with(key); it->Next()) {
      leveldb::Slice rest(it->key().data() + key.size(), it->key().size() - key.size());
      if (rest.empty() || rest[0] == '/') batch.Delete(it->key());
    }
    leveldb::Status s = db_->Write(leveldb::WriteOptions(), &batch);
    done(s.ok()
             ? absl::OkStatus()
             : absl::UnavailableError(absl::StrCat("removing ", key, " from the RM state store in ",
                                                   path_, ": ", s.ToString())));
  });
}

absl::StatusOr<RMState> LeveldbRMStateStore::Load() {
  return thread_.RunSync([this]() -> absl::StatusOr<RMState> {
    RMState state;
    auto corrupt = [this](absl::string_view key, absl::string_view what) {
      return absl::DataLossError(
          absl::StrCat("RM state store in ", path_, ": record ", key, " is not a valid ", what));
    };
    std::string secrets;
    leveldb::Status s = db_->Get(leveldb::ReadOptions(), kSecretsKey, &secrets);
    if (s.ok() && !state.secrets.ParseFromString(secrets)) {
      return corrupt(kSecretsKey, "RMSecretsProto");
    }
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    for (it->Seek(kAppRoot); it->Valid() && it->key().starts_with(kAppRoot); it->Next()) {
      std::string key = it->key().ToString();
      std::vector<std::string> parts =
          absl::StrSplit(absl::string_view(key).substr(sizeof(kAppRoot) - 1), '/');
      auto app_id = ApplicationId::Parse(parts[0]);
      if (!app_id.ok() || parts.size() > 2) return corrupt(key, "application key");
      RMState::App& app = state.apps[*app_id];
      if (parts.size() == 1) {
        if (!app.app.ParseFromString(it->value().ToString())) {
          return corrupt(key, "ApplicationStateDataProto");
        }
        continue;
      }
      auto attempt_id = ApplicationAttemptId::Parse(parts[1]);
      proto::ApplicationAttemptStateDataProto attempt;
      if (!attempt_id.ok() || attempt_id->application_id() != *app_id) {
        return corrupt(key, "attempt key");
      }
      if (!attempt.ParseFromString(it->value().ToString())) {
        return corrupt(key, "ApplicationAttemptStateDataProto");
      }
      app.attempts[attempt_id->attempt_id()] = std::move(attempt);
    }
    if (!it->status().ok()) {
      return absl::DataLossError(
          absl::StrCat("reading the RM state store in ", path_, ": ", it->status().ToString()));
    }
    // An attempt whose application record is missing (a removal cut short) is dropped.
    for (auto a = state.apps.begin(); a != state.apps.end();) {
      a = a->second.app.has_application_submission_context() ? std::next(a) : state.apps.erase(a);
    }
    return state;
  });
}

absl::StatusOr<int64_t> LeveldbRMStateStore::GetAndIncrementEpoch() {
  return thread_.RunSync([this]() -> absl::StatusOr<int64_t> {
    std::string text;
    int64_t epoch = 0;
    leveldb::Status s = db_->Get(leveldb::ReadOptions(), kEpochKey, &text);
    if (s.ok() && !absl::SimpleAtoi(text, &epoch)) {
      return absl::DataLossError(absl::StrCat("RM state store in ", path_, ": ", kEpochKey, "='",
                                              text, "' is not a number"));
    }
    if (!s.ok() && !s.IsNotFound()) {
      return absl::UnavailableError(
          absl::StrCat("reading ", kEpochKey, " in ", path_, ": ", s.ToString()));
    }
    leveldb::WriteOptions sync;
    sync.sync = true;
    s = db_->Put(sync, kEpochKey, absl::StrCat(epoch + 1));
    if (!s.ok()) {
      return absl::UnavailableError(
          absl::StrCat("writing ", kEpochKey, " in ", path_, ": ", s.ToString()));
    }
    return epoch;
  });
}

absl::Status LeveldbRMStateStore::StoreSecrets(const proto::RMSecretsProto& secrets) {
  return thread_.RunSync([this, &secrets] {
    leveldb::WriteOptions sync;
    sync.sync = true;
    leveldb::Status s = db_->Put(sync, kSecretsKey, secrets.SerializeAsString());
    return s.ok() ? absl::OkStatus()
                  : absl::UnavailableError(
                        absl::StrCat("writing ", kSecretsKey, " in ", path_, ": ", s.ToString()));
  });
}

}  // namespace skein::rm
