// Fuzz target over everything a Hadoop IPC client can send Skein: the preamble, packet framing,
// RpcRequestHeaderProto, the SASL and connection-context messages and the per-call header, first
// through the codec directly, then through a real server connection (a socketpair) with a method
// table, so the connection state machine sees the bytes too.
//
// With clang: a libFuzzer target (-fsanitize=fuzzer). With GCC (the default build), fuzz_main.cc
// drives it: the committed corpus (fuzz_corpus/) plus random mutations for a bounded time, run by
// ctest.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

#include "common/hadoop_rpc/codec.h"
#include "common/hadoop_rpc/server.h"
#include "protos/client_protocol.pb.h"

namespace {

using skein::hrpc::CallContext;

const skein::hrpc::MethodTable& Methods() {
  static auto* table = [] {
    auto* t = new skein::hrpc::MethodTable();
    t->Add<skein::proto::GetApplicationReportRequest, skein::proto::GetApplicationReportResponse>(
        skein::hrpc::kClientProtocol, "getApplicationReport",
        [](const CallContext& c, const skein::proto::GetApplicationReportRequest& req)
            -> absl::StatusOr<skein::proto::GetApplicationReportResponse> {
          if (req.application_id().id() < 0) return absl::NotFoundError("negative id");
          skein::proto::GetApplicationReportResponse r;
          r.mutable_application_report()->set_user(c.user);
          return r;
        });
    return t;
  }();
  return *table;
}

skein::hrpc::HadoopRpcServer& Server() {
  static auto* server = [] {
    skein::hrpc::ServerOptions o;
    o.max_data_length = 1 << 16;  // small, so length checks are reachable
    o.max_idle = absl::Milliseconds(200);
    o.name = "fuzz";
    return new skein::hrpc::HadoopRpcServer(Methods(), o);
  }();
  return *server;
}

void FuzzCodec(const uint8_t* data, size_t size) {
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  skein::hrpc::Preamble p;
  (void)skein::hrpc::ParsePreamble(bytes, &p);
  (void)skein::hrpc::SniffConnection(bytes.substr(0, 4));
  skein::hrpc::FrameReader reader(1 << 16);
  reader.Append(bytes.size() > skein::hrpc::kPreambleSize ? bytes.substr(skein::hrpc::kPreambleSize)
                                                          : bytes);
  for (int i = 0; i < 64; ++i) {
    auto packet = reader.Next();
    if (!packet.ok() || !packet->has_value()) break;
    skein::hrpc::RpcRequestHeaderProto header;
    absl::string_view rest;
    (void)skein::hrpc::ParseRequestHeader(**packet, &header, &rest);
    absl::string_view copy = rest;
    skein::hrpc::RpcSaslProto sasl;
    (void)skein::hrpc::ReadDelimited(&copy, &sasl, "sasl");
    copy = rest;
    skein::hrpc::IpcConnectionContextProto ctx;
    (void)skein::hrpc::ReadDelimited(&copy, &ctx, "context");
    skein::hrpc::RequestHeaderProto rh;
    if (skein::hrpc::ReadDelimited(&rest, &rh, "header").ok()) {
      absl::string_view body;
      (void)skein::hrpc::ReadDelimitedBytes(&rest, &body, "body");
    }
  }
}

void FuzzConnection(const uint8_t* data, size_t size) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return;
  Server().Serve(fds[1], "fuzz");
  size_t off = 0;
  while (off < size) {
    ssize_t n = ::send(fds[0], data + off, size - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  ::shutdown(fds[0], SHUT_WR);
  char buf[4096];
  while (::recv(fds[0], buf, sizeof(buf), 0) > 0) {
  }
  ::close(fds[0]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzCodec(data, size);
  FuzzConnection(data, size);
  return 0;
}
