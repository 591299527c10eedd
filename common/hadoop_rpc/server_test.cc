// The Hadoop IPC server on a real loopback socket: calls, errors, the out-of-band calls, every
// malformed-input case (each followed by a healthy client on the same server), limits, and gRPC
// sharing the port.
#include "common/hadoop_rpc/server.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <thread>

#include "common/hadoop_rpc/client.h"
#include "common/rpc.h"
#include "gtest/gtest.h"
#include "protos/client_protocol.grpc.pb.h"

namespace skein::hrpc {
namespace {

// A stand-in handler (unit test): answers getApplicationReport for application id 1 only.
absl::StatusOr<proto::GetApplicationReportResponse> Report(
    const CallContext& call, const proto::GetApplicationReportRequest& req) {
  if (req.application_id().id() != 1) {
    return WithJavaException(absl::NotFoundError("no such application"), kApplicationNotFound);
  }
  proto::GetApplicationReportResponse resp;
  resp.mutable_application_report()->set_user(call.user);
  resp.mutable_application_report()->set_queue(call.protocol);
  return resp;
}

// The same handler behind gRPC, to show both transports reach it on one port.
class GrpcClientService final : public proto::ApplicationClientProtocol::Service {
  grpc::Status GetApplicationReport(grpc::ServerContext* ctx,
                                    const proto::GetApplicationReportRequest* req,
                                    proto::GetApplicationReportResponse* resp) override {
    CallContext call{GetMetadata(*ctx, kUserMetadataKey), "grpc", ""};
    auto r = Report(call, *req);
    if (!r.ok()) return ToGrpcStatus(r.status());
    *resp = *r;
    return grpc::Status::OK;
  }
};

class HadoopRpcServerTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options = ServerOptions()) {
    methods_.Add<proto::GetApplicationReportRequest, proto::GetApplicationReportResponse>(
        kClientProtocol, "getApplicationReport", Report);
    server_ = std::make_unique<HadoopRpcServer>(methods_, options);
    grpc::ServerBuilder builder;
    builder.RegisterService(&grpc_service_);
    int grpc_port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &grpc_port);
    grpc_ = builder.BuildAndStart();
    ASSERT_NE(grpc_, nullptr);
    auto listener = SharedPortListener::Start(
        "127.0.0.1:0", "test.address", "127.0.0.1:" + std::to_string(grpc_port), server_.get());
    ASSERT_TRUE(listener.ok()) << listener.status();
    listener_ = std::move(*listener);
    address_ = "127.0.0.1:" + std::to_string(listener_->port());
  }

  void TearDown() override {
    if (listener_) listener_->Stop();
    if (server_) server_->Shutdown();
    if (grpc_) grpc_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  }

  std::unique_ptr<HadoopRpcClient> Client(HadoopRpcClient::Options o = {}) {
    o.timeout = absl::Seconds(10);
    auto c = HadoopRpcClient::Connect(address_, "alice", kClientProtocol, o);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? std::move(*c) : nullptr;
  }

  // A healthy call on a fresh connection: the server survived whatever came before.
  void ExpectHealthy() {
    auto c = Client();
    ASSERT_NE(c, nullptr);
    proto::GetApplicationReportRequest req;
    req.mutable_application_id()->set_id(1);
    proto::GetApplicationReportResponse resp;
    absl::Status s = c->Call("getApplicationReport", req, &resp);
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_EQ(resp.application_report().user(), "alice");
  }

  // Sends raw bytes on a new connection and returns the response header the server sent (if
  // any) and whether it then closed the connection.
  std::pair<std::optional<RpcResponseHeaderProto>, bool> SendRaw(const std::string& bytes) {
    std::string error;
    int fd = ConnectTcp(address_, &error);
    EXPECT_GE(fd, 0) << error;
    EXPECT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
    std::string got;
    char buf[4096];
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    bool closed = false;
    for (;;) {
      ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n == 0) {
        closed = true;
        break;
      }
      if (n < 0) break;  // timeout: still open
      got.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    std::optional<RpcResponseHeaderProto> header;
    FrameReader reader(1 << 20);
    reader.Append(got);
    auto packet = reader.Next();
    if (packet.ok() && packet->has_value()) {
      absl::string_view rest = **packet;
      RpcResponseHeaderProto h;
      if (ReadDelimited(&rest, &h, "header").ok()) header = h;
    }
    return {header, closed};
  }

  static RpcRequestHeaderProto CallHeader(int32_t call_id) {
    RpcRequestHeaderProto h;
    h.set_rpc_kind(RPC_PROTOCOL_BUFFER);
    h.set_rpc_op(RpcRequestHeaderProto::RPC_FINAL_PACKET);
    h.set_call_id(call_id);
    h.set_client_id(std::string(16, 'c'));
    return h;
  }

  static std::string Context(absl::string_view user) {
    IpcConnectionContextProto ctx;
    ctx.mutable_user_info()->set_effective_user(std::string(user));
    ctx.set_protocol(kClientProtocol);
    return EncodeRequest(CallHeader(kConnectionContextCallId), {&ctx});
  }

  MethodTable methods_;
  GrpcClientService grpc_service_;
  std::unique_ptr<HadoopRpcServer> server_;
  std::unique_ptr<grpc::Server> grpc_;
  std::unique_ptr<SharedPortListener> listener_;
  std::string address_;
};

