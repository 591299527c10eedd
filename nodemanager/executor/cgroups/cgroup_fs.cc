#include "nodemanager/executor/cgroups/cgroup_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace skein::nm {
namespace {

absl::Status Errno(int err, absl::string_view what, const std::string& path) {
  absl::StatusCode code = absl::ErrnoToStatusCode(err);
  if (err == EBUSY) code = absl::StatusCode::kFailedPrecondition;
  return absl::Status(code, absl::StrCat(what, " ", path, ": ", strerror(err)));
}

}  // namespace

absl::Status RealCgroupFs::MakeDirs(const std::string& path) {
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    std::string prefix = path.substr(0, pos);
    if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return Errno(errno, "mkdir", prefix);
    }
  }
  return absl::OkStatus();
}

absl::Status RealCgroupFs::RemoveDir(const std::string& path) {
  if (rmdir(path.c_str()) != 0 && errno != ENOENT) return Errno(errno, "rmdir", path);
  return absl::OkStatus();
}

absl::Status RealCgroupFs::Write(const std::string& path, const std::string& value) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Errno(errno, "open", path);
  ssize_t n = write(fd, value.data(), value.size());
  int err = errno;
  close(fd);
  if (n < 0) return Errno(err, absl::StrCat("writing '", value, "' to").c_str(), path);
  if (static_cast<size_t>(n) != value.size()) {
    return absl::InternalError(absl::StrCat("short write of '", value, "' to ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RealCgroupFs::Read(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno(errno, "open", path);
  std::string out;
  char buf[4096];
  while (true) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return Errno(err, "read", path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

bool RealCgroupFs::Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::vector<std::string> RealCgroupFs::ListDirs(const std::string& path) {
  std::vector<std::string> out;
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return out;
  while (dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (stat((path + "/" + name).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) out.push_back(name);
  }
  closedir(dir);
  return out;
}

}  // namespace skein::nm
