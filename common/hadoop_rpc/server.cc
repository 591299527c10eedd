#include "common/hadoop_rpc/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/hadoop_rpc/client.h"
#include "common/rpc.h"

namespace skein::hrpc {
namespace {

constexpr char kJavaExceptionPayload[] = "type.skein/java-exception";
constexpr char kDeserializePayload[] = "type.skein/deserialize";
constexpr char kRpcServerException[] = "org.apache.hadoop.ipc.RpcServerException";
constexpr char kVersionMismatch[] = "org.apache.hadoop.ipc.RPC$VersionMismatch";
constexpr char kNoSuchProtocol[] = "org.apache.hadoop.ipc.RpcNoSuchProtocolException";
constexpr char kNoSuchMethod[] = "org.apache.hadoop.ipc.RpcNoSuchMethodException";
constexpr int32_t kUnknownCallId = -1;  // Hadoop's AUTHORIZATION_FAILED_CALL_ID, used for FATALs

constexpr char kHttpAnswer[] =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"
    "This port speaks Hadoop IPC and gRPC, not HTTP. The ResourceManager's web UI and REST API "
    "are on yarn.resourcemanager.webapp.address.\r\n";

using Header = RpcResponseHeaderProto;

// Waits up to `timeout` for readable data; false on timeout or error.
bool WaitReadable(int fd, absl::Duration timeout) {
  pollfd p{fd, POLLIN, 0};
  int ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  for (;;) {
    int r = ::poll(&p, 1, ms);
    if (r < 0 && errno == EINTR) continue;
    return r > 0;
  }
}

std::string PeerOf(const sockaddr_storage& addr) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    port = ntohs(a->sin6_port);
  }
  return absl::StrCat(host, ":", port);
}

// One connection's protocol state (Hadoop's Server.Connection, minus the threads).
class Connection {
 public:
  Connection(int fd, std::string peer, const MethodTable& methods, const ServerOptions& options,
             std::atomic<int64_t>& calls)
      : fd_(fd),
        methods_(methods),
        options_(options),
        calls_(calls),
        reader_(options.max_data_length) {
    call_.peer = std::move(peer);
  }

  void Run() {
    char buf[16384];
    for (;;) {
      if (!WaitReadable(fd_, options_.max_idle)) return;  // idle (or stalled mid-packet): close
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      if (!Consume(absl::string_view(buf, static_cast<size_t>(n)))) return;
    }
  }

 private:
  // Feeds received bytes through the preamble and the packets; false closes the connection.
  bool Consume(absl::string_view data) {
    if (!preamble_done_) {
      size_t take = std::min(data.size(), kPreambleSize - preamble_.size());
      preamble_.append(data.data(), take);
      data.remove_prefix(take);
      if (preamble_.size() < kPreambleSize) return true;
      Preamble p;
      absl::Status s = ParsePreamble(preamble_, &p);
      if (!s.ok()) {
        if (s.code() == absl::StatusCode::kFailedPrecondition) {
          SendFatal(kUnknownCallId, nullptr, kVersionMismatch, s.message(),
                    Header::FATAL_VERSION_MISMATCH);
        } else {
          SendFatal(kUnknownCallId, nullptr, kRpcServerException, s.message(),
                    Header::FATAL_INVALID_RPC_HEADER);
        }
        return false;
      }
      auth_ = p.auth_protocol;
      preamble_done_ = true;
    }
    reader_.Append(data);
    for (;;) {
      auto packet = reader_.Next();
      if (!packet.ok()) {
        SendFatal(kUnknownCallId, nullptr, kRpcServerException, packet.status().message(),
                  Header::FATAL_INVALID_RPC_HEADER);
        return false;
      }
      if (!packet->has_value()) return true;
      if (!HandlePacket(**packet)) return false;
    }
  }

