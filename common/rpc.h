// gRPC glue shared by every daemon and client: status conversion, channels, identity metadata and
// server start-up with clear bind errors. Any thread.
#ifndef SKEIN_COMMON_RPC_H_
#define SKEIN_COMMON_RPC_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace skein {

// Metadata entries (Hadoop simple authentication: the caller says who it is).
inline constexpr char kUserMetadataKey[] = "skein-user";
inline constexpr char kAmrmTokenMetadataKey[] = "skein-amrm-token";

grpc::Status ToGrpcStatus(const absl::Status& s);
absl::Status FromGrpcStatus(const grpc::Status& s);

// The user running this process (getpwuid(geteuid())), or $USER.
std::string CurrentUser();

// "0.0.0.0:8032" -> "127.0.0.1:8032": a wildcard bind address is reached on loopback.
std::string ConnectAddress(absl::string_view address);

// Splits "host:port"; errors name `key` (the configuration key the address came from).
absl::Status SplitHostPort(absl::string_view address, absl::string_view key, std::string* host,
                           int* port);

std::shared_ptr<grpc::Channel> MakeChannel(absl::string_view address);

// A client context with the caller's user name and a deadline.
std::unique_ptr<grpc::ClientContext> MakeClientContext(
    std::chrono::milliseconds timeout = std::chrono::seconds(30),
    absl::string_view user = CurrentUser());

// Reads a metadata entry sent by the client ("" when absent).
std::string GetMetadata(const grpc::ServerContext& ctx, absl::string_view key);

// Starts a gRPC server on `address` (port 0 = ephemeral) with `services`. On success returns the
// server and stores the bound port in *bound_port. A port in use is an error naming `key` and the
// address. With bound_port null the server listens nowhere: connections reach it through
// grpc::AddInsecureChannelFromFd (hadoop_rpc's SharedPortListener). Every call's latency is
// recorded into RpcMetrics::Global() (common/rpc_metrics.h).
absl::StatusOr<std::unique_ptr<grpc::Server>> StartGrpcServer(
    absl::string_view address, absl::string_view key, const std::vector<grpc::Service*>& services,
    int* bound_port);

}  // namespace skein

#endif  // SKEIN_COMMON_RPC_H_
