#include "common/conf/remote_log_dir.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace skein::conf {

absl::StatusOr<RemoteLogDir> ReadRemoteLogDir(const Configuration& conf) {
  constexpr char kRootKey[] = "yarn.nodemanager.remote-app-log-dir";
  constexpr char kSuffixKey[] = "yarn.nodemanager.remote-app-log-dir-suffix";
  RemoteLogDir dir;
  dir.root = conf.Get(kRootKey, "/tmp/logs");
  if (absl::StartsWith(dir.root, "file://")) dir.root = dir.root.substr(7);
  if (dir.root.empty() || dir.root[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat(kRootKey, "='", conf.Get(kRootKey, ""),
                     "' must be an absolute local path (or a file:// URL)"));
  }
  dir.suffix = conf.Get(kSuffixKey, "logs");
  if (dir.suffix.empty() || absl::StrContains(dir.suffix, '/') || dir.suffix == "." ||
      dir.suffix == "..") {
    return absl::InvalidArgumentError(
        absl::StrCat(kSuffixKey, "='", dir.suffix, "' must be a plain directory name"));
  }
  return dir;
}

}  // namespace skein::conf