  bool HandlePacket(absl::string_view packet) {
    RpcRequestHeaderProto header;
    absl::string_view rest;
    if (absl::Status s = ParseRequestHeader(packet, &header, &rest); !s.ok()) {
      SendFatal(header.has_call_id() ? header.call_id() : kUnknownCallId, &header,
                kRpcServerException, s.message(),
                s.code() == absl::StatusCode::kUnimplemented
                    ? Header::FATAL_UNSUPPORTED_SERIALIZATION
                    : Header::FATAL_INVALID_RPC_HEADER);
      return false;
    }
    const int32_t call_id = header.call_id();
    if (call_id < 0) return HandleOutOfBand(header, rest);
    if (!context_done_) {
      SendFatal(call_id, &header, kRpcServerException, "Connection context not established",
                Header::FATAL_INVALID_RPC_HEADER);
      return false;
    }
    RequestHeaderProto request_header;
    absl::string_view body;
    absl::Status s = ReadDelimited(&rest, &request_header, "RequestHeaderProto");
    if (s.ok()) s = ReadDelimitedBytes(&rest, &body, "the request message");
    if (!s.ok()) {
      SendFatal(call_id, &header, kRpcServerException, s.message(),
                Header::FATAL_DESERIALIZING_REQUEST);
      return false;
    }
    calls_.fetch_add(1, std::memory_order_relaxed);
    const std::string& protocol = request_header.declaring_class_protocol_name();
    const std::string& method = request_header.method_name();
    const MethodTable::RawHandler* handler = methods_.Find(protocol, method);
    if (handler == nullptr) {
      if (!methods_.fallback().ok()) {
        return SendError(call_id, header, JavaException(methods_.fallback()),
                         methods_.fallback().message(), Header::ERROR_APPLICATION);
      }
      if (!methods_.HasProtocol(protocol)) {
        return SendError(call_id, header, kNoSuchProtocol,
                         absl::StrCat("Unknown protocol: ", protocol),
                         Header::ERROR_NO_SUCH_PROTOCOL);
      }
      return SendError(
          call_id, header, kNoSuchMethod,
          absl::StrCat("Unknown method ", method, " called on ", protocol, " protocol."),
          Header::ERROR_NO_SUCH_METHOD);
    }
    std::string response;
    s = (*handler)(call_, body, &response);
    if (!s.ok()) {
      if (s.GetPayload(kDeserializePayload).has_value()) {
        SendFatal(call_id, &header, kRpcServerException, s.message(),
                  Header::FATAL_DESERIALIZING_REQUEST);
        return false;
      }
      return SendError(call_id, header, JavaException(s), s.message(), Header::ERROR_APPLICATION);
    }
    Header h = ResponseHeader(call_id, &header, Header::SUCCESS);
    return SendAll(fd_, EncodeResponsePrefix(h, response.size()), response);
  }

  bool HandleOutOfBand(const RpcRequestHeaderProto& header, absl::string_view rest) {
    switch (header.call_id()) {
      case kPingCallId:
        return true;  // Hadoop answers pings with nothing
      case kSaslCallId:
        return HandleSasl(header, rest);
      case kConnectionContextCallId: {
        if (context_done_) {
          SendFatal(header.call_id(), &header, kRpcServerException,
                    "the connection context was already received",
                    Header::FATAL_INVALID_RPC_HEADER);
          return false;
        }
        if (auth_ == kAuthSasl && !sasl_done_) {
          SendFatal(header.call_id(), &header, kAccessControlException,
                    "the connection context came before SASL negotiation finished",
                    Header::FATAL_UNAUTHORIZED);
          return false;
        }
        IpcConnectionContextProto context;
        if (auto s = ReadDelimited(&rest, &context, "IpcConnectionContextProto"); !s.ok()) {
          SendFatal(header.call_id(), &header, kRpcServerException, s.message(),
                    Header::FATAL_DESERIALIZING_REQUEST);
          return false;
        }
        if (context.user_info().effective_user().empty()) {
          SendFatal(header.call_id(), &header, kAccessControlException,
                    "the connection context names no user (SIMPLE authentication needs one)",
                    Header::FATAL_UNAUTHORIZED);
          return false;
        }
        call_.user = context.user_info().effective_user();
        call_.protocol = context.protocol();
        context_done_ = true;
        return true;
      }
      default:
        SendFatal(header.call_id(), &header, kRpcServerException,
                  absl::StrCat("Unknown out of band call #", header.call_id()),
                  Header::FATAL_INVALID_RPC_HEADER);
        return false;
    }
  }

