// Tests only: one JVM running interop/java/*/src/SkeinInterop.java against a cluster — Hadoop's
// own CLI classes and YarnClient — started once per test binary and fed commands over a pipe.
//
//   auto peer = JavaPeer::Start("java/hadoop-3.5", cluster.conf_dir(), log_path);
//   auto r = (*peer)->Run({"cli", "ApplicationCLI", "application", "-list"});
//   r->exit_code, r->out
//
// The Hadoop jars come from scripts/fetch-interop.sh; a missing one is an error (the test fails).
// Thread rules: one test thread. Every call is bounded.
#ifndef SKEIN_TESTS_INTEROP_JAVA_PEER_H_
#define SKEIN_TESTS_INTEROP_JAVA_PEER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace skein::testing {

// The Hadoop client lines the interop tests run against, and their test-name suffixes.
inline const std::string kHadoopLines[] = {"java/hadoop-3.3", "java/hadoop-3.5"};
inline std::string HadoopLineName(const std::string& spec) {
  return spec == "java/hadoop-3.3" ? "Hadoop33" : "Hadoop35";
}

class JavaPeer {
 public:
  struct Answer {
    int exit_code = -1;
    std::string out;
  };

  // `spec`: the interop cache entry ("java/hadoop-3.3"). `conf_dir` goes first on the classpath
  // (Hadoop's clients find yarn-site.xml there); the JVM's stderr goes to `log_path`.
  static absl::StatusOr<std::unique_ptr<JavaPeer>> Start(const std::string& spec,
                                                         const std::string& conf_dir,
                                                         const std::string& log_path);
  ~JavaPeer();

  // One command (words joined by tabs); its output up to the end marker.
  absl::StatusOr<Answer> Run(const std::vector<std::string>& words,
                             absl::Duration timeout = absl::Seconds(120));

  const std::string& log_path() const { return log_path_; }

 private:
  JavaPeer() = default;
  absl::StatusOr<std::string> ReadLine(absl::Time deadline);

  pid_t pid_ = -1;
  int to_java_ = -1;
  int from_java_ = -1;
  std::string buffer_;
  std::string log_path_;
};

}  // namespace skein::testing

#endif  // SKEIN_TESTS_INTEROP_JAVA_PEER_H_
