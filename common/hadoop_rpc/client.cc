#include "common/hadoop_rpc/client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/hadoop_rpc/server.h"
#include "common/rpc.h"

namespace skein::hrpc {

int ConnectTcp(absl::string_view address, std::string* error) {
  std::string host;
  int port = 0;
  if (auto s = SplitHostPort(ConnectAddress(address), "address", &host, &port); !s.ok()) {
    *error = std::string(s.message());
    return -1;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) {
    *error = absl::StrCat("cannot resolve ", address, ": ", ::gai_strerror(rc));
    return -1;
  }
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    *error = absl::StrCat("cannot connect to ", address, ": ", std::strerror(errno));
    ::freeaddrinfo(res);
    if (fd >= 0) ::close(fd);
    return -1;
  }
  ::freeaddrinfo(res);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

bool SendAll(int fd, absl::string_view head, absl::string_view body) {
  while (!head.empty() || !body.empty()) {
    iovec iov[2];
    int n = 0;
    if (!head.empty()) iov[n++] = {const_cast<char*>(head.data()), head.size()};
    if (!body.empty()) iov[n++] = {const_cast<char*>(body.data()), body.size()};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(n);
    ssize_t sent = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    size_t done = static_cast<size_t>(sent);
    size_t from_head = std::min(done, head.size());
    head.remove_prefix(from_head);
    body.remove_prefix(done - from_head);
  }
  return true;
}

absl::StatusOr<std::unique_ptr<HadoopRpcClient>> HadoopRpcClient::Connect(
    absl::string_view address, absl::string_view user, absl::string_view protocol,
    const Options& options) {
  std::string error;
  int fd = ConnectTcp(address, &error);
  if (fd < 0) return absl::UnavailableError(error);
  auto client = std::unique_ptr<HadoopRpcClient>(
      new HadoopRpcClient(fd, std::string(protocol), options.timeout));
  std::string hello = EncodePreamble(options.sasl ? kAuthSasl : kAuthNone);
  if (options.sasl) {
    RpcRequestHeaderProto h;
    h.set_rpc_kind(RPC_PROTOCOL_BUFFER);
    h.set_rpc_op(RpcRequestHeaderProto::RPC_FINAL_PACKET);
    h.set_call_id(kSaslCallId);
    h.set_client_id("");
    RpcSaslProto negotiate;
    negotiate.set_state(RpcSaslProto::NEGOTIATE);
    hello += EncodeRequest(h, {&negotiate});
    if (auto s = client->SendRaw(hello); !s.ok()) return s;
    hello.clear();
    auto packet = client->ReadPacket();
    if (!packet.ok()) return packet.status();
    absl::string_view rest = *packet;
    RpcResponseHeaderProto rh;
    RpcSaslProto reply;
    if (auto s = ReadDelimited(&rest, &rh, "RpcResponseHeaderProto"); !s.ok()) return s;
    if (rh.status() != RpcResponseHeaderProto::SUCCESS) {
      return absl::PermissionDeniedError(
          absl::StrCat(rh.exception_class_name(), ": ", rh.error_msg()));
    }
    if (auto s = ReadDelimited(&rest, &reply, "RpcSaslProto"); !s.ok()) return s;
    if (reply.state() != RpcSaslProto::SUCCESS) {
      return absl::UnimplementedError("the server asked for SASL authentication beyond SIMPLE");
    }
  }
  RpcRequestHeaderProto h;
  h.set_rpc_kind(RPC_PROTOCOL_BUFFER);
  h.set_rpc_op(RpcRequestHeaderProto::RPC_FINAL_PACKET);
  h.set_call_id(kConnectionContextCallId);
  h.set_client_id(client->client_id_);
  h.set_retry_count(-1);
  IpcConnectionContextProto context;
  context.mutable_user_info()->set_effective_user(std::string(user));
  context.set_protocol(std::string(protocol));
  hello += EncodeRequest(h, {&context});
  if (auto s = client->SendRaw(hello); !s.ok()) return s;
  return client;
}

HadoopRpcClient::~HadoopRpcClient() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status HadoopRpcClient::SendRaw(absl::string_view bytes) {
  if (SendAll(fd_, bytes)) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat("send: ", std::strerror(errno)));
}

absl::StatusOr<std::string> HadoopRpcClient::ReadPacket() {
  absl::Time deadline = absl::Now() + timeout_;
  for (;;) {
    auto packet = reader_.Next();
    if (!packet.ok()) return packet.status();
    if (packet->has_value()) return std::move(**packet);
    int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) return absl::DeadlineExceededError("no response from the server in time");
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(ms));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError("the server closed the connection");
    reader_.Append(absl::string_view(buf, static_cast<size_t>(n)));
  }
}

bool HadoopRpcClient::ClosedByServer(absl::Duration wait) {
  absl::Time deadline = absl::Now() + wait;
  for (;;) {
    int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(ms)) <= 0) continue;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return true;
  }
}

absl::Status HadoopRpcClient::Call(absl::string_view method,
                                   const google::protobuf::MessageLite& request,
                                   google::protobuf::MessageLite* response) {
  RpcRequestHeaderProto h;
  h.set_rpc_kind(RPC_PROTOCOL_BUFFER);
  h.set_rpc_op(RpcRequestHeaderProto::RPC_FINAL_PACKET);
  int32_t call_id = next_call_id_++;
  h.set_call_id(call_id);
  h.set_client_id(client_id_);
  h.set_retry_count(0);
  RequestHeaderProto rh;
  rh.set_method_name(std::string(method));
  rh.set_declaring_class_protocol_name(protocol_);
  rh.set_client_protocol_version(1);
  if (auto s = SendRaw(EncodeRequest(h, {&rh, &request})); !s.ok()) return s;
  auto packet = ReadPacket();
  if (!packet.ok()) return packet.status();
  absl::string_view rest = *packet;
  RpcResponseHeaderProto header;
  if (auto s = ReadDelimited(&rest, &header, "RpcResponseHeaderProto"); !s.ok()) return s;
  if (static_cast<int32_t>(header.call_id()) != call_id) {
    return absl::InternalError(
        absl::StrCat("response for call ", header.call_id(), " while waiting for ", call_id));
  }
  if (header.status() != RpcResponseHeaderProto::SUCCESS) {
    absl::Status s =
        absl::UnknownError(absl::StrCat(header.exception_class_name(), ": ", header.error_msg()));
    return WithJavaException(s, header.exception_class_name());
  }
  return ReadDelimited(&rest, response, "the response message");
}

}  // namespace skein::hrpc
