#include "appmaster/launcher/distributed_files.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/url.h"

namespace skein::launcher {
namespace {

bool PlainName(absl::string_view s) {
  return !s.empty() && s != "." && s != ".." && !absl::StrContains(s, '/');
}

}  // namespace

absl::Status AddDistributedFiles(absl::string_view flag, absl::string_view list,
                                 proto::LocalResourceType type, LocalResources* out) {
  std::vector<absl::string_view> entries = absl::StrSplit(list, ',', absl::SkipWhitespace());
  if (entries.empty()) return absl::InvalidArgumentError(absl::StrCat(flag, ": no file given"));
  for (absl::string_view raw : entries) {
    absl::string_view entry = absl::StripAsciiWhitespace(raw);
    absl::string_view location = entry;
    std::string alias;
    if (size_t hash = entry.rfind('#'); hash != absl::string_view::npos) {
      location = entry.substr(0, hash);
      alias = std::string(entry.substr(hash + 1));
      if (!PlainName(alias)) {
        return absl::InvalidArgumentError(absl::StrCat(
            flag, ": ", entry, ": the name after '#' (\"", alias, "\") must be a plain file name"));
      }
    }
    proto::LocalResourceProto r;
    r.set_type(type);
    r.set_visibility(proto::APPLICATION);
    std::string lower = absl::AsciiStrToLower(location);
    if (absl::StartsWith(lower, "http://") || absl::StartsWith(lower, "https://")) {
      *r.mutable_resource() = ParseUrl(std::string(location));
    } else {
      absl::string_view path = location;
      if (absl::ConsumePrefix(&path, "file://")) {
        // file:///abs -> /abs
      } else if (absl::ConsumePrefix(&path, "file:")) {
        // Hadoop's file:/abs form
      } else if (size_t colon = location.find("://"); colon != absl::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrCat(
            flag, ": ", entry, ": only local files and http(s):// URLs can be distributed"));
      }
      if (path.empty()) return absl::InvalidArgumentError(absl::StrCat(flag, ": empty path"));
      std::error_code ec;
      std::filesystem::path abs = std::filesystem::absolute(std::string(path), ec);
      abs = abs.lexically_normal();
      struct stat st;
      if (ec || stat(abs.c_str(), &st) != 0) {
        return absl::NotFoundError(absl::StrCat(flag, ": ", location, " does not exist (",
                                                abs.string(), ": ", std::strerror(errno), ")"));
      }
      if (!S_ISREG(st.st_mode)) {
        return absl::InvalidArgumentError(
            absl::StrCat(flag, ": ", location, " is not a regular file"));
      }
      *r.mutable_resource() = ParseUrl(absl::StrCat("file://", abs.string()));
      r.set_size(st.st_size);
      r.set_timestamp(static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 +
                      st.st_mtim.tv_nsec / 1000000);
    }
    if (alias.empty()) {
      std::string text = UrlText(r.resource());
      absl::string_view name = text;
      if (size_t q = name.find_first_of("?#"); q != absl::string_view::npos) {
        name = name.substr(0, q);
      }
      alias = std::string(name.substr(name.rfind('/') + 1));
      if (!PlainName(alias)) {
        return absl::InvalidArgumentError(absl::StrCat(
            flag, ": ", entry, ": cannot tell the file name; name it with ", entry, "#NAME"));
      }
    }
    if (out->count(alias) > 0) {
      return absl::InvalidArgumentError(absl::StrCat(flag, ": ", entry, ": the name \"", alias,
                                                     "\" is already used by ",
                                                     UrlText(out->at(alias).resource())));
    }
    (*out)[alias] = std::move(r);
  }
  return absl::OkStatus();
}

}  // namespace skein::launcher
