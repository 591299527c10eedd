// Tests only: a REAL standalone ZooKeeper server (Debian's `zookeeper` package, run with `java`)
// on 127.0.0.1 and a free port, with its data in a fresh temporary directory. It never touches
// the system ZooKeeper service (port 2181) that the Debian package may have started.
//
//   SKIP_IF_NO_ZOOKEEPER();
//   auto zk = skein::testing::ZkTestServer::Start();
//   ASSERT_TRUE(zk.ok()) << zk.status();
//   ... (*zk)->connect_string() ...
//
// Thread rules: one test thread. Every wait is bounded.
#ifndef SKEIN_COMMON_TESTING_ZK_TEST_SERVER_H_
#define SKEIN_COMMON_TESTING_ZK_TEST_SERVER_H_

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/zk/zk_client.h"

namespace skein::testing {

// A port on 127.0.0.1 that was free a moment ago (bound to port 0 and released): for tests that
// must name fixed ports in a configuration before starting the processes that bind them.
absl::StatusOr<int> FreeLoopbackPort();

// The five RM address keys of every id in `rm_ids`, as "<key>.<id>" = "127.0.0.1:<free port>":
// the per-RM addresses of an HA test configuration. Empty when no port could be found.
std::map<std::string, std::string> FreeHaRmAddresses(const std::vector<std::string>& rm_ids);

// Polls `predicate` every 20 ms until it holds or `timeout` passes; returns its last value.
bool WaitUntil(const std::function<bool()>& predicate, absl::Duration timeout);

class ZkTestServer {
 public:
  struct Options {
    // ZooKeeper's tickTime: sessions may ask for 2..200 ticks (min/maxSessionTimeout).
    int tick_ms = 200;
    // How long Start/Restart wait for the server to accept a session.
    absl::Duration start_timeout = absl::Seconds(40);
  };

  // True when `java` and ZooKeeper's server jar are installed; otherwise `why` says what is
  // missing.
  static bool Available(std::string* why);

  static absl::StatusOr<std::unique_ptr<ZkTestServer>> Start(const Options& options);
  static absl::StatusOr<std::unique_ptr<ZkTestServer>> Start() { return Start(Options()); }

  ~ZkTestServer();  // Stop(), then removes the temporary directory
  ZkTestServer(const ZkTestServer&) = delete;
  ZkTestServer& operator=(const ZkTestServer&) = delete;

  // SIGTERM, then SIGKILL after 5 s. Idempotent. Data stays for Restart().
  void Stop();
  // Starts the server again on the same port and data (sessions survive if they have not
  // expired meanwhile) and waits until it accepts a session.
  absl::Status Restart();
  bool running() const { return pid_ > 0; }

  // Makes the server expire `client`'s session now: attaches a second handle to the same session
  // and closes it (ZooKeeper's documented way to test expiry), until an attach is refused as
  // expired (bounded). `client` sees kExpired when it next talks to the server.
  absl::Status ExpireSession(const zk::ZkClient& client);
  absl::Status ExpireSession(int64_t session_id, const std::string& password);

  int port() const { return port_; }
  std::string connect_string() const;  // "127.0.0.1:<port>"
  const std::string& dir() const { return dir_; }
  std::string log_path() const { return dir_ + "/zookeeper.log"; }

 private:
  ZkTestServer() = default;
  absl::Status Launch();

  Options options_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace skein::testing

// In a TEST body: skips the test with the printed reason when java or ZooKeeper are missing.
#define SKIP_IF_NO_ZOOKEEPER()                                        \
  do {                                                                \
    std::string skein_zk_why_;                                        \
    if (!::skein::testing::ZkTestServer::Available(&skein_zk_why_)) { \
      GTEST_SKIP() << "no ZooKeeper test server: " << skein_zk_why_;  \
    }                                                                 \
  } while (0)

#endif  // SKEIN_COMMON_TESTING_ZK_TEST_SERVER_H_
