// A small synchronous wrapper over ZooKeeper's multi-threaded C client (libzookeeper-mt).
//
// One ZkClient is one ZooKeeper session. Connect() opens it and waits (bounded) until the session
// is established. The session survives short disconnections (the C client reconnects to another
// server of the ensemble by itself); when the server declares it EXPIRED, every later call fails
// with UNAVAILABLE and the owner must Connect() a new client (ephemeral nodes and watches of the
// old session are gone). ZooKeeper's "read/write with a version" model is exposed as is:
// version -1 means "any version".
//
// Errors: absl::Status naming the operation, the path and ZooKeeper's error text, e.g.
// "ZooKeeper create /a/b: node exists (ZNODEEXISTS)". Mapping: ZNONODE → NOT_FOUND,
// ZNODEEXISTS → ALREADY_EXISTS, ZBADVERSION → ABORTED (a compare-and-set lost: re-read, retry),
// ZNOTEMPTY → FAILED_PRECONDITION, ZNOAUTH/ZAUTHFAILED → PERMISSION_DENIED, ZBADARGUMENTS →
// INVALID_ARGUMENT, connection loss / timeouts / an expired or closed session → UNAVAILABLE.
//
// Thread rules: every method may be called from any thread concurrently (the C client serializes
// requests) EXCEPT from inside a callback of this client: session and watch callbacks run on the
// C client's completion thread, which is the thread that completes synchronous calls, so a
// synchronous call from a callback deadlocks. Callbacks must be short and hand work to another
// thread (e.g. EventLoop::Post). The destructor closes the session (ephemeral nodes vanish at
// once) and returns after the last callback has finished; no callback runs after it.
#ifndef SKEIN_COMMON_ZK_ZK_CLIENT_H_
#define SKEIN_COMMON_ZK_ZK_CLIENT_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

typedef struct _zhandle zhandle_t;

namespace skein::zk {

enum class SessionEvent {
  kConnected,     // (re)connected; the session and its ephemeral nodes are intact
  kDisconnected,  // connection lost; the C client is reconnecting; the session may still live
  kExpired,       // the server expired the session: ephemerals and watches are gone for good
  kAuthFailed,
};
const char* SessionEventName(SessionEvent e);

enum class CreateMode { kPersistent, kEphemeral, kPersistentSequential, kEphemeralSequential };

// What a one-shot watch reports. kSessionExpired: the session died before the watch fired (it
// never will).
enum class WatchEvent { kCreated, kDeleted, kDataChanged, kChildrenChanged, kSessionExpired };

struct NodeData {
  std::string data;
  int32_t version = 0;          // the data version, for Set/Delete/Check
  int64_t ephemeral_owner = 0;  // session id of the owner of an ephemeral node, else 0
};

// One operation of an atomic Multi().
struct ZkOp {
  enum class Type { kCreate, kDelete, kSet, kCheck };
  Type type = Type::kCheck;
  std::string path;
  std::string data;                           // kCreate, kSet
  int32_t version = -1;                       // kDelete, kSet, kCheck
  CreateMode mode = CreateMode::kPersistent;  // kCreate

  static ZkOp Create(std::string path, std::string data, CreateMode mode = CreateMode::kPersistent);
  static ZkOp Delete(std::string path, int32_t version = -1);
  static ZkOp Set(std::string path, std::string data, int32_t version = -1);
  static ZkOp Check(std::string path, int32_t version);
};

class ZkClient {
 public:
  struct Options {
    // "host:port[,host:port...][/chroot]" (hadoop.zk.address).
    std::string connect;
    // Requested session timeout (hadoop.zk.timeout-ms); the server clamps it to [2, 20] ticks.
    absl::Duration session_timeout = absl::Seconds(10);
    // How long Connect() waits for the session to be established.
    absl::Duration connect_timeout = absl::Seconds(10);
    // Optional; called on the C client's thread (see the thread rules above) for every session
    // state change after Connect() returned (the first kConnected is not reported).
    std::function<void(SessionEvent)> on_session_event;
    // Tests only: attach to an existing session (id + password of ZkClient::session_id() /
    // session_password()) instead of creating one.
    int64_t attach_session_id = 0;
    std::string attach_session_password;
  };

