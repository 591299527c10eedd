#include "nodemanager/logaggregation/aggregated_log_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace skein::logs {
namespace {

namespace fs = std::filesystem;

constexpr absl::string_view kMagic = "skein-aggregated-logs 1\n";

int64_t MtimeMs(const fs::path& p) {
  struct stat st {};
  if (stat(p.c_str(), &st) != 0) return 0;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

bool ReadWhole(const fs::path& p, std::string* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// Reads one '\n'-terminated line starting at *pos.
bool NextLine(const std::string& data, size_t* pos, absl::string_view* line) {
  size_t nl = data.find('\n', *pos);
  if (nl == std::string::npos) return false;
  *line = absl::string_view(data).substr(*pos, nl - *pos);
  *pos = nl + 1;
  return true;
}

}  // namespace

std::string RemoteAppLogDir(absl::string_view root, absl::string_view user,
                            absl::string_view suffix, const ApplicationId& app) {
  std::string r(root);
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  return absl::StrCat(r, "/", user, "/", suffix, "/", app.ToString());
}

std::string NodeFileName(const NodeId& node) { return absl::StrCat(node.host(), "_", node.port()); }

std::vector<ContainerLogs> CollectContainerLogs(
    const std::vector<std::pair<std::string, std::string>>& container_dirs) {
  std::vector<ContainerLogs> out;
  for (const auto& [container_id, dir] : container_dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    ContainerLogs c;
    c.container_id = container_id;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string name = it->path().filename().string();
      if (name.find_first_of(" \n") != std::string::npos) continue;
      LogFile f;
      f.name = name;
      f.last_modified_ms = MtimeMs(it->path());
      if (!ReadWhole(it->path(), &f.contents)) continue;
      c.files.push_back(std::move(f));
    }
    std::sort(c.files.begin(), c.files.end(),
              [](const LogFile& a, const LogFile& b) { return a.name < b.name; });
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const ContainerLogs& a, const ContainerLogs& b) {
    return a.container_id < b.container_id;
  });
  return out;
}

absl::Status WriteAggregatedLogFile(const std::string& path,
                                    const std::vector<ContainerLogs>& containers) {
  std::error_code ec;
  fs::path target(path);
  fs::create_directories(target.parent_path(), ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("aggregating logs: cannot create directory ",
                                            target.parent_path().string(), ": ", ec.message()));
  }
  const std::string tmp = absl::StrCat(path, ".tmp.", getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      return absl::InternalError(absl::StrCat("aggregating logs: cannot write ", tmp));
    }
    out << kMagic;
    for (const ContainerLogs& c : containers) {
      out << "container " << c.container_id << " " << c.files.size() << "\n";
      for (const LogFile& f : c.files) {
        out << "file " << f.name << " " << f.contents.size() << " " << f.last_modified_ms << "\n";
        out.write(f.contents.data(), static_cast<std::streamsize>(f.contents.size()));
        out << "\n";
      }
    }
    out.flush();
    if (!out) {
      out.close();
      fs::remove(tmp, ec);
      return absl::InternalError(absl::StrCat("aggregating logs: writing ", tmp, " failed"));
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return absl::InternalError(
        absl::StrCat("aggregating logs: cannot rename ", tmp, " to ", path, ": ", ec.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ContainerLogs>> ReadAggregatedLogFile(const std::string& path) {
  std::string data;
  if (!ReadWhole(path, &data)) {
    return absl::NotFoundError(absl::StrCat("cannot read aggregated log file ", path));
  }
  auto corrupt = [&path](size_t at, absl::string_view what) {
    return absl::DataLossError(
        absl::StrCat("aggregated log file ", path, " is corrupt at byte ", at, ": ", what));
  };
  if (!absl::StartsWith(data, kMagic)) return corrupt(0, "not a Skein aggregated log file");
  size_t pos = kMagic.size();
  std::vector<ContainerLogs> out;
  while (pos < data.size()) {
    absl::string_view line;
    const size_t at = pos;
    if (!NextLine(data, &pos, &line)) return corrupt(at, "truncated container line");
    std::vector<absl::string_view> parts = absl::StrSplit(line, ' ');
    size_t nfiles = 0;
    if (parts.size() != 3 || parts[0] != "container" || !absl::SimpleAtoi(parts[2], &nfiles)) {
      return corrupt(at, "expected 'container <id> <files>'");
    }
    ContainerLogs c;
    c.container_id = std::string(parts[1]);
    for (size_t i = 0; i < nfiles; ++i) {
      const size_t fat = pos;
      if (!NextLine(data, &pos, &line)) return corrupt(fat, "truncated file line");
      std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
      LogFile file;
      size_t length = 0;
      if (f.size() != 4 || f[0] != "file" || !absl::SimpleAtoi(f[2], &length) ||
          !absl::SimpleAtoi(f[3], &file.last_modified_ms)) {
        return corrupt(fat, "expected 'file <name> <length> <mtime>'");
      }
      if (pos + length + 1 > data.size() || data[pos + length] != '\n') {
        return corrupt(pos, absl::StrCat("contents of ", f[1], " are truncated"));
      }
      file.name = std::string(f[1]);
      file.contents = data.substr(pos, length);
      pos += length + 1;
      c.files.push_back(std::move(file));
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace skein::logs
