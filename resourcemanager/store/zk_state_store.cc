#include "resourcemanager/store/zk_state_store.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace skein::rm {
namespace {

constexpr char kParentKey[] = "yarn.resourcemanager.zk-state-store.parent-path";

}  // namespace

absl::StatusOr<ZKRMStateStore::Options> ZKRMStateStore::OptionsFrom(
    const conf::Configuration& conf) {
  Options o;
  o.connect = conf.Get("hadoop.zk.address", "");
  if (o.connect.empty()) o.connect = conf.Get("yarn.resourcemanager.zk-address", "");
  if (o.connect.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("yarn.resourcemanager.store.class=", kClassName,
                     " needs hadoop.zk.address (host:port[,host:port...]) to be set"));
  }
  auto timeout = conf.GetInt("hadoop.zk.timeout-ms", 10000);
  if (!timeout.ok()) return timeout.status();
  if (*timeout <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("hadoop.zk.timeout-ms=", *timeout, " must be greater than 0"));
  }
  o.session_timeout = absl::Milliseconds(*timeout);
  o.parent_path = conf.Get(kParentKey, o.parent_path);
  if (!absl::StartsWith(o.parent_path, "/") ||
      (o.parent_path.size() > 1 && absl::EndsWith(o.parent_path, "/"))) {
    return absl::InvalidArgumentError(
        absl::StrCat(kParentKey, "='", o.parent_path,
                     "' must be an absolute ZooKeeper path without a trailing /"));
  }
  return o;
}

absl::StatusOr<std::unique_ptr<ZKRMStateStore>> ZKRMStateStore::Open(const Options& options) {
  zk::ZkClient::Options zo;
  zo.connect = options.connect;
  zo.session_timeout = options.session_timeout;
  zo.connect_timeout = options.session_timeout;
  auto client = zk::ZkClient::Connect(zo);
  if (!client.ok()) {
    return absl::Status(client.status().code(),
                        absl::StrCat("ZKRMStateStore at hadoop.zk.address=", options.connect, ": ",
                                     client.status().message()));
  }
  std::string parent = options.parent_path == "/" ? "" : options.parent_path;
  std::string root = parent + "/ZKRMStateRoot";
  if (absl::Status s = (*client)->EnsurePath(root + "/RMAppRoot"); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("ZKRMStateStore at ", options.connect, ": creating ",
                                               root, ": ", s.message()));
  }
  return std::unique_ptr<ZKRMStateStore>(new ZKRMStateStore(std::move(*client), root));
}

ZKRMStateStore::ZKRMStateStore(std::unique_ptr<zk::ZkClient> client, std::string root)
    : zk_(std::move(client)),
      root_(std::move(root)),
      app_root_(root_ + "/RMAppRoot"),
      fence_(root_ + "/RM_ZK_FENCING_LOCK"),
      thread_("rm-zk-store") {
  thread_.Start();
}

ZKRMStateStore::~ZKRMStateStore() {
  thread_.RunSync([] {});  // queued writes first
  thread_.Stop();
}

absl::Status ZKRMStateStore::FencedMulti(std::vector<zk::ZkOp> ops, const std::string& what) {
  auto fenced = [&] {
    return absl::FailedPreconditionError(absl::StrCat(
        what, " in ZooKeeper ", root_,
        ": fenced: this ResourceManager no longer holds the state store (another one became "
        "active)"));
  };
  if (fence_version_ < 0) return fenced();
  ops.insert(ops.begin(), zk::ZkOp::Check(fence_, fence_version_));
  absl::Status s = zk_->Multi(ops);
  if (s.ok()) return s;
  // Only the fencing check carries a version, so a lost compare-and-set is the fence.
  if (s.code() == absl::StatusCode::kAborted) return fenced();
  return absl::Status(s.code(), absl::StrCat(what, ": ", s.message()));
}

absl::Status ZKRMStateStore::FencedPut(const std::string& path, const std::string& data) {
  absl::Status s = FencedMulti({zk::ZkOp::Set(path, data)}, "writing " + path);
  if (s.code() != absl::StatusCode::kNotFound) return s;
  return FencedMulti({zk::ZkOp::Create(path, data)}, "creating " + path);
}

void ZKRMStateStore::StoreApplication(const ApplicationId& id,
                                      const proto::ApplicationStateDataProto& data, Done done) {
  thread_.Post([this, path = absl::StrCat(app_root_, "/", id.ToString()),
                bytes = data.SerializeAsString(),
                done = std::move(done)] { done(FencedPut(path, bytes)); });
}