  // Non-secure cluster: NEGOTIATE is answered SUCCESS (SIMPLE only), as Hadoop's server does
  // when SIMPLE is its only method; a client that then says INITIATE/SIMPLE gets no answer.
  bool HandleSasl(const RpcRequestHeaderProto& header, absl::string_view rest) {
    if (auth_ != kAuthSasl || sasl_done_) {
      SendFatal(header.call_id(), &header, kAccessControlException,
                auth_ != kAuthSasl ? "SASL message on a connection that did not ask for SASL"
                                   : "SASL negotiation already finished",
                Header::FATAL_UNAUTHORIZED);
      return false;
    }
    RpcSaslProto sasl;
    if (auto s = ReadDelimited(&rest, &sasl, "RpcSaslProto"); !s.ok()) {
      SendFatal(header.call_id(), &header, kRpcServerException, s.message(),
                Header::FATAL_DESERIALIZING_REQUEST);
      return false;
    }
    if (sasl.state() == RpcSaslProto::NEGOTIATE) {
      RpcSaslProto reply;
      reply.set_state(RpcSaslProto::SUCCESS);
      Header h = ResponseHeader(kSaslCallId, nullptr, Header::SUCCESS);
      sasl_done_ = true;
      return SendAll(fd_, EncodeResponse(h, &reply));
    }
    if (sasl.state() == RpcSaslProto::INITIATE && sasl.auths_size() > 0 &&
        sasl.auths(0).method() == "SIMPLE") {
      sasl_done_ = true;
      return true;
    }
    std::string offered = sasl.auths_size() > 0 ? sasl.auths(0).mechanism() : "";
    SendFatal(header.call_id(), &header, kAccessControlException,
              absl::StrCat("SASL ", RpcSaslProto::SaslState_Name(sasl.state()),
                           offered.empty() ? "" : " with " + offered,
                           " is not supported here: this port authenticates SIMPLE only "
                           "(hadoop.security.authentication=simple)"),
              Header::FATAL_UNAUTHORIZED);
    return false;
  }

  Header ResponseHeader(int32_t call_id, const RpcRequestHeaderProto* request,
                        Header::RpcStatusProto status) {
    Header h;
    h.set_call_id(static_cast<uint32_t>(call_id));
    h.set_status(status);
    h.set_server_ipc_version_num(kIpcVersion);
    if (request != nullptr) {
      if (request->has_client_id()) h.set_client_id(request->client_id());
      h.set_retry_count(request->retry_count());
    }
    return h;
  }

  bool SendError(int32_t call_id, const RpcRequestHeaderProto& request,
                 absl::string_view java_class, absl::string_view message,
                 Header::RpcErrorCodeProto code) {
    Header h = ResponseHeader(call_id, &request, Header::ERROR);
    h.set_exception_class_name(std::string(java_class));
    h.set_error_msg(std::string(message));
    h.set_error_detail(code);
    return SendAll(fd_, EncodeResponse(h, nullptr));
  }

  void SendFatal(int32_t call_id, const RpcRequestHeaderProto* request,
                 absl::string_view java_class, absl::string_view message,
                 Header::RpcErrorCodeProto code) {
    Header h = ResponseHeader(call_id, request, Header::FATAL);
    h.set_exception_class_name(std::string(java_class));
    h.set_error_msg(std::string(message));
    h.set_error_detail(code);
    SendAll(fd_, EncodeResponse(h, nullptr));
    std::cerr << options_.name << ": closing connection from " << call_.peer << ": " << message
              << std::endl;
  }

  const int fd_;
  const MethodTable& methods_;
  const ServerOptions& options_;
  std::atomic<int64_t>& calls_;
  FrameReader reader_;
  std::string preamble_;
  bool preamble_done_ = false;
  uint8_t auth_ = kAuthNone;
  bool sasl_done_ = false;
  bool context_done_ = false;
  CallContext call_;
};

}  // namespace