TEST_F(HadoopRpcServerTest, CallReachesTheHandlerAsTheContextUser) {
  Start();
  auto c = Client();
  ASSERT_NE(c, nullptr);
  proto::GetApplicationReportRequest req;
  req.mutable_application_id()->set_id(1);
  proto::GetApplicationReportResponse resp;
  ASSERT_TRUE(c->Call("getApplicationReport", req, &resp).ok());
  EXPECT_EQ(resp.application_report().user(), "alice");
  EXPECT_EQ(resp.application_report().queue(), kClientProtocol);
  // A second call on the same connection.
  ASSERT_TRUE(c->Call("getApplicationReport", req, &resp).ok());
  EXPECT_EQ(server_->calls(), 2);
}

TEST_F(HadoopRpcServerTest, HandlerErrorCarriesTheJavaClassAndKeepsTheConnection) {
  Start();
  auto c = Client();
  proto::GetApplicationReportRequest req;
  req.mutable_application_id()->set_id(2);
  proto::GetApplicationReportResponse resp;
  absl::Status s = c->Call("getApplicationReport", req, &resp);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(JavaException(s), kApplicationNotFound);
  EXPECT_NE(s.message().find("no such application"), std::string::npos);
  req.mutable_application_id()->set_id(1);
  EXPECT_TRUE(c->Call("getApplicationReport", req, &resp).ok());  // same connection still serves
}

TEST_F(HadoopRpcServerTest, UnknownMethodAndProtocolAreErrorsNotFatal) {
  Start();
  auto c = Client();
  proto::GetApplicationReportRequest req;
  proto::GetApplicationReportResponse resp;
  absl::Status s = c->Call("getDelegationToken", req, &resp);
  EXPECT_EQ(JavaException(s), "org.apache.hadoop.ipc.RpcNoSuchMethodException") << s;
  EXPECT_NE(s.message().find("getDelegationToken"), std::string::npos);
  auto other = HadoopRpcClient::Connect(address_, "bob", "org.example.NoSuchProtocolPB");
  ASSERT_TRUE(other.ok());
  s = (*other)->Call("x", req, &resp);
  EXPECT_EQ(JavaException(s), "org.apache.hadoop.ipc.RpcNoSuchProtocolException") << s;
  req.mutable_application_id()->set_id(1);
  EXPECT_TRUE(c->Call("getApplicationReport", req, &resp).ok());
}

