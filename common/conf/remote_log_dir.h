// Where aggregated logs live: yarn.nodemanager.remote-app-log-dir and its -suffix, read and
// checked once for everything that uses them (the NodeManagers write there, the RM's retention
// deletes from there).
//
// Thread rules: pure function; any thread.
#ifndef SKEIN_COMMON_CONF_REMOTE_LOG_DIR_H_
#define SKEIN_COMMON_CONF_REMOTE_LOG_DIR_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/conf/configuration.h"

namespace skein::conf {

struct RemoteLogDir {
  std::string root;    // absolute local path (a file:// URL's path)
  std::string suffix;  // plain directory name
};

// Hadoop takes any FileSystem URI; Skein reads and writes a local (or locally mounted) path, so
// the root must be absolute or a file:// URL, and the suffix one plain directory name. Errors are
// InvalidArgument naming the key and the value.
absl::StatusOr<RemoteLogDir> ReadRemoteLogDir(const Configuration& conf);

}  // namespace skein::conf

#endif  // SKEIN_COMMON_CONF_REMOTE_LOG_DIR_H_
