// The Hadoop IPC server: the connection layer (preamble, SASL answered SIMPLE, connection
// context, pings, limits, idle close) and a method table that dispatches each call by
// (protocol, method) to a typed handler — the SAME handlers Skein's gRPC services call, with the
// same request and response types (protos/*.proto are Hadoop's messages on the wire).
//
//   MethodTable methods;
//   methods.Add<proto::GetApplicationReportRequest, proto::GetApplicationReportResponse>(
//       kClientProtocol, "getApplicationReport",
//       [&](const CallContext& c, const auto& req) { return handlers.GetApplicationReport(c, req);
//       });
//   HadoopRpcServer server(methods, options);
//   auto listener = SharedPortListener::Start("0.0.0.0:8032", "yarn.resourcemanager.address",
//                                             "127.0.0.1:<grpc port>", &server);
//
// Errors: a handler's absl::Status becomes Hadoop's ERROR response with a Java exception class
// (JavaException below), so Hadoop's clients raise the exception they know
// (ApplicationNotFoundException, StandbyException, ...). A malformed or oversized packet, an
// unknown out-of-band call or garbage protobuf gets a FATAL response and the connection is closed;
// other connections never notice.
//
// Thread rules: MethodTable is filled before the server starts and read-only afterwards. Each
// connection is served on its own thread (bounded by max_connections); handlers run on those
// threads and must be thread-safe (the RM's hand their work to the RM loop).
#ifndef SKEIN_COMMON_HADOOP_RPC_SERVER_H_
#define SKEIN_COMMON_HADOOP_RPC_SERVER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/hadoop_rpc/codec.h"

namespace skein::hrpc {

// Protocol names Hadoop's clients put in RequestHeaderProto.declaringClassProtocolName.
inline constexpr char kClientProtocol[] = "org.apache.hadoop.yarn.api.ApplicationClientProtocolPB";
inline constexpr char kAdminProtocol[] =
    "org.apache.hadoop.yarn.server.api.ResourceManagerAdministrationProtocolPB";
inline constexpr char kHaProtocol[] = "org.apache.hadoop.ha.HAServiceProtocol";

// Java exception classes Hadoop's clients map to their own exceptions (RPCUtil).
inline constexpr char kYarnException[] = "org.apache.hadoop.yarn.exceptions.YarnException";
inline constexpr char kApplicationNotFound[] =
    "org.apache.hadoop.yarn.exceptions.ApplicationNotFoundException";
inline constexpr char kAttemptNotFound[] =
    "org.apache.hadoop.yarn.exceptions.ApplicationAttemptNotFoundException";
inline constexpr char kFeatureNotEnabled[] =
    "org.apache.hadoop.yarn.exceptions.YARNFeatureNotEnabledException";
inline constexpr char kStandbyException[] = "org.apache.hadoop.ipc.StandbyException";
inline constexpr char kAccessControlException[] =
    "org.apache.hadoop.security.AccessControlException";
inline constexpr char kServiceFailedException[] = "org.apache.hadoop.ha.ServiceFailedException";
inline constexpr char kIoException[] = "java.io.IOException";

// Attaches the Java exception class a Hadoop client should see for `status`.
absl::Status WithJavaException(absl::Status status, absl::string_view java_class);
// The class attached by WithJavaException, else one chosen by the status code
// (PERMISSION_DENIED: AccessControlException; otherwise YarnException).
std::string JavaException(const absl::Status& status);

// Marks a request that could not be parsed: the server answers FATAL and closes the connection,
// as Hadoop's does for a request it cannot deserialize.
absl::Status MarkDeserializeError(absl::Status status);

// Who is calling, as the connection established it.
struct CallContext {
  std::string user;      // the connection context's effective user (SIMPLE authentication)
  std::string protocol;  // the protocol named in the connection context
  std::string peer;      // "ip:port"
};

class MethodTable {
 public:
  // Serialized request in, serialized response out.
  using RawHandler = std::function<absl::Status(const CallContext&, absl::string_view request,
                                                std::string* response)>;

  template <typename Req, typename Resp>
  void Add(absl::string_view protocol, absl::string_view method,
           std::function<absl::StatusOr<Resp>(const CallContext&, const Req&)> handler) {
    AddRaw(protocol, method,
           [handler = std::move(handler), method = std::string(method)](
               const CallContext& call, absl::string_view bytes, std::string* out) {
             Req req;
             if (!req.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
               return MarkDeserializeError(
                   absl::InvalidArgumentError("malformed request message of " + method));
             }
             absl::StatusOr<Resp> resp = handler(call, req);
             if (!resp.ok()) return resp.status();
             if (!resp->SerializeToString(out)) {
               return absl::InternalError("cannot serialize the response of " + method);
             }
             return absl::OkStatus();
           });
  }