TEST_F(HadoopRpcServerTest, FallbackAnswersEveryCallWithItsException) {
  methods_.SetFallback(
      WithJavaException(absl::UnavailableError("rm1 is standby"), kStandbyException));
  ServerOptions o;
  Start(o);
  auto c = Client();
  proto::GetApplicationReportRequest req;
  proto::GetApplicationReportResponse resp;
  absl::Status s = c->Call("getNewApplication", req, &resp);
  EXPECT_EQ(JavaException(s), kStandbyException);
  EXPECT_NE(s.message().find("standby"), std::string::npos);
}

TEST_F(HadoopRpcServerTest, SaslNegotiateIsAnsweredSimple) {
  Start();
  HadoopRpcClient::Options o;
  o.sasl = true;
  auto c = Client(o);
  ASSERT_NE(c, nullptr);
  proto::GetApplicationReportRequest req;
  req.mutable_application_id()->set_id(1);
  proto::GetApplicationReportResponse resp;
  ASSERT_TRUE(c->Call("getApplicationReport", req, &resp).ok());
  EXPECT_EQ(resp.application_report().user(), "alice");
}

TEST_F(HadoopRpcServerTest, PipelinedCallsPingsAndContextInOneSegment) {
  Start();
  // What a Java client does: preamble, context and first call without waiting, plus a ping.
  std::string bytes = EncodePreamble(kAuthNone) + Context("carol");
  RequestHeaderProto rh;
  rh.set_method_name("getApplicationReport");
  rh.set_declaring_class_protocol_name(kClientProtocol);
  rh.set_client_protocol_version(1);
  proto::GetApplicationReportRequest req;
  req.mutable_application_id()->set_id(1);
  RpcRequestHeaderProto ping = CallHeader(kPingCallId);
  for (int i = 0; i < 3; ++i) {
    bytes += EncodeRequest(CallHeader(10 + i), {&rh, &req});
    bytes += EncodeRequest(ping, {});
  }
  std::string error;
  int fd = ConnectTcp(address_, &error);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(bytes.size()));
  FrameReader reader(1 << 20);
  std::vector<uint32_t> ids;
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  while (ids.size() < 3) {
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    ASSERT_GT(n, 0);
    reader.Append(absl::string_view(buf, static_cast<size_t>(n)));
    for (;;) {
      auto p = reader.Next();
      ASSERT_TRUE(p.ok());
      if (!p->has_value()) break;
      absl::string_view rest = **p;
      RpcResponseHeaderProto h;
      ASSERT_TRUE(ReadDelimited(&rest, &h, "h").ok());
      EXPECT_EQ(h.status(), RpcResponseHeaderProto::SUCCESS);
      EXPECT_EQ(h.client_id(), std::string(16, 'c'));  // echoed
      EXPECT_EQ(h.server_ipc_version_num(), 9u);
      proto::GetApplicationReportResponse resp;
      ASSERT_TRUE(ReadDelimited(&rest, &resp, "resp").ok());
      EXPECT_EQ(resp.application_report().user(), "carol");
      ids.push_back(h.call_id());
    }
  }
  ::close(fd);
  EXPECT_EQ(ids, (std::vector<uint32_t>{10, 11, 12}));  // pings got no answer
}