absl::Status WithJavaException(absl::Status status, absl::string_view java_class) {
  status.SetPayload(kJavaExceptionPayload, absl::Cord(java_class));
  return status;
}

std::string JavaException(const absl::Status& status) {
  if (auto p = status.GetPayload(kJavaExceptionPayload); p.has_value()) return std::string(*p);
  if (status.code() == absl::StatusCode::kPermissionDenied) return kAccessControlException;
  return kYarnException;
}

absl::Status MarkDeserializeError(absl::Status status) {
  status.SetPayload(kDeserializePayload, absl::Cord("1"));
  return status;
}

void MethodTable::AddRaw(absl::string_view protocol, absl::string_view method, RawHandler handler) {
  protocols_.emplace(protocol);
  handlers_[{std::string(protocol), std::string(method)}] = std::move(handler);
}

const MethodTable::RawHandler* MethodTable::Find(absl::string_view protocol,
                                                 absl::string_view method) const {
  auto it = handlers_.find(std::make_pair(std::string(protocol), std::string(method)));
  return it == handlers_.end() ? nullptr : &it->second;
}

bool MethodTable::HasProtocol(absl::string_view protocol) const {
  return protocols_.find(protocol) != protocols_.end();
}

void HadoopRpcServer::Serve(int fd, std::string peer) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutdown_ || static_cast<int>(fds_.size()) >= options_.max_connections) {
      if (!shutdown_) {
        std::cerr << options_.name << ": refusing " << peer << ": " << fds_.size()
                  << " connections already open (ipc.server.max.connections)" << std::endl;
      }
      ::close(fd);
      return;
    }
    fds_.insert(fd);
    active_.fetch_add(1);
  }
  std::thread([this, fd, peer = std::move(peer)] {
    ServeConnection(fd, peer);
    std::lock_guard<std::mutex> lock(mu_);
    fds_.erase(fd);
    ::close(fd);
    active_.fetch_sub(1);
    cv_.notify_all();  // under the lock: Shutdown may destroy the server once it wakes
  }).detach();
}

void HadoopRpcServer::ServeConnection(int fd, const std::string& peer) {
  timeval send_timeout{30, 0};  // a client that stops reading cannot pin this thread forever
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  Connection(fd, peer, methods_, options_, calls_).Run();
}

void HadoopRpcServer::Shutdown() {
  std::unique_lock<std::mutex> lock(mu_);
  shutdown_ = true;
  for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  cv_.wait(lock, [this] { return fds_.empty(); });
}

absl::StatusOr<std::unique_ptr<SharedPortListener>> SharedPortListener::Start(
    absl::string_view address, absl::string_view key, std::string grpc_backend,
    HadoopRpcServer* hadoop) {
  std::string host;
  int port = 0;
  if (auto s = SplitHostPort(address, key, &host, &port); !s.ok()) return s;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string port_text = std::to_string(port);
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port_text.c_str(), &hints, &res);
  if (rc != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot resolve ", key, "=", address, ": ", ::gai_strerror(rc)));
  }
  auto listener = std::unique_ptr<SharedPortListener>(new SharedPortListener());
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd >= 0) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (fd < 0 || ::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, 512) != 0) {
    int err = errno;
    ::freeaddrinfo(res);
    if (fd >= 0) ::close(fd);
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", key, "=", address, ": ", std::strerror(err)));
  }
  ::freeaddrinfo(res);
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  listener->port_ = bound.ss_family == AF_INET6
                        ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                        : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  listener->listen_fd_ = fd;
  listener->wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
  listener->grpc_backend_ = std::move(grpc_backend);
  listener->hadoop_ = hadoop;
  listener->acceptor_ = std::thread([l = listener.get()] { l->AcceptLoop(); });
  return listener;
}

void SharedPortListener::AcceptLoop() {
  pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  for (;;) {
    int r = ::poll(fds, 2, -1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 || (fds[1].revents & POLLIN) != 0) return;
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) ::usleep(10000);  // out of fds: back off briefly
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (accepting_stopped_) {
      ::close(fd);
      return;
    }
    ++routing_;
    sniffing_.insert(fd);
    std::thread([this, fd, peer = PeerOf(addr)] { Route(fd, peer); }).detach();
  }
}