  void AddRaw(absl::string_view protocol, absl::string_view method, RawHandler handler);

  // Every call of a protocol or method this table does not serve gets `status` (with its Java
  // class) instead of "unknown protocol": how a standby RM answers StandbyException.
  void SetFallback(absl::Status status) { fallback_ = std::move(status); }

  const RawHandler* Find(absl::string_view protocol, absl::string_view method) const;
  bool HasProtocol(absl::string_view protocol) const;
  const absl::Status& fallback() const { return fallback_; }

 private:
  std::map<std::pair<std::string, std::string>, RawHandler, std::less<>> handlers_;
  std::set<std::string, std::less<>> protocols_;
  absl::Status fallback_;
};

struct ServerOptions {
  size_t max_data_length = kDefaultMaxDataLength;  // ipc.maximum.data.length
  // Hadoop's server closes a connection idle for 2 x ipc.client.connection.maxidletime (10 s).
  absl::Duration max_idle = absl::Seconds(20);
  int max_connections = 1024;       // ipc.server.max.connections (0 there means this bound)
  std::string name = "hadoop-ipc";  // for log lines
};

class HadoopRpcServer {
 public:
  HadoopRpcServer(const MethodTable& methods, ServerOptions options)
      : methods_(methods), options_(std::move(options)) {}
  ~HadoopRpcServer() { Shutdown(); }
  HadoopRpcServer(const HadoopRpcServer&) = delete;
  HadoopRpcServer& operator=(const HadoopRpcServer&) = delete;

  // Takes ownership of an accepted socket whose first bytes are still unread and serves it on a
  // thread of its own. Over max_connections, or after Shutdown, the socket is closed at once.
  void Serve(int fd, std::string peer);

  // Closes every connection and waits for their threads. Idempotent.
  void Shutdown();

  int active_connections() const { return active_.load(); }
  int64_t calls() const { return calls_.load(); }

 private:
  void ServeConnection(int fd, const std::string& peer);

  const MethodTable& methods_;
  const ServerOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<int> fds_;  // guarded by mu_
  bool shutdown_ = false;
  std::atomic<int> active_{0};
  std::atomic<int64_t> calls_{0};
};

// One TCP port for gRPC and Hadoop IPC: accepts connections, reads their first bytes, and hands
// "hrpc" connections to the Hadoop server and relays every other one (gRPC's HTTP/2) to the gRPC
// server, which listens on a loopback port of its own (`grpc_backend`, "127.0.0.1:<port>"), so a
// yarn-site.xml address works for Skein's tools and Hadoop's alike. (Relaying bytes costs a copy
// per gRPC call; handing the accepted socket to gRPC with AddInsecureChannelFromFd proved
// unreliable when a server was replaced on the same port, as an HA transition does.)
class SharedPortListener {
 public:
  // Binds `address` ("host:port", port 0 = ephemeral). A port in use is an error naming `key`.
  // An empty `grpc_backend` or a null `hadoop` refuses that kind of connection.
  static absl::StatusOr<std::unique_ptr<SharedPortListener>> Start(absl::string_view address,
                                                                   absl::string_view key,
                                                                   std::string grpc_backend,
                                                                   HadoopRpcServer* hadoop);
  ~SharedPortListener() { Stop(); }

  int port() const { return port_; }
  // Stops accepting: the port is free once this returns. Connections already relayed to gRPC go
  // on, so that a graceful gRPC Shutdown can still answer the calls in flight on them (e.g. the
  // transitionToActive that replaces this server). Idempotent.
  void StopAccepting();
  // StopAccepting, then ends relayed gRPC connections still open and waits for every thread.
  // Hadoop IPC connections stay with their server. Idempotent.
  void Stop();

 private:
  SharedPortListener() = default;
  void AcceptLoop();
  void Route(int fd, std::string peer);
  // Copies bytes both ways between a client and the gRPC backend until both sides close.
  void Relay(int client);

  int listen_fd_ = -1;
  int wake_fd_ = -1;  // eventfd that stops the accept loop
  int port_ = 0;
  std::string grpc_backend_;
  HadoopRpcServer* hadoop_ = nullptr;
  std::thread acceptor_;
  std::mutex mu_;
  std::condition_variable cv_;
  int routing_ = 0;         // connections still being sniffed; guarded by mu_
  std::set<int> sniffing_;  // their fds, shut down by Stop; guarded by mu_
  bool stopped_ = false;
  bool accepting_stopped_ = false;  // guarded by mu_ (StopAccepting ran)
};

}  // namespace skein::hrpc

#endif  // SKEIN_COMMON_HADOOP_RPC_SERVER_H_