TEST_F(HadoopRpcServerTest, MalformedInputGetsFatalOrCloseAndTheServerKeepsServing) {
  Start();
  RequestHeaderProto rh;
  rh.set_method_name("getApplicationReport");
  rh.set_declaring_class_protocol_name(kClientProtocol);
  rh.set_client_protocol_version(1);

  // Wrong magic.
  auto [h1, closed1] = SendRaw(std::string("hrpX\x09\x00\x00", 7));
  EXPECT_TRUE(closed1);
  ExpectHealthy();
  // Wrong version: Hadoop's version-mismatch answer.
  auto [h2, closed2] = SendRaw(std::string("hrpc\x07\x00\x00", 7));
  ASSERT_TRUE(h2.has_value());
  EXPECT_EQ(h2->status(), RpcResponseHeaderProto::FATAL);
  EXPECT_EQ(h2->exception_class_name(), "org.apache.hadoop.ipc.RPC$VersionMismatch");
  EXPECT_EQ(h2->error_detail(), RpcResponseHeaderProto::FATAL_VERSION_MISMATCH);
  EXPECT_TRUE(closed2);
  // A packet longer than ipc.maximum.data.length: refused before anything is buffered.
  auto [h3, closed3] = SendRaw(EncodePreamble(kAuthNone) + std::string("\x7f\xff\xff\xff", 4));
  ASSERT_TRUE(h3.has_value());
  EXPECT_NE(h3->error_msg().find("ipc.maximum.data.length"), std::string::npos);
  EXPECT_TRUE(closed3);
  // A call before the connection context.
  proto::GetApplicationReportRequest req;
  auto [h4, closed4] =
      SendRaw(EncodePreamble(kAuthNone) + EncodeRequest(CallHeader(0), {&rh, &req}));
  ASSERT_TRUE(h4.has_value());
  EXPECT_EQ(h4->error_msg(), "Connection context not established");
  EXPECT_TRUE(closed4);
  // Garbage where the header should be.
  auto [h5, closed5] =
      SendRaw(EncodePreamble(kAuthNone) + std::string("\x00\x00\x00\x04\xff\xff\xff\xff", 8));
  EXPECT_TRUE(closed5);
  ExpectHealthy();
  // Garbage request protobuf after a valid header: FATAL_DESERIALIZING_REQUEST.
  std::string garbage_call = EncodePreamble(kAuthNone) + Context("dave");
  {
    std::string payload;
    AppendDelimited(CallHeader(1), &payload);
    AppendDelimited(rh, &payload);
    payload += std::string("\x05\xff\xff\xff\xff\xff", 6);  // 5 bytes that are no protobuf
    uint32_t n = static_cast<uint32_t>(payload.size());
    garbage_call += std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                                static_cast<char>(n >> 8), static_cast<char>(n)} +
                    payload;
  }
  auto [h6, closed6] = SendRaw(garbage_call);
  ASSERT_TRUE(h6.has_value());
  EXPECT_EQ(h6->error_detail(), RpcResponseHeaderProto::FATAL_DESERIALIZING_REQUEST);
  EXPECT_TRUE(closed6);
  // An unknown out-of-band call id, and a SASL message on a NONE connection.
  auto [h7, closed7] = SendRaw(EncodePreamble(kAuthNone) + EncodeRequest(CallHeader(-77), {}));
  ASSERT_TRUE(h7.has_value());
  EXPECT_NE(h7->error_msg().find("-77"), std::string::npos);
  EXPECT_TRUE(closed7);
  RpcSaslProto sasl;
  sasl.set_state(RpcSaslProto::NEGOTIATE);
  auto [h8, closed8] = SendRaw(EncodePreamble(kAuthNone) + EncodeRequest(CallHeader(-33), {&sasl}));
  EXPECT_TRUE(closed8);
  // SASL DIGEST-MD5 asked of a SIMPLE-only port: a clear refusal.
  RpcSaslProto initiate;
  initiate.set_state(RpcSaslProto::INITIATE);
  auto* auth = initiate.add_auths();
  auth->set_method("TOKEN");
  auth->set_mechanism("DIGEST-MD5");
  auto [h9, closed9] =
      SendRaw(EncodePreamble(kAuthSasl) + EncodeRequest(CallHeader(-33), {&initiate}));
  ASSERT_TRUE(h9.has_value());
  EXPECT_NE(h9->error_msg().find("DIGEST-MD5"), std::string::npos);
  EXPECT_TRUE(closed9);
  // A context without a user.
  IpcConnectionContextProto anonymous;
  auto [h10, closed10] =
      SendRaw(EncodePreamble(kAuthNone) + EncodeRequest(CallHeader(-3), {&anonymous}));
  ASSERT_TRUE(h10.has_value());
  EXPECT_EQ(h10->exception_class_name(), kAccessControlException);
  EXPECT_TRUE(closed10);
  ExpectHealthy();
}