void ZKRMStateStore::StoreAttempt(const ApplicationAttemptId& id,
                                  const proto::ApplicationAttemptStateDataProto& data, Done done) {
  thread_.Post(
      [this,
       path = absl::StrCat(app_root_, "/", id.application_id().ToString(), "/", id.ToString()),
       bytes = data.SerializeAsString(), done = std::move(done)] { done(FencedPut(path, bytes)); });
}

void ZKRMStateStore::RemoveApplication(const ApplicationId& id, Done done) {
  thread_.Post([this, path = absl::StrCat(app_root_, "/", id.ToString()), done = std::move(done)] {
    auto children = zk_->Children(path);
    if (children.status().code() == absl::StatusCode::kNotFound) {
      done(absl::OkStatus());
      return;
    }
    if (!children.ok()) {
      done(children.status());
      return;
    }
    std::vector<zk::ZkOp> ops;
    for (const std::string& c : *children) ops.push_back(zk::ZkOp::Delete(path + "/" + c));
    ops.push_back(zk::ZkOp::Delete(path));
    done(FencedMulti(std::move(ops), "removing " + path));
  });
}

absl::StatusOr<RMState> ZKRMStateStore::Load() {
  return thread_.RunSync([this]() -> absl::StatusOr<RMState> {
    RMState state;
    auto corrupt = [this](const std::string& path, absl::string_view what) {
      return absl::DataLossError(
          absl::StrCat("ZooKeeper state store ", root_, ": ", path, " is not a valid ", what));
    };
    const std::string secrets_path = root_ + "/AMRMTokenSecretManagerRoot";
    auto secrets = zk_->Get(secrets_path);
    if (secrets.ok() && !state.secrets.ParseFromString(secrets->data)) {
      return corrupt(secrets_path, "RMSecretsProto");
    }
    if (!secrets.ok() && secrets.status().code() != absl::StatusCode::kNotFound) {
      return secrets.status();
    }
    auto apps = zk_->Children(app_root_);
    if (!apps.ok()) return apps.status();
    for (const std::string& name : *apps) {
      const std::string path = app_root_ + "/" + name;
      auto id = ApplicationId::Parse(name);
      if (!id.ok()) return corrupt(path, "application node name");
      auto data = zk_->Get(path);
      if (data.status().code() == absl::StatusCode::kNotFound) continue;  // removed meanwhile
      if (!data.ok()) return data.status();
      RMState::App& app = state.apps[*id];
      if (!app.app.ParseFromString(data->data)) return corrupt(path, "ApplicationStateDataProto");
      auto attempts = zk_->Children(path);
      if (!attempts.ok()) return attempts.status();
      for (const std::string& a : *attempts) {
        auto attempt_id = ApplicationAttemptId::Parse(a);
        auto bytes = zk_->Get(path + "/" + a);
        if (!attempt_id.ok() || attempt_id->application_id() != *id) {
          return corrupt(path + "/" + a, "attempt node name");
        }
        if (!bytes.ok()) return bytes.status();
        if (!app.attempts[attempt_id->attempt_id()].ParseFromString(bytes->data)) {
          return corrupt(path + "/" + a, "ApplicationAttemptStateDataProto");
        }
      }
    }
    return state;
  });
}

absl::StatusOr<int64_t> ZKRMStateStore::GetAndIncrementEpoch() {
  return thread_.RunSync([this]() -> absl::StatusOr<int64_t> {
    // Claim: bump the fencing node's version; earlier claimants' checks now fail.
    auto claimed = zk_->Set(fence_, "");
    if (claimed.status().code() == absl::StatusCode::kNotFound) {
      auto created = zk_->Create(fence_, "");
      if (!created.ok() && created.status().code() != absl::StatusCode::kAlreadyExists) {
        return created.status();
      }
      claimed = zk_->Set(fence_, "");
    }
    if (!claimed.ok()) return claimed.status();
    fence_version_ = *claimed;
    const std::string path = root_ + "/EpochNode";
    int64_t epoch = 0;
    auto current = zk_->Get(path);
    if (current.ok() && !absl::SimpleAtoi(current->data, &epoch)) {
      return absl::DataLossError(
          absl::StrCat("ZooKeeper state store: ", path, "='", current->data, "' is not a number"));
    }
    if (!current.ok() && current.status().code() != absl::StatusCode::kNotFound) {
      return current.status();
    }
    if (absl::Status s = FencedPut(path, absl::StrCat(epoch + 1)); !s.ok()) return s;
    return epoch;
  });
}

absl::Status ZKRMStateStore::StoreSecrets(const proto::RMSecretsProto& secrets) {
  return thread_.RunSync([this, &secrets] {
    return FencedPut(root_ + "/AMRMTokenSecretManagerRoot", secrets.SerializeAsString());
  });
}

}  // namespace skein::rm
