#include "common/zk/zk_client.h"

#include <errno.h>
#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace skein::zk {
namespace {

const char* ErrorName(int rc) {
  switch (rc) {
    case ZOK:
      return "ZOK";
    case ZSYSTEMERROR:
      return "ZSYSTEMERROR";
    case ZRUNTIMEINCONSISTENCY:
      return "ZRUNTIMEINCONSISTENCY";
    case ZDATAINCONSISTENCY:
      return "ZDATAINCONSISTENCY";
    case ZCONNECTIONLOSS:
      return "ZCONNECTIONLOSS";
    case ZMARSHALLINGERROR:
      return "ZMARSHALLINGERROR";
    case ZUNIMPLEMENTED:
      return "ZUNIMPLEMENTED";
    case ZOPERATIONTIMEOUT:
      return "ZOPERATIONTIMEOUT";
    case ZBADARGUMENTS:
      return "ZBADARGUMENTS";
    case ZINVALIDSTATE:
      return "ZINVALIDSTATE";
    case ZNONODE:
      return "ZNONODE";
    case ZNOAUTH:
      return "ZNOAUTH";
    case ZBADVERSION:
      return "ZBADVERSION";
    case ZNOCHILDRENFOREPHEMERALS:
      return "ZNOCHILDRENFOREPHEMERALS";
    case ZNODEEXISTS:
      return "ZNODEEXISTS";
    case ZNOTEMPTY:
      return "ZNOTEMPTY";
    case ZSESSIONEXPIRED:
      return "ZSESSIONEXPIRED";
    case ZINVALIDACL:
      return "ZINVALIDACL";
    case ZAUTHFAILED:
      return "ZAUTHFAILED";
    case ZCLOSING:
      return "ZCLOSING";
    case ZSESSIONMOVED:
      return "ZSESSIONMOVED";
    case ZNOTREADONLY:
      return "ZNOTREADONLY";
    case ZTHROTTLEDOP:
      return "ZTHROTTLEDOP";
    default:
      return "ZUNKNOWN";
  }
}

absl::StatusCode CodeFor(int rc) {
  switch (rc) {
    case ZOK:
      return absl::StatusCode::kOk;
    case ZNONODE:
      return absl::StatusCode::kNotFound;
    case ZNODEEXISTS:
      return absl::StatusCode::kAlreadyExists;
    case ZBADVERSION:
      return absl::StatusCode::kAborted;
    case ZNOTEMPTY:
    case ZNOCHILDRENFOREPHEMERALS:
      return absl::StatusCode::kFailedPrecondition;
    case ZNOAUTH:
    case ZAUTHFAILED:
      return absl::StatusCode::kPermissionDenied;
    case ZBADARGUMENTS:
    case ZINVALIDACL:
      return absl::StatusCode::kInvalidArgument;
    case ZCONNECTIONLOSS:
    case ZOPERATIONTIMEOUT:
    case ZSESSIONEXPIRED:
    case ZINVALIDSTATE:
    case ZCLOSING:
    case ZSESSIONMOVED:
    case ZTHROTTLEDOP:
      return absl::StatusCode::kUnavailable;
    case ZUNIMPLEMENTED:
      return absl::StatusCode::kUnimplemented;
    default:
      return absl::StatusCode::kInternal;
  }
}

int CreateFlags(CreateMode mode) {
  switch (mode) {
    case CreateMode::kPersistent:
      return ZOO_PERSISTENT;
    case CreateMode::kEphemeral:
      return ZOO_EPHEMERAL;
    case CreateMode::kPersistentSequential:
      return ZOO_PERSISTENT_SEQUENTIAL;
    case CreateMode::kEphemeralSequential:
      return ZOO_EPHEMERAL_SEQUENTIAL;
  }
  return ZOO_PERSISTENT;
}

const char* OpName(ZkOp::Type t) {
  switch (t) {
    case ZkOp::Type::kCreate:
      return "create";
    case ZkOp::Type::kDelete:
      return "delete";
    case ZkOp::Type::kSet:
      return "set";
    case ZkOp::Type::kCheck:
      return "check";
  }
  return "?";
}

void QuietCLibraryLogOnce() {
  static std::once_flag once;
  std::call_once(once, [] { zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR); });
}

constexpr size_t kMaxPath = 1024;

}  // namespace

const char* SessionEventName(SessionEvent e) {
  switch (e) {
    case SessionEvent::kConnected:
      return "connected";
    case SessionEvent::kDisconnected:
      return "disconnected";
    case SessionEvent::kExpired:
      return "expired";
    case SessionEvent::kAuthFailed:
      return "auth failed";
  }
  return "?";
}