TEST_F(HadoopRpcServerTest, TruncatedPacketDoesNotStallOtherClients) {
  ServerOptions o;
  o.max_idle = absl::Milliseconds(500);
  Start(o);
  std::string error;
  int stuck = ConnectTcp(address_, &error);
  ASSERT_GE(stuck, 0);
  std::string half = EncodePreamble(kAuthNone) + std::string("\x00\x00\x10\x00partial", 11);
  ASSERT_GT(::send(stuck, half.data(), half.size(), MSG_NOSIGNAL), 0);
  ExpectHealthy();  // served while the other connection waits mid-packet
  // The stalled connection is closed after max_idle.
  timeval tv{10, 0};
  ::setsockopt(stuck, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  char buf[16];
  EXPECT_EQ(::recv(stuck, buf, sizeof(buf), 0), 0);
  ::close(stuck);
}

TEST_F(HadoopRpcServerTest, ConnectionCountIsBounded) {
  ServerOptions o;
  o.max_connections = 2;
  Start(o);
  auto a = Client();
  auto b = Client();
  proto::GetApplicationReportRequest req;
  req.mutable_application_id()->set_id(1);
  proto::GetApplicationReportResponse resp;
  ASSERT_TRUE(a->Call("getApplicationReport", req, &resp).ok());
  ASSERT_TRUE(b->Call("getApplicationReport", req, &resp).ok());
  auto c = Client();
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->Call("getApplicationReport", req, &resp).ok());
  a.reset();
  // Once a slot frees, a new connection is served again.
  bool served = false;
  for (int i = 0; i < 200 && !served; ++i) {
    auto d = Client();
    served = d != nullptr && d->Call("getApplicationReport", req, &resp).ok();
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_TRUE(served);
}

TEST_F(HadoopRpcServerTest, GrpcAndHttpShareThePort) {
  Start();
  auto stub = proto::ApplicationClientProtocol::NewStub(MakeChannel(address_));
  auto ctx = MakeClientContext(std::chrono::seconds(10), "erin");
  proto::GetApplicationReportRequest req;
  req.mutable_application_id()->set_id(1);
  proto::GetApplicationReportResponse resp;
  grpc::Status s = stub->GetApplicationReport(ctx.get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.application_report().user(), "erin");
  EXPECT_EQ(resp.application_report().queue(), "grpc");
  // A browser pointed at the RPC port gets a plain answer, not a hang.
  std::string error;
  int fd = ConnectTcp(address_, &error);
  std::string get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_GT(::send(fd, get.data(), get.size(), MSG_NOSIGNAL), 0);
  char buf[512];
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
  ASSERT_GT(n, 0);
  EXPECT_NE(std::string(buf, static_cast<size_t>(n)).find("webapp.address"), std::string::npos);
  ::close(fd);
  ExpectHealthy();
}

}  // namespace
}  // namespace skein::hrpc

namespace skein::hrpc {
namespace {

bool WaitForCondition(const std::function<bool()>& f, absl::Duration timeout) {
  absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return f();
}

// A standby's gRPC server: refuses every method (as resourcemanager/ha's RefuseAllService).
class RefuseAll final : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext*) override {
    class Refusal final : public grpc::ServerGenericBidiReactor {
     public:
      Refusal() { Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "not Active")); }
      void OnDone() override { delete this; }
    };
    return new Refusal();
  }
};

