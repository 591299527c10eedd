#include "common/hadoop_rpc/codec.h"

#include "gtest/gtest.h"
#include "protos/client_protocol.pb.h"

namespace skein::hrpc {
namespace {

std::string Frame(absl::string_view payload) {
  std::string out;
  uint32_t n = static_cast<uint32_t>(payload.size());
  out.push_back(static_cast<char>(n >> 24));
  out.push_back(static_cast<char>(n >> 16));
  out.push_back(static_cast<char>(n >> 8));
  out.push_back(static_cast<char>(n));
  out.append(payload.data(), payload.size());
  return out;
}

TEST(PreambleTest, AcceptsVersion9WithNoneOrSasl) {
  Preamble p;
  ASSERT_TRUE(ParsePreamble(EncodePreamble(kAuthNone), &p).ok());
  EXPECT_EQ(p.version, 9);
  EXPECT_EQ(p.auth_protocol, 0);
  ASSERT_TRUE(ParsePreamble(EncodePreamble(kAuthSasl), &p).ok());
  EXPECT_EQ(p.auth_protocol, 0xDF);
  // The bytes a Java client sends: 68 72 70 63 09 00 DF (hadoop-wire.md 2.5).
  ASSERT_TRUE(ParsePreamble(std::string("\x68\x72\x70\x63\x09\x00\xdf", 7), &p).ok());
}

TEST(PreambleTest, ErrorsNameWhatIsWrong) {
  Preamble p;
  absl::Status magic = ParsePreamble(std::string("hrpX\x09\x00\x00", 7), &p);
  EXPECT_EQ(magic.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(magic.message().find("hrpX"), std::string::npos) << magic;
  absl::Status version = ParsePreamble(std::string("hrpc\x07\x00\x00", 7), &p);
  EXPECT_EQ(version.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(version.message().find("version 7"), std::string::npos) << version;
  EXPECT_EQ(p.version, 7);
  absl::Status auth = ParsePreamble(std::string("hrpc\x09\x00\x51", 7), &p);
  EXPECT_NE(auth.message().find("auth protocol 81"), std::string::npos) << auth;
  EXPECT_FALSE(ParsePreamble("hrpc", &p).ok());
}

TEST(SniffTest, TellsHadoopFromHttpFromGrpc) {
  EXPECT_EQ(SniffConnection("hrpc"), ConnectionKind::kHadoopIpc);
  EXPECT_EQ(SniffConnection("GET /"), ConnectionKind::kHttp);
  EXPECT_EQ(SniffConnection("PRI * HTTP/2.0"), ConnectionKind::kOther);  // gRPC's preface
}

TEST(FrameReaderTest, SplitsPacketsAcrossArbitraryChunks) {
  std::string stream = Frame("one") + Frame("") + Frame(std::string(70000, 'x'));
  FrameReader reader(1 << 20);
  std::vector<std::string> got;
  for (char c : stream) {  // one byte at a time: the worst fragmentation TCP can deliver
    reader.Append(absl::string_view(&c, 1));
    for (;;) {
      auto next = reader.Next();
      ASSERT_TRUE(next.ok()) << next.status();
      if (!next->has_value()) break;
      got.push_back(**next);
    }
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], "one");
  EXPECT_EQ(got[1], "");
  EXPECT_EQ(got[2].size(), 70000u);
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(FrameReaderTest, RefusesOversizedAndNegativeLengthsWithoutBuffering) {
  FrameReader reader(1024);
  reader.Append(std::string("\x00\x00\x04\x01", 4));  // 1025 > 1024
  auto next = reader.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(next.status().message().find("1025"), std::string::npos);
  EXPECT_NE(next.status().message().find("ipc.maximum.data.length"), std::string::npos);
  EXPECT_FALSE(reader.Next().ok());  // stays failed

  FrameReader negative(1024);
  negative.Append(std::string("\xff\xff\xff\xfe", 4));
  auto neg = negative.Next();
  ASSERT_FALSE(neg.ok());
  EXPECT_NE(neg.status().message().find("-2"), std::string::npos) << neg.status();
}

TEST(RequestHeaderTest, RoundTripsAHadoopCall) {
  RpcRequestHeaderProto h;
  h.set_rpc_kind(RPC_PROTOCOL_BUFFER);
  h.set_rpc_op(RpcRequestHeaderProto::RPC_FINAL_PACKET);
  h.set_call_id(-33);
  h.set_client_id("");
  RequestHeaderProto rh;
  rh.set_method_name("getApplicationReport");
  rh.set_declaring_class_protocol_name("org.apache.hadoop.yarn.api.ApplicationClientProtocolPB");
  rh.set_client_protocol_version(1);
  proto::GetApplicationReportRequest req;
  req.mutable_application_id()->set_id(7);
  std::string packet = EncodeRequest(h, {&rh, &req});
  FrameReader reader(1 << 20);
  reader.Append(packet);
  auto frame = reader.Next();
  ASSERT_TRUE(frame.ok() && frame->has_value());
  RpcRequestHeaderProto parsed;
  absl::string_view rest;
  ASSERT_TRUE(ParseRequestHeader(**frame, &parsed, &rest).ok());
  EXPECT_EQ(parsed.call_id(), -33);  // sint32: zigzag on the wire
  RequestHeaderProto prh;
  ASSERT_TRUE(ReadDelimited(&rest, &prh, "RequestHeaderProto").ok());
  EXPECT_EQ(prh.method_name(), "getApplicationReport");
  absl::string_view body;
  ASSERT_TRUE(ReadDelimitedBytes(&rest, &body, "body").ok());
  proto::GetApplicationReportRequest back;
  ASSERT_TRUE(back.ParseFromArray(body.data(), static_cast<int>(body.size())));
  EXPECT_EQ(back.application_id().id(), 7);
  EXPECT_TRUE(rest.empty());
}

TEST(RequestHeaderTest, RefusesWhatHadoopRefuses) {
  auto check = [](const RpcRequestHeaderProto& h, absl::string_view needle) {
    std::string payload;
    AppendDelimited(h, &payload);
    RpcRequestHeaderProto out;
    absl::string_view rest;
    absl::Status s = ParseRequestHeader(payload, &out, &rest);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find(needle), std::string::npos) << s;
  };
  RpcRequestHeaderProto h;
  h.set_call_id(1);
  check(h, "rpcOp");
  h.set_rpc_op(RpcRequestHeaderProto::RPC_CONTINUATION_PACKET);
  check(h, "RPC_CONTINUATION_PACKET");
  h.set_rpc_op(RpcRequestHeaderProto::RPC_FINAL_PACKET);
  check(h, "rpcKind");
  h.set_rpc_kind(RPC_WRITABLE);
  check(h, "RPC_WRITABLE");
  // A delimiter longer than the packet, and garbage bytes.
  RpcRequestHeaderProto out;
  absl::string_view rest;
  EXPECT_FALSE(ParseRequestHeader(std::string("\x7f\x01", 2), &out, &rest).ok());
  EXPECT_FALSE(ParseRequestHeader(std::string("\x03\xff\xff\xff", 4), &out, &rest).ok());
  EXPECT_FALSE(ParseRequestHeader(std::string("\xff\xff\xff\xff\xff\xff", 6), &out, &rest).ok());
}

TEST(ResponseTest, ErrorCallIdIsUnsignedOnTheWire) {
  RpcResponseHeaderProto h;
  h.set_call_id(static_cast<uint32_t>(-33));
  h.set_status(RpcResponseHeaderProto::SUCCESS);
  std::string packet = EncodeResponse(h, nullptr);
  FrameReader reader(1024);
  reader.Append(packet);
  auto frame = reader.Next();
  ASSERT_TRUE(frame.ok() && frame->has_value());
  absl::string_view rest = **frame;
  RpcResponseHeaderProto back;
  ASSERT_TRUE(ReadDelimited(&rest, &back, "header").ok());
  EXPECT_EQ(back.call_id(), 0xFFFFFFDFu);
}

}  // namespace
}  // namespace skein::hrpc
