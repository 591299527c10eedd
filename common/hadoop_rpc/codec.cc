#include "common/hadoop_rpc/codec.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace skein::hrpc {
namespace {

uint32_t ReadBigEndian32(const char* p) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(p[0])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(p[3]));
}

void AppendBigEndian32(uint32_t v, std::string* out) {
  out->push_back(static_cast<char>(v >> 24));
  out->push_back(static_cast<char>(v >> 16));
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}

void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// A varint32 from the front of *in (protobuf's delimiter); false when truncated or too long.
bool ReadVarint32(absl::string_view* in, uint32_t* value) {
  uint64_t result = 0;
  for (size_t i = 0; i < 5; ++i) {
    if (i >= in->size()) return false;
    uint8_t b = static_cast<uint8_t>((*in)[i]);
    result |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      if (result > UINT32_MAX) return false;
      *value = static_cast<uint32_t>(result);
      in->remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

}  // namespace

ConnectionKind SniffConnection(absl::string_view first) {
  if (absl::StartsWith(first, "hrpc")) return ConnectionKind::kHadoopIpc;
  for (absl::string_view verb : {"GET ", "POST", "HEAD", "PUT ", "OPTI", "DELE"}) {
    if (absl::StartsWith(first, verb)) return ConnectionKind::kHttp;
  }
  return ConnectionKind::kOther;
}

absl::Status ParsePreamble(absl::string_view bytes, Preamble* out) {
  if (bytes.size() < kPreambleSize) {
    return absl::InvalidArgumentError(absl::StrCat("truncated Hadoop IPC preamble: ", bytes.size(),
                                                   " of ", kPreambleSize, " bytes"));
  }
  if (bytes.substr(0, 4) != "hrpc") {
    return absl::InvalidArgumentError(
        absl::StrCat("not a Hadoop IPC connection: preamble starts with '",
                     absl::CHexEscape(bytes.substr(0, 4)), "' instead of 'hrpc'"));
  }
  out->version = static_cast<uint8_t>(bytes[4]);
  out->service_class = static_cast<uint8_t>(bytes[5]);
  out->auth_protocol = static_cast<uint8_t>(bytes[6]);
  if (out->version != kIpcVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("Hadoop IPC version ", out->version, " is not supported; this server speaks ",
                     kIpcVersion, " (Hadoop 2.x and 3.x clients)"));
  }
  if (out->auth_protocol != kAuthNone && out->auth_protocol != kAuthSasl) {
    return absl::InvalidArgumentError(absl::StrCat("unknown auth protocol ", out->auth_protocol,
                                                   " in the preamble (expected 0 or 0xDF)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> FrameReader::Next() {
  if (!failed_.ok()) return failed_;
  if (buffered() < 4) return std::optional<std::string>();
  uint32_t raw = ReadBigEndian32(buffer_.data() + offset_);
  if (static_cast<int32_t>(raw) < 0 || raw > max_length_) {
    failed_ = absl::ResourceExhaustedError(absl::StrCat(
        "RPC data length ", static_cast<int32_t>(raw), " is out of range: the limit is ",
        max_length_, " bytes (ipc.maximum.data.length)"));
    return failed_;
  }
  if (buffered() < 4 + static_cast<size_t>(raw)) return std::optional<std::string>();
  std::string packet = buffer_.substr(offset_ + 4, raw);
  offset_ += 4 + raw;
  // Compact once the consumed prefix dominates, so a long-lived connection stays small.
  if (offset_ > 4096 && offset_ * 2 > buffer_.size()) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  return std::optional<std::string>(std::move(packet));
}

absl::Status ReadDelimited(absl::string_view* in, google::protobuf::MessageLite* msg,
                           absl::string_view what) {
  absl::string_view bytes;
  if (auto s = ReadDelimitedBytes(in, &bytes, what); !s.ok()) return s;
  if (!msg->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed ", what, " (", bytes.size(), " bytes)"));
  }
  return absl::OkStatus();
}

absl::Status ReadDelimitedBytes(absl::string_view* in, absl::string_view* bytes,
                                absl::string_view what) {
  uint32_t size = 0;
  if (!ReadVarint32(in, &size)) {
    return absl::InvalidArgumentError(absl::StrCat("truncated length of ", what));
  }
  if (size > in->size()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " claims ", size, " bytes but only ",
                                                   in->size(), " remain in the packet"));
  }
  *bytes = in->substr(0, size);
  in->remove_prefix(size);
  return absl::OkStatus();
}

void AppendDelimited(const google::protobuf::MessageLite& msg, std::string* out) {
  size_t size = msg.ByteSizeLong();
  AppendVarint(size, out);
  size_t at = out->size();
  out->resize(at + size);
  msg.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(&(*out)[at]));
}

absl::Status ParseRequestHeader(absl::string_view packet, RpcRequestHeaderProto* header,
                                absl::string_view* rest) {
  *rest = packet;
  if (auto s = ReadDelimited(rest, header, "RpcRequestHeaderProto"); !s.ok()) return s;
  if (!header->has_call_id()) {
    return absl::InvalidArgumentError("RpcRequestHeaderProto has no callId");
  }
  if (!header->has_rpc_op()) {
    return absl::InvalidArgumentError("RpcRequestHeaderProto has no rpcOp");
  }
  if (header->rpc_op() != RpcRequestHeaderProto::RPC_FINAL_PACKET) {
    return absl::UnimplementedError(
        absl::StrCat("rpcOp ", RpcRequestHeaderProto::OperationProto_Name(header->rpc_op()),
                     " is not supported (only RPC_FINAL_PACKET)"));
  }
  if (!header->has_rpc_kind()) {
    return absl::InvalidArgumentError("RpcRequestHeaderProto has no rpcKind");
  }
  if (header->rpc_kind() != RPC_PROTOCOL_BUFFER) {
    return absl::UnimplementedError(absl::StrCat(
        "rpcKind ", RpcKindProto_Name(header->rpc_kind()),
        " is not supported: this server speaks the protobuf engine (RPC_PROTOCOL_BUFFER)"));
  }
  return absl::OkStatus();
}

std::string EncodeResponse(const RpcResponseHeaderProto& header,
                           const google::protobuf::MessageLite* body) {
  std::string payload;
  AppendDelimited(header, &payload);
  if (body != nullptr) AppendDelimited(*body, &payload);
  std::string out;
  out.reserve(4 + payload.size());
  AppendBigEndian32(static_cast<uint32_t>(payload.size()), &out);
  out += payload;
  return out;
}

std::string EncodeResponsePrefix(const RpcResponseHeaderProto& header, size_t body_size) {
  std::string head;
  AppendDelimited(header, &head);
  AppendVarint(body_size, &head);
  std::string out;
  out.reserve(4 + head.size());
  AppendBigEndian32(static_cast<uint32_t>(head.size() + body_size), &out);
  out += head;
  return out;
}

std::string EncodeRequest(const RpcRequestHeaderProto& header,
                          std::initializer_list<const google::protobuf::MessageLite*> body) {
  std::string payload;
  AppendDelimited(header, &payload);
  for (const auto* m : body) AppendDelimited(*m, &payload);
  std::string out;
  AppendBigEndian32(static_cast<uint32_t>(payload.size()), &out);
  out += payload;
  return out;
}

std::string EncodePreamble(uint8_t auth_protocol) {
  std::string out = "hrpc";
  out.push_back(static_cast<char>(kIpcVersion));
  out.push_back(0);
  out.push_back(static_cast<char>(auth_protocol));
  return out;
}

}  // namespace skein::hrpc
