#include "common/rpc.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/rpc_metrics.h"

namespace skein {

grpc::Status ToGrpcStatus(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

std::string CurrentUser() {
  // Resolved once (thread-safe static init) with the reentrant lookup: getpwuid() shares a
  // static buffer with every other thread's passwd lookups.
  static const std::string user = [] {
    struct passwd pw;
    struct passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (getpwuid_r(geteuid(), &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr &&
        found->pw_name != nullptr) {
      return std::string(found->pw_name);
    }
    const char* env = std::getenv("USER");
    return std::string(env != nullptr ? env : "unknown");
  }();
  return user;
}

std::string ConnectAddress(absl::string_view address) {
  if (address.substr(0, 8) == "0.0.0.0:") return absl::StrCat("127.0.0.1", address.substr(7));
  return std::string(address);
}

absl::Status SplitHostPort(absl::string_view address, absl::string_view key, std::string* host,
                           int* port) {
  size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), port) || *port < 0 || *port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, "='", address, "' is not a valid <host>:<port> address"));
  }
  *host = std::string(address.substr(0, colon));
  return absl::OkStatus();
}

std::shared_ptr<grpc::Channel> MakeChannel(absl::string_view address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, 64 << 20);
  // Reconnect quickly after a peer restarts (the default backoff grows to two minutes).
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  return grpc::CreateCustomChannel(ConnectAddress(address), grpc::InsecureChannelCredentials(),
                                   args);
}

std::unique_ptr<grpc::ClientContext> MakeClientContext(std::chrono::milliseconds timeout,
                                                       absl::string_view user) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + timeout);
  ctx->AddMetadata(kUserMetadataKey, std::string(user));
  return ctx;
}

std::string GetMetadata(const grpc::ServerContext& ctx, absl::string_view key) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

absl::StatusOr<std::unique_ptr<grpc::Server>> StartGrpcServer(
    absl::string_view address, absl::string_view key, const std::vector<grpc::Service*>& services,
    int* bound_port) {
  std::string host;
  int port;
  if (auto s = SplitHostPort(address, key, &host, &port); !s.ok()) return s;
  grpc::ServerBuilder builder;
  // Without SO_REUSEPORT a second daemon on the same port fails instead of sharing it.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(64 << 20);
  if (bound_port != nullptr) {
    builder.AddListeningPort(std::string(address), grpc::InsecureServerCredentials(), bound_port);
  }
  for (grpc::Service* s : services) builder.RegisterService(s);
  // Per-method latency histograms for the daemons' /metrics (common/rpc_metrics.h).
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(MakeRpcLatencyInterceptor());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || (bound_port != nullptr && *bound_port == 0)) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", key, "=", address,
                                               ": the address is in use or not local"));
  }
  return server;
}

}  // namespace skein
