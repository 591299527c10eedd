// A minimal blocking Hadoop IPC client (SIMPLE authentication, one call at a time): what Skein's
// tests and benchmarks use to speak to its own Hadoop IPC servers the way Java clients do. Not
// used by Skein's daemons or its `yarn` command (they speak gRPC).
//
//   auto client = HadoopRpcClient::Connect("127.0.0.1:8032", "alice", kClientProtocol);
//   proto::GetClusterMetricsResponse resp;
//   absl::Status s = (*client)->Call("getClusterMetrics", proto::GetClusterMetricsRequest(),
//   &resp);
//
// A remote ERROR comes back as a Status whose message is "<java class>: <message>" and whose Java
// class JavaException() returns. Thread rules: one thread per client.
#ifndef SKEIN_COMMON_HADOOP_RPC_CLIENT_H_
#define SKEIN_COMMON_HADOOP_RPC_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/hadoop_rpc/codec.h"
#include "google/protobuf/message_lite.h"

namespace skein::hrpc {

class HadoopRpcClient {
 public:
  struct Options {
    bool sasl = false;  // open with auth byte SASL and negotiate (as a Java client with tokens)
    absl::Duration timeout = absl::Seconds(30);
  };

  static absl::StatusOr<std::unique_ptr<HadoopRpcClient>> Connect(absl::string_view address,
                                                                  absl::string_view user,
                                                                  absl::string_view protocol,
                                                                  const Options& options);
  static absl::StatusOr<std::unique_ptr<HadoopRpcClient>> Connect(absl::string_view address,
                                                                  absl::string_view user,
                                                                  absl::string_view protocol) {
    return Connect(address, user, protocol, Options());
  }
  ~HadoopRpcClient();

  absl::Status Call(absl::string_view method, const google::protobuf::MessageLite& request,
                    google::protobuf::MessageLite* response);

  // Sends raw bytes / reads one raw response packet: for tests of malformed input.
  absl::Status SendRaw(absl::string_view bytes);
  absl::StatusOr<std::string> ReadPacket();
  // True when the server closed the connection (EOF within `wait`).
  bool ClosedByServer(absl::Duration wait);

  int fd() const { return fd_; }

 private:
  HadoopRpcClient(int fd, std::string protocol, absl::Duration timeout)
      : fd_(fd), protocol_(std::move(protocol)), timeout_(timeout) {}

  int fd_;
  std::string protocol_;
  absl::Duration timeout_;
  std::string client_id_ = std::string(16, '\x5a');
  int32_t next_call_id_ = 0;
  FrameReader reader_{kDefaultMaxDataLength};
};

// Opens a TCP connection to "host:port" (loopback in tests); -1 with *error on failure.
int ConnectTcp(absl::string_view address, std::string* error);

// Writes `head` then `body` completely (sendmsg of both, so a large body is not copied behind
// the head first; MSG_NOSIGNAL). False when the peer is gone or the send timed out.
bool SendAll(int fd, absl::string_view head, absl::string_view body = {});

}  // namespace skein::hrpc

#endif  // SKEIN_COMMON_HADOOP_RPC_CLIENT_H_