void SharedPortListener::Route(int fd, std::string peer) {
  // Both kinds of client speak first: gRPC's HTTP/2 preface, Hadoop's "hrpc" preamble.
  char head[4];
  size_t have = 0;
  while (have < sizeof(head) && WaitReadable(fd, absl::Seconds(10))) {
    ssize_t n = ::recv(fd, head, sizeof(head), MSG_PEEK);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (static_cast<size_t>(n) == have) ::usleep(1000);  // a partial head: wait for the rest
    have = static_cast<size_t>(n);
  }
  ConnectionKind kind = have == sizeof(head) ? SniffConnection(absl::string_view(head, have))
                                             : ConnectionKind::kOther;
  const bool complete = have == sizeof(head);
  bool relay = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    relay = complete && !stopped_ && kind == ConnectionKind::kOther && !grpc_backend_.empty();
    if (!relay) sniffing_.erase(fd);              // a relayed connection stays, for Stop to end it
    if (stopped_) kind = ConnectionKind::kOther;  // nothing new is served once stopped
  }
  if (relay) {
    Relay(fd);  // stays in sniffing_ (so Stop ends it) until it is closed
  } else if (complete && kind == ConnectionKind::kHadoopIpc && hadoop_ != nullptr) {
    hadoop_->Serve(fd, std::move(peer));
  } else if (complete && kind == ConnectionKind::kHttp) {
    SendAll(fd, kHttpAnswer);
    ::close(fd);
  } else {
    ::close(fd);
  }
  std::lock_guard<std::mutex> lock(mu_);
  --routing_;
  cv_.notify_all();
}

void SharedPortListener::Relay(int client) {
  std::string error;
  int backend = ConnectTcp(grpc_backend_, &error);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (backend >= 0) {
      if (stopped_) {
        ::shutdown(backend, SHUT_RDWR);
      } else {
        sniffing_.insert(backend);
      }
    }
  }
  if (backend < 0) {
    std::cerr << "shared port: cannot reach the gRPC server at " << grpc_backend_ << ": " << error
              << std::endl;
  } else {
    // Both directions on this thread: poll, then move what is there. A side that ends its
    // writes (EOF) has that passed on; the relay ends when both have, or on any error.
    bool open[2] = {true, true};  // client->backend, backend->client
    const int from[2] = {client, backend}, to[2] = {backend, client};
    char buf[65536];
    while (open[0] || open[1]) {
      pollfd p[2] = {{from[0], static_cast<short>(open[0] ? POLLIN : 0), 0},
                     {from[1], static_cast<short>(open[1] ? POLLIN : 0), 0}};
      int r = ::poll(p, 2, -1);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) break;
      bool failed = false;
      for (int d = 0; d < 2 && !failed; ++d) {
        if (!open[d] || (p[d].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        ssize_t n = ::recv(from[d], buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          open[d] = false;
          ::shutdown(to[d], SHUT_WR);
          if (n < 0) failed = true;
          continue;
        }
        if (!SendAll(to[d], absl::string_view(buf, static_cast<size_t>(n)))) failed = true;
      }
      if (failed) break;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  sniffing_.erase(client);
  ::close(client);
  if (backend >= 0) {
    sniffing_.erase(backend);
    ::close(backend);
  }
}

void SharedPortListener::StopAccepting() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (accepting_stopped_) return;
    accepting_stopped_ = true;
  }
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    ssize_t ignored = ::write(wake_fd_, &one, sizeof(one));
    (void)ignored;
  }
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

void SharedPortListener::Stop() {
  StopAccepting();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    for (int fd : sniffing_) ::shutdown(fd, SHUT_RDWR);
  }
  {
    // Connections still being sniffed or relayed end once shut down; wait for their threads so
    // none is handed to a server that is about to go away.
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return routing_ == 0; });
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
  wake_fd_ = -1;
}

}  // namespace skein::hrpc
