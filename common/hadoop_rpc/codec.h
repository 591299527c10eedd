// Hadoop IPC (protobuf engine, version 9) on the wire: pure functions from bytes to messages and
// back, no sockets, no threads — so the fuzz target (codec_fuzz.cc) and the tests drive it alone.
//
// A connection starts with a 7-byte preamble ("hrpc", version 9, service class, auth protocol).
// Then every packet in both directions is a 4-byte big-endian length followed by
// varint-delimited protobuf messages: a request is RpcRequestHeaderProto, then (for calls)
// RequestHeaderProto and the request message; a response is RpcResponseHeaderProto, then the
// response message on success. Special call ids: -3 connection context, -4 ping, -33 SASL.
//
// Thread rules: everything here is thread-compatible (FrameReader is one connection's).
#ifndef SKEIN_COMMON_HADOOP_RPC_CODEC_H_
#define SKEIN_COMMON_HADOOP_RPC_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message_lite.h"
#include "protos/hadoop_rpc.pb.h"

namespace skein::hrpc {

inline constexpr uint8_t kIpcVersion = 9;   // Hadoop's RpcConstants.CURRENT_VERSION
inline constexpr size_t kPreambleSize = 7;  // "hrpc" + version + class + auth
inline constexpr int32_t kConnectionContextCallId = -3;
inline constexpr int32_t kPingCallId = -4;
inline constexpr int32_t kSaslCallId = -33;
inline constexpr uint8_t kAuthNone = 0x00;  // SIMPLE without SASL
inline constexpr uint8_t kAuthSasl = 0xDF;  // -33 as a byte
// Hadoop's ipc.maximum.data.length default: the largest packet a server accepts.
inline constexpr size_t kDefaultMaxDataLength = 128u << 20;

struct Preamble {
  uint8_t version = 0;
  uint8_t service_class = 0;
  uint8_t auth_protocol = 0;
};

// What the first bytes of a connection say it is (4 bytes suffice).
enum class ConnectionKind { kHadoopIpc, kHttp, kOther };
ConnectionKind SniffConnection(absl::string_view first_bytes);

// Parses the 7-byte preamble. Errors name what was wrong: not "hrpc", a version other than 9, or
// an auth protocol other than NONE (0) / SASL (0xDF). `Preamble` is filled even on a version
// error, so the caller can answer with a version-mismatch response.
absl::Status ParsePreamble(absl::string_view bytes, Preamble* out);

// Splits a byte stream into packets: 4-byte big-endian length + payload. A length above
// `max_length` (or negative) is an error that names both, and the reader stays failed.
class FrameReader {
 public:
  explicit FrameReader(size_t max_length) : max_length_(max_length) {}

  void Append(absl::string_view data) { buffer_.append(data.data(), data.size()); }

  // The next complete packet's payload; nullopt when more bytes are needed.
  absl::StatusOr<std::optional<std::string>> Next();

  // Bytes received but not yet returned (a partial packet).
  size_t buffered() const { return buffer_.size() - offset_; }

 private:
  size_t max_length_;
  std::string buffer_;
  size_t offset_ = 0;
  absl::Status failed_;
};

// Reads one varint-delimited message from the front of *in and advances it. `what` names the
// message in errors ("RpcRequestHeaderProto").
absl::Status ReadDelimited(absl::string_view* in, google::protobuf::MessageLite* msg,
                           absl::string_view what);

// Takes one varint-delimited message's bytes (unparsed) from the front of *in.
absl::Status ReadDelimitedBytes(absl::string_view* in, absl::string_view* bytes,
                                absl::string_view what);

// Appends a varint-delimited message to *out.
void AppendDelimited(const google::protobuf::MessageLite& msg, std::string* out);

// Parses a request packet's RpcRequestHeaderProto and checks it as Hadoop's server does: the
// operation must be a final packet and the kind the protobuf engine. *rest gets what follows.
absl::Status ParseRequestHeader(absl::string_view packet, RpcRequestHeaderProto* header,
                                absl::string_view* rest);

// A whole response packet: 4-byte length + delimited header (+ delimited body, when not null).
std::string EncodeResponse(const RpcResponseHeaderProto& header,
                           const google::protobuf::MessageLite* body);

// Everything of a SUCCESS packet but the already serialized body's bytes: length, delimited
// header and the body's length prefix. A server sends this and then the body itself (writev), so a
// large response is not copied again.
std::string EncodeResponsePrefix(const RpcResponseHeaderProto& header, size_t body_size);

// A whole request packet (the client side; used by tests and benchmarks): 4-byte length +
// delimited header + each body message delimited.
std::string EncodeRequest(const RpcRequestHeaderProto& header,
                          std::initializer_list<const google::protobuf::MessageLite*> body);

// The 7-byte preamble a client sends.
std::string EncodePreamble(uint8_t auth_protocol);

}  // namespace skein::hrpc

#endif  // SKEIN_COMMON_HADOOP_RPC_CODEC_H_