  // Errors: INVALID_ARGUMENT for an empty or malformed connect string, DEADLINE_EXCEEDED when no
  // server answered within connect_timeout (the message names the connect string), UNAVAILABLE
  // when the session was refused or expired while connecting.
  static absl::StatusOr<std::unique_ptr<ZkClient>> Connect(const Options& options);

  ~ZkClient();
  ZkClient(const ZkClient&) = delete;
  ZkClient& operator=(const ZkClient&) = delete;

  // Creates `path` with `data` and world-open ACLs; returns the created path (with the suffix for
  // sequential modes).
  absl::StatusOr<std::string> Create(const std::string& path, const std::string& data,
                                     CreateMode mode = CreateMode::kPersistent);
  // Creates every missing ancestor of `path` as an empty persistent node (existing ones are fine),
  // then `path` itself as Create() does; ALREADY_EXISTS if `path` exists.
  absl::StatusOr<std::string> CreateWithParents(const std::string& path, const std::string& data,
                                                CreateMode mode = CreateMode::kPersistent);
  // Creates `path` and its ancestors as empty persistent nodes unless they exist.
  absl::Status EnsurePath(const std::string& path);

  absl::StatusOr<NodeData> Get(const std::string& path);
  // Replaces the data if the node's version is `expected_version` (-1: any); returns the new
  // version.
  absl::StatusOr<int32_t> Set(const std::string& path, const std::string& data,
                              int32_t expected_version = -1);
  absl::Status Delete(const std::string& path, int32_t expected_version = -1);
  // Deletes `path` and everything below it (children first); NOT_FOUND is fine.
  absl::Status DeleteRecursive(const std::string& path);
  absl::StatusOr<bool> Exists(const std::string& path);
  // Like Exists, and leaves a one-shot watch: `on_event` fires once when the node is created,
  // deleted or changed (or kSessionExpired), on the C client's thread.
  absl::StatusOr<bool> ExistsWatch(const std::string& path,
                                   std::function<void(WatchEvent)> on_event);
  // Child names (not paths), sorted.
  absl::StatusOr<std::vector<std::string>> Children(const std::string& path);
  // All or nothing. On failure the message names the first failing operation and its path.
  absl::Status Multi(const std::vector<ZkOp>& ops);

  bool connected() const;
  int64_t session_id() const;
  std::string session_password() const;
  // The session timeout the server granted.
  absl::Duration negotiated_session_timeout() const;
  const std::string& connect_string() const { return connect_; }

 private:
  struct Watch {
    ZkClient* client;
    std::function<void(WatchEvent)> fn;
  };
  ZkClient() = default;
  static void GlobalWatcher(zhandle_t* zh, int type, int state, const char* path, void* ctx);
  static void WatchThunk(zhandle_t* zh, int type, int state, const char* path, void* ctx);
  void OnSessionState(int state);

  std::string connect_;
  zhandle_t* zh_ = nullptr;
  std::function<void(SessionEvent)> on_session_event_;

  std::mutex mu_;
  std::condition_variable cv_;
  int state_ = 0;                  // last session state seen (C client's ZOO_*_STATE)
  bool connect_returned_ = false;  // report session events only after Connect() returned
  std::map<Watch*, std::unique_ptr<Watch>> watches_;  // pending one-shot watches
};

// The message text of a ZooKeeper C error code, e.g. "node exists (ZNODEEXISTS)".
std::string ZkErrorText(int rc);
// The Status for rc (OK for ZOK) with "ZooKeeper <op> <path>: <text>".
absl::Status ZkStatus(int rc, const std::string& op, const std::string& path);

}  // namespace skein::zk

#endif  // SKEIN_COMMON_ZK_ZK_CLIENT_H_