// What an HA transition does to the client port: the standby's server behind the shared port
// (refusing every call) is replaced by the active's on the same port while a client keeps
// calling. The client must reach the new server.
TEST(SharedPortRestartTest, GrpcClientReachesTheServerThatReplacedAStandby) {
  MethodTable methods;
  HadoopRpcServer ipc(methods, ServerOptions());
  RefuseAll refuse;
  GrpcClientService service;
  grpc::ServerBuilder standby_builder;
  standby_builder.RegisterCallbackGenericService(&refuse);
  int standby_port = 0;
  standby_builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &standby_port);
  std::unique_ptr<grpc::Server> standby = standby_builder.BuildAndStart();
  auto standby_listener = SharedPortListener::Start(
      "127.0.0.1:0", "test.address", "127.0.0.1:" + std::to_string(standby_port), &ipc);
  ASSERT_TRUE(standby_listener.ok());
  const std::string address = "127.0.0.1:" + std::to_string((*standby_listener)->port());
  auto stub = proto::ApplicationClientProtocol::NewStub(MakeChannel(address));
  proto::GetApplicationReportRequest req;
  req.mutable_application_id()->set_id(1);
  proto::GetApplicationReportResponse resp;
  std::atomic<bool> stop{false};
  std::atomic<int> ok_calls{0};
  std::thread caller([&] {
    while (!stop) {
      auto ctx = MakeClientContext(std::chrono::seconds(2), "c");
      proto::GetApplicationReportResponse r;
      if (stub->GetApplicationReport(ctx.get(), req, &r).ok()) ok_calls++;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(ok_calls.load(), 0);
  (*standby_listener)->Stop();
  standby->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  standby_listener->reset();
  standby.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the port is closed meanwhile
  grpc::ServerBuilder active_builder;
  active_builder.RegisterService(&service);
  int active_port = 0;
  active_builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &active_port);
  std::unique_ptr<grpc::Server> active = active_builder.BuildAndStart();
  auto active_listener = SharedPortListener::Start(
      address, "test.address", "127.0.0.1:" + std::to_string(active_port), &ipc);
  ASSERT_TRUE(active_listener.ok()) << active_listener.status();
  EXPECT_TRUE(WaitForCondition([&] { return ok_calls.load() > 0; }, absl::Seconds(10)));
  stop = true;
  caller.join();
  (*active_listener)->Stop();
  active->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  ipc.Shutdown();
}

// What an HA transition does to the client port: the server behind the shared port is replaced
// by a new one on the same port. A gRPC client that was connected must reach the new one.
TEST(SharedPortRestartTest, GrpcClientReachesTheServerThatReplacedTheOldOne) {
  MethodTable methods;
  HadoopRpcServer ipc(methods, ServerOptions());
  GrpcClientService service_a, service_b;
  auto start = [&](GrpcClientService& svc, const std::string& address,
                   std::unique_ptr<grpc::Server>* server,
                   std::unique_ptr<SharedPortListener>* listener) {
    grpc::ServerBuilder builder;
    builder.RegisterService(&svc);
    int grpc_port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &grpc_port);
    *server = builder.BuildAndStart();
    ASSERT_NE(*server, nullptr);
    auto l = SharedPortListener::Start(address, "test.address",
                                       "127.0.0.1:" + std::to_string(grpc_port), &ipc);
    ASSERT_TRUE(l.ok()) << l.status();
    *listener = std::move(*l);
  };
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<SharedPortListener> listener;
  start(service_a, "127.0.0.1:0", &server, &listener);
  const std::string address = "127.0.0.1:" + std::to_string(listener->port());
  auto stub = proto::ApplicationClientProtocol::NewStub(MakeChannel(address));
  proto::GetApplicationReportRequest req;
  req.mutable_application_id()->set_id(1);
  proto::GetApplicationReportResponse resp;
  {
    auto ctx = MakeClientContext(std::chrono::seconds(5), "a");
    ASSERT_TRUE(stub->GetApplicationReport(ctx.get(), req, &resp).ok());
  }
  listener->Stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  listener.reset();
  server.reset();
  start(service_b, address, &server, &listener);
  bool reached = false;
  for (int i = 0; i < 50 && !reached; ++i) {
    auto ctx = MakeClientContext(std::chrono::seconds(2), "b");
    reached = stub->GetApplicationReport(ctx.get(), req, &resp).ok();
    if (!reached) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(reached);
  listener->Stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  ipc.Shutdown();
}

}  // namespace
}  // namespace skein::hrpc
