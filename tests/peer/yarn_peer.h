// Apache Hadoop YARN itself as a peer for tests: starts interop/java/yarn-peer's YarnPeer (a real
// ResourceManager and NodeManagers of the pinned release, in one JVM) from a yarn-site.xml
// written here, waits for its "READY ..." line and stops it by closing its stdin.
//
// Thread rules: one test thread. Every wait is bounded.
#ifndef SKEIN_TESTS_PEER_YARN_PEER_H_
#define SKEIN_TESTS_PEER_YARN_PEER_H_

#include <sys/types.h>

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace skein::testing {

class YarnPeer {
 public:
  YarnPeer() = default;
  ~YarnPeer();  // Stop()
  YarnPeer(const YarnPeer&) = delete;
  YarnPeer& operator=(const YarnPeer&) = delete;

  // Launches `YarnPeer cluster <dir>/conf <num_nms>` with `properties` in <dir>/conf/yarn-site.xml
  // (plus 127.0.0.1 ephemeral addresses and the NM disk checker off). `interop_dir` is the fetched
  // java/yarn-peer (lib/, classes/). Returns at once; Wait() waits for READY.
  absl::Status Launch(const std::string& interop_dir, const std::string& dir, int num_nms,
                      const std::map<std::string, std::string>& properties);
  absl::Status WaitReady(absl::Duration timeout);
  // Closes stdin: the peer starts stopping its services (halting after at most 10 s).
  void RequestStop();
  // RequestStop() and reaps it (SIGKILL after 20 s).
  void Stop();

  // From the READY line: "rm", "scheduler", "tracker", "admin", "web", "nodes".
  std::string Get(const std::string& key) const;
  int web_port() const;
  const std::string& dir() const { return dir_; }

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::string dir_;
  std::map<std::string, std::string> ready_;
};

}  // namespace skein::testing

#endif  // SKEIN_TESTS_PEER_YARN_PEER_H_