ZkOp ZkOp::Create(std::string path, std::string data, CreateMode mode) {
  ZkOp op;
  op.type = Type::kCreate;
  op.path = std::move(path);
  op.data = std::move(data);
  op.mode = mode;
  return op;
}
ZkOp ZkOp::Delete(std::string path, int32_t version) {
  ZkOp op;
  op.type = Type::kDelete;
  op.path = std::move(path);
  op.version = version;
  return op;
}
ZkOp ZkOp::Set(std::string path, std::string data, int32_t version) {
  ZkOp op;
  op.type = Type::kSet;
  op.path = std::move(path);
  op.data = std::move(data);
  op.version = version;
  return op;
}
ZkOp ZkOp::Check(std::string path, int32_t version) {
  ZkOp op;
  op.type = Type::kCheck;
  op.path = std::move(path);
  op.version = version;
  return op;
}

std::string ZkErrorText(int rc) { return absl::StrCat(zerror(rc), " (", ErrorName(rc), ")"); }

absl::Status ZkStatus(int rc, const std::string& op, const std::string& path) {
  if (rc == ZOK) return absl::OkStatus();
  return absl::Status(CodeFor(rc),
                      absl::StrCat("ZooKeeper ", op, " ", path, ": ", ZkErrorText(rc)));
}

absl::StatusOr<std::unique_ptr<ZkClient>> ZkClient::Connect(const Options& options) {
  if (options.connect.empty()) {
    return absl::InvalidArgumentError(
        "ZooKeeper connect string is empty (set hadoop.zk.address to host:port[,host:port])");
  }
  QuietCLibraryLogOnce();
  std::unique_ptr<ZkClient> c(new ZkClient());
  c->connect_ = options.connect;
  c->on_session_event_ = options.on_session_event;
  clientid_t id;
  std::memset(&id, 0, sizeof(id));
  const clientid_t* attach = nullptr;
  if (options.attach_session_id != 0) {
    id.client_id = options.attach_session_id;
    std::memcpy(id.passwd, options.attach_session_password.data(),
                std::min(sizeof(id.passwd), options.attach_session_password.size()));
    attach = &id;
  }
  const int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(options.session_timeout));
  errno = 0;
  c->zh_ = zookeeper_init(options.connect.c_str(), &ZkClient::GlobalWatcher, timeout_ms, attach,
                          c.get(), 0);
  if (c->zh_ == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("ZooKeeper connect string '", options.connect,
                                                   "' is not usable: ", std::strerror(errno)));
  }
  std::unique_lock<std::mutex> lock(c->mu_);
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::milliseconds(absl::ToInt64Milliseconds(options.connect_timeout));
  const bool done = c->cv_.wait_until(lock, deadline, [&c] {
    return c->state_ == ZOO_CONNECTED_STATE || c->state_ == ZOO_EXPIRED_SESSION_STATE ||
           c->state_ == ZOO_AUTH_FAILED_STATE;
  });
  const int state = c->state_;
  if (state == ZOO_CONNECTED_STATE) {
    c->connect_returned_ = true;
    lock.unlock();
    return c;
  }
  lock.unlock();
  if (!done) {
    return absl::DeadlineExceededError(absl::StrCat("ZooKeeper at '", options.connect,
                                                    "' did not establish a session within ",
                                                    absl::FormatDuration(options.connect_timeout)));
  }
  return absl::UnavailableError(absl::StrCat(
      "ZooKeeper at '", options.connect, "' refused the session: ",
      state == ZOO_EXPIRED_SESSION_STATE ? "session expired" : "authentication failed"));
}

ZkClient::~ZkClient() {
  if (zh_ != nullptr) zookeeper_close(zh_);  // joins the C client's threads
  zh_ = nullptr;
}

void ZkClient::GlobalWatcher(zhandle_t*, int type, int state, const char*, void* ctx) {
  if (type != ZOO_SESSION_EVENT || ctx == nullptr) return;
  static_cast<ZkClient*>(ctx)->OnSessionState(state);
}

void ZkClient::OnSessionState(int state) {
  std::function<void(SessionEvent)> report;
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = state;
    cv_.notify_all();
    if (connect_returned_) report = on_session_event_;
  }
  if (!report) return;
  if (state == ZOO_CONNECTED_STATE) {
    report(SessionEvent::kConnected);
  } else if (state == ZOO_CONNECTING_STATE || state == ZOO_ASSOCIATING_STATE) {
    report(SessionEvent::kDisconnected);
  } else if (state == ZOO_EXPIRED_SESSION_STATE) {
    report(SessionEvent::kExpired);
  } else if (state == ZOO_AUTH_FAILED_STATE) {
    report(SessionEvent::kAuthFailed);
  }
}

