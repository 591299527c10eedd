// Pre-made container directories. Creating an inode (mkdir, a new file) is the most expensive
// part of a container launch on a busy ext4 (the allocator scans for inodes not recently
// deleted); renaming a directory made earlier allocates nothing. So the ContainerManager keeps a
// few spare directories per local and log dir, renames one into place as a container's working
// or log directory, and makes new ones after the launch, off the path to the program running.
// Spares live under `root`, which must be on the same filesystem as the directories they become
// (`<local-dir>/nmPrivate/spare`, `<log-dir>/.skein-spare`); each holds the empty `files` a
// container directory starts with (prelaunch.out and prelaunch.err for log dirs).
//
// Thread rules: not thread-safe; the NodeManager's loop thread owns every SpareDirs.
#ifndef SKEIN_NODEMANAGER_CONTAINER_SPARE_DIRS_H_
#define SKEIN_NODEMANAGER_CONTAINER_SPARE_DIRS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace skein::nm {

class SpareDirs {
 public:
  // Nothing is touched until Refill (spares left by an earlier NodeManager are removed then).
  SpareDirs(std::string root, std::vector<std::string> files, int target);

  // Makes `path` (whose parent exists) a directory: a spare renamed into place, else mkdir.
  // Errors name the path.
  absl::Status Make(const std::string& path);
  // Creates spares until `target` are ready. Problems are not fatal: Make falls back to mkdir.
  void Refill();
  int ready() const { return static_cast<int>(ready_.size()); }

 private:
  const std::string root_;
  const std::vector<std::string> files_;
  const int target_;
  bool cleaned_ = false;
  long next_ = 0;
  std::vector<std::string> ready_;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_CONTAINER_SPARE_DIRS_H_
