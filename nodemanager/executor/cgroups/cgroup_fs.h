// The cgroup filesystem behind a small seam: plain directory and file operations, so the cgroups
// manager can be unit-tested on a fake tree. Skein writes the cgroup files directly instead of
// going through libcgroup: the handful of operations it needs (mkdir, write a value, rmdir) are
// one system call each, and libcgroup adds a configuration layer and a dependency without
// making v1/v2 detection or error messages any better.
//
// Thread rules: implementations are stateless; any thread.
#ifndef SKEIN_NODEMANAGER_EXECUTOR_CGROUPS_CGROUP_FS_H_
#define SKEIN_NODEMANAGER_EXECUTOR_CGROUPS_CGROUP_FS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace skein::nm {

class CgroupFs {
 public:
  virtual ~CgroupFs() = default;
  // mkdir -p. Errors carry the path and errno text.
  virtual absl::Status MakeDirs(const std::string& path) = 0;
  // rmdir (the kernel refuses, FAILED_PRECONDITION, while tasks remain). A missing directory is
  // not an error.
  virtual absl::Status RemoveDir(const std::string& path) = 0;
  // Writes `value` to an existing control file (no create, no truncate semantics beyond the
  // kernel's).
  virtual absl::Status Write(const std::string& path, const std::string& value) = 0;
  virtual absl::StatusOr<std::string> Read(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
  // Names of the sub-directories of `path` (not recursive); empty when it does not exist.
  virtual std::vector<std::string> ListDirs(const std::string& path) = 0;
};

class RealCgroupFs final : public CgroupFs {
 public:
  absl::Status MakeDirs(const std::string& path) override;
  absl::Status RemoveDir(const std::string& path) override;
  absl::Status Write(const std::string& path, const std::string& value) override;
  absl::StatusOr<std::string> Read(const std::string& path) override;
  bool Exists(const std::string& path) override;
  std::vector<std::string> ListDirs(const std::string& path) override;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_EXECUTOR_CGROUPS_CGROUP_FS_H_