void ZkClient::WatchThunk(zhandle_t*, int type, int state, const char*, void* ctx) {
  auto* w = static_cast<Watch*>(ctx);
  ZkClient* self = w->client;
  WatchEvent event;
  if (type == ZOO_SESSION_EVENT) {
    // Every pending watch also sees session events; only expiry ends it.
    if (state != ZOO_EXPIRED_SESSION_STATE) return;
    event = WatchEvent::kSessionExpired;
  } else if (type == ZOO_CREATED_EVENT) {
    event = WatchEvent::kCreated;
  } else if (type == ZOO_DELETED_EVENT) {
    event = WatchEvent::kDeleted;
  } else if (type == ZOO_CHANGED_EVENT) {
    event = WatchEvent::kDataChanged;
  } else if (type == ZOO_CHILD_EVENT) {
    event = WatchEvent::kChildrenChanged;
  } else {
    return;
  }
  std::unique_ptr<Watch> owned;
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    auto it = self->watches_.find(w);
    if (it == self->watches_.end()) return;  // already fired
    owned = std::move(it->second);
    self->watches_.erase(it);
  }
  if (owned->fn) owned->fn(event);
}

absl::StatusOr<std::string> ZkClient::Create(const std::string& path, const std::string& data,
                                             CreateMode mode) {
  char created[kMaxPath];
  const int rc = zoo_create(zh_, path.c_str(), data.data(), static_cast<int>(data.size()),
                            &ZOO_OPEN_ACL_UNSAFE, CreateFlags(mode), created, sizeof(created));
  if (rc != ZOK) return ZkStatus(rc, "create", path);
  return std::string(created);
}

