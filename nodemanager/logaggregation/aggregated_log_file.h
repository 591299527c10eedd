// Skein's aggregated log file: the logs of one application's containers on one node, written by
// the NodeManager when the application finishes to
//   <yarn.nodemanager.remote-app-log-dir>/<user>/<suffix>/<appId>/<host>_<port>
// and read by `yarn logs`. Our own simple format (Hadoop's TFile/IFile formats are not
// reproduced):
//
//   skein-aggregated-logs 1\n
//   then per container:   container <containerId> <number of files>\n
//   then per file:        file <name> <length> <last-modified-ms>\n<length bytes>\n
//
// Names never contain spaces or newlines (they are file names from the container's log dir).
// The file is written under a temporary name in the same directory and renamed, so a reader sees
// either nothing or the whole file.
//
// Thread rules: plain functions; any thread. They block on disk.
#ifndef SKEIN_NODEMANAGER_LOGAGGREGATION_AGGREGATED_LOG_FILE_H_
#define SKEIN_NODEMANAGER_LOGAGGREGATION_AGGREGATED_LOG_FILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/ids.h"

namespace skein::logs {

struct LogFile {
  std::string name;  // stdout, stderr, syslog, prelaunch.out, ...
  int64_t last_modified_ms = 0;
  std::string contents;
};

struct ContainerLogs {
  std::string container_id;
  std::vector<LogFile> files;  // sorted by name
};

// <root>/<user>/<suffix>/<appId>
std::string RemoteAppLogDir(absl::string_view root, absl::string_view user,
                            absl::string_view suffix, const ApplicationId& app);
// "<host>_<port>": the node's file name in the app's remote log dir (as YARN names it).
std::string NodeFileName(const NodeId& node);

// Reads every regular file of each `<log_dir>/<container>` directory given. Unreadable files are
// skipped; a missing directory contributes nothing.
std::vector<ContainerLogs> CollectContainerLogs(
    const std::vector<std::pair<std::string, std::string>>& container_dirs);

// Writes `containers` to `path` atomically (temporary file + rename); creates the parent
// directories. Errors name the path.
absl::Status WriteAggregatedLogFile(const std::string& path,
                                    const std::vector<ContainerLogs>& containers);
// Parses a file written by WriteAggregatedLogFile. A truncated or foreign file is
// DataLoss naming the path and the offset.
absl::StatusOr<std::vector<ContainerLogs>> ReadAggregatedLogFile(const std::string& path);

}  // namespace skein::logs

#endif  // SKEIN_NODEMANAGER_LOGAGGREGATION_AGGREGATED_LOG_FILE_H_
