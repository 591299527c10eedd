#include "nodemanager/container/spare_dirs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"

namespace skein::nm {

SpareDirs::SpareDirs(std::string root, std::vector<std::string> files, int target)
    : root_(std::move(root)), files_(std::move(files)), target_(target) {}

absl::Status SpareDirs::Make(const std::string& path) {
  while (!ready_.empty()) {
    if (rename(ready_.back().c_str(), path.c_str()) == 0) {
      ready_.pop_back();
      return absl::OkStatus();
    }
    if (errno == EEXIST || errno == ENOTEMPTY) break;  // `path` exists: keep the spare
    ready_.pop_back();                                 // the spare is gone: try the next
  }
  struct stat st;
  if (mkdir(path.c_str(), 0777) != 0 &&
      !(errno == EEXIST && stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))) {
    return absl::InternalError(absl::StrCat("cannot create ", path, ": ", strerror(errno)));
  }
  return absl::OkStatus();
}

void SpareDirs::Refill() {
  if (!cleaned_) {
    cleaned_ = true;
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
    std::filesystem::create_directories(root_, ec);
  }
  while (static_cast<int>(ready_.size()) < target_) {
    const std::string dir = absl::StrCat(root_, "/", next_++);
    if (mkdir(dir.c_str(), 0777) != 0) return;
    for (const std::string& f : files_) {
      int fd = open((dir + "/" + f).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
      if (fd >= 0) close(fd);
    }
    ready_.push_back(dir);
  }
}

}  // namespace skein::nm