absl::Status ZkClient::EnsurePath(const std::string& path) {
  if (path.empty() || path[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("ZooKeeper path '", path, "' must be absolute (start with '/')"));
  }
  for (size_t pos = path.find('/', 1);; pos = path.find('/', pos + 1)) {
    const std::string prefix = pos == std::string::npos ? path : path.substr(0, pos);
    if (prefix.size() > 1) {
      auto made = Create(prefix, "", CreateMode::kPersistent);
      if (!made.ok() && !absl::IsAlreadyExists(made.status())) return made.status();
    }
    if (pos == std::string::npos) break;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ZkClient::CreateWithParents(const std::string& path,
                                                        const std::string& data, CreateMode mode) {
  const size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    if (auto s = EnsurePath(path.substr(0, slash)); !s.ok()) return s;
  }
  return Create(path, data, mode);
}

absl::StatusOr<NodeData> ZkClient::Get(const std::string& path) {
  std::string buf(64 * 1024, '\0');
  for (int attempt = 0; attempt < 3; ++attempt) {
    struct Stat stat;
    int len = static_cast<int>(buf.size());
    const int rc = zoo_get(zh_, path.c_str(), 0, buf.data(), &len, &stat);
    if (rc != ZOK) return ZkStatus(rc, "get", path);
    if (stat.dataLength <= static_cast<int>(buf.size())) {
      NodeData out;
      out.data.assign(buf.data(), len < 0 ? 0 : len);
      out.version = stat.version;
      out.ephemeral_owner = stat.ephemeralOwner;
      return out;
    }
    buf.resize(stat.dataLength);  // grew between the calls or larger than the first buffer
  }
  return absl::AbortedError(absl::StrCat("ZooKeeper get ", path, ": data kept changing size"));
}

absl::StatusOr<int32_t> ZkClient::Set(const std::string& path, const std::string& data,
                                      int32_t expected_version) {
  struct Stat stat;
  const int rc = zoo_set2(zh_, path.c_str(), data.data(), static_cast<int>(data.size()),
                          expected_version, &stat);
  if (rc != ZOK) return ZkStatus(rc, "set", path);
  return stat.version;
}

absl::Status ZkClient::Delete(const std::string& path, int32_t expected_version) {
  return ZkStatus(zoo_delete(zh_, path.c_str(), expected_version), "delete", path);
}

absl::Status ZkClient::DeleteRecursive(const std::string& path) {
  auto children = Children(path);
  if (!children.ok()) {
    return absl::IsNotFound(children.status()) ? absl::OkStatus() : children.status();
  }
  for (const std::string& child : *children) {
    if (auto s = DeleteRecursive(path == "/" ? "/" + child : path + "/" + child); !s.ok()) {
      return s;
    }
  }
  absl::Status s = Delete(path);
  return absl::IsNotFound(s) ? absl::OkStatus() : s;
}

absl::StatusOr<bool> ZkClient::Exists(const std::string& path) {
  struct Stat stat;
  const int rc = zoo_exists(zh_, path.c_str(), 0, &stat);
  if (rc == ZNONODE) return false;
  if (rc != ZOK) return ZkStatus(rc, "exists", path);
  return true;
}

absl::StatusOr<bool> ZkClient::ExistsWatch(const std::string& path,
                                           std::function<void(WatchEvent)> on_event) {
  auto owned = std::make_unique<Watch>();
  owned->client = this;
  owned->fn = std::move(on_event);
  Watch* w = owned.get();
  {
    std::lock_guard<std::mutex> lock(mu_);
    watches_[w] = std::move(owned);
  }
  struct Stat stat;
  const int rc = zoo_wexists(zh_, path.c_str(), &ZkClient::WatchThunk, w, &stat);
  if (rc == ZOK || rc == ZNONODE) return rc == ZOK;
  std::lock_guard<std::mutex> lock(mu_);
  watches_.erase(w);  // not registered
  return ZkStatus(rc, "exists", path);
}

absl::StatusOr<std::vector<std::string>> ZkClient::Children(const std::string& path) {
  struct String_vector names;
  std::memset(&names, 0, sizeof(names));
  const int rc = zoo_get_children(zh_, path.c_str(), 0, &names);
  if (rc != ZOK) return ZkStatus(rc, "children", path);
  std::vector<std::string> out;
  out.reserve(names.count);
  for (int i = 0; i < names.count; ++i) out.emplace_back(names.data[i]);
  deallocate_String_vector(&names);
  std::sort(out.begin(), out.end());
  return out;
}

absl::Status ZkClient::Multi(const std::vector<ZkOp>& ops) {
  if (ops.empty()) return absl::OkStatus();
  std::vector<zoo_op_t> zops(ops.size());
  std::vector<zoo_op_result_t> results(ops.size());
  std::vector<std::string> created(ops.size(), std::string(kMaxPath, '\0'));
  std::vector<struct Stat> stats(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    const ZkOp& op = ops[i];
    switch (op.type) {
      case ZkOp::Type::kCreate:
        zoo_create_op_init(&zops[i], op.path.c_str(), op.data.data(),
                           static_cast<int>(op.data.size()), &ZOO_OPEN_ACL_UNSAFE,
                           CreateFlags(op.mode), created[i].data(),
                           static_cast<int>(created[i].size()));
        break;
      case ZkOp::Type::kDelete:
        zoo_delete_op_init(&zops[i], op.path.c_str(), op.version);
        break;
      case ZkOp::Type::kSet:
        zoo_set_op_init(&zops[i], op.path.c_str(), op.data.data(), static_cast<int>(op.data.size()),
                        op.version, &stats[i]);
        break;
      case ZkOp::Type::kCheck:
        zoo_check_op_init(&zops[i], op.path.c_str(), op.version);
        break;
    }
  }
  const int rc = zoo_multi(zh_, static_cast<int>(ops.size()), zops.data(), results.data());
  if (rc == ZOK) return absl::OkStatus();
  for (size_t i = 0; i < ops.size(); ++i) {
    // The failing op carries the error; the ones rolled back with it carry ZRUNTIMEINCONSISTENCY.
    if (results[i].err != ZOK && results[i].err != ZRUNTIMEINCONSISTENCY) {
      return ZkStatus(results[i].err,
                      absl::StrCat("multi op ", i + 1, " (", OpName(ops[i].type), ")"),
                      ops[i].path);
    }
  }
  return ZkStatus(rc, "multi", absl::StrCat(ops.front().path, " (", ops.size(), " ops)"));
}

bool ZkClient::connected() const { return zoo_state(zh_) == ZOO_CONNECTED_STATE; }

int64_t ZkClient::session_id() const { return zoo_client_id(zh_)->client_id; }

std::string ZkClient::session_password() const {
  const clientid_t* id = zoo_client_id(zh_);
  return std::string(id->passwd, sizeof(id->passwd));
}

absl::Duration ZkClient::negotiated_session_timeout() const {
  return absl::Milliseconds(zoo_recv_timeout(zh_));
}

}  // namespace skein::zk
