#include "resourcemanager/core/hosts_file.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "pugixml.hpp"

namespace skein::rm {
namespace {

absl::Status FileError(const std::string& path, int line, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ":", line, ": ", what));
}

// A host name or an IPv4/IPv6 address as a NodeManager registers it. `host:port` is refused:
// Hadoop's lists match host names only, so such an entry would silently match nothing.
absl::Status CheckHost(const std::string& path, int line, const std::string& host) {
  for (char c : host) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_' &&
        c != ':') {
      return FileError(path, line, absl::StrCat("'", host, "' is not a host name or address"));
    }
  }
  std::vector<absl::string_view> parts = absl::StrSplit(host, ':');
  int32_t port = 0;
  if (parts.size() == 2 && absl::SimpleAtoi(parts[1], &port)) {
    return FileError(
        path, line,
        absl::StrCat("'", host, "' names a port; host files list host names only (write '",
                     parts[0], "')"));
  }
  return absl::OkStatus();
}

absl::StatusOr<HostsFileEntries> ParsePlain(const std::string& path, absl::string_view contents) {
  HostsFileEntries out;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(contents, '\n')) {
    ++line_number;
    line = line.substr(0, std::min(line.find('#'), line.size()));
    for (absl::string_view word :
         absl::StrSplit(line, absl::ByAnyChar(" \t\r\f\v"), absl::SkipEmpty())) {
      std::string host(word);
      if (auto s = CheckHost(path, line_number, host); !s.ok()) return s;
      out.emplace(host, std::nullopt);
    }
  }
  return out;
}

int LineOf(absl::string_view text, ptrdiff_t offset) {
  if (offset < 0) return 0;
  size_t end = std::min(static_cast<size_t>(offset), text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + end, '\n'));
}

absl::StatusOr<HostsFileEntries> ParseXml(const std::string& path, absl::string_view contents) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer(contents.data(), contents.size());
  if (!parsed) {
    return FileError(path, LineOf(contents, parsed.offset),
                     absl::StrCat("malformed XML: ", parsed.description()));
  }
  pugi::xml_node root = doc.document_element();
  if (std::string(root.name()) != "hosts") {
    return FileError(path, LineOf(contents, root.offset_debug()),
                     absl::StrCat("the root element is <", root.name(), ">, expected <hosts>"));
  }
  HostsFileEntries out;
  for (pugi::xml_node host : root.children("host")) {
    const int line = LineOf(contents, host.offset_debug());
    pugi::xml_node name = host.child("name");
    std::string names = absl::StrCat(absl::StripAsciiWhitespace(name.text().as_string()));
    if (!name || names.empty()) return FileError(path, line, "<host> without a <name>");
    std::optional<int32_t> timeout;
    if (pugi::xml_node t = host.child("timeout")) {
      std::string text(absl::StripAsciiWhitespace(t.text().as_string()));
      int32_t seconds = 0;
      if (!absl::SimpleAtoi(text, &seconds) || seconds < -1) {
        return FileError(
            path, LineOf(contents, t.offset_debug()),
            absl::StrCat("<timeout> '", text,
                         "' is not a number of seconds (-1 or more) for host '", names, "'"));
      }
      timeout = seconds;
    }
    for (absl::string_view word :
         absl::StrSplit(names, absl::ByAnyChar(", \t\r\n"), absl::SkipEmpty())) {
      std::string h(word);
      if (auto s = CheckHost(path, line, h); !s.ok()) return s;
      out[h] = timeout;
    }
  }
  return out;
}

absl::StatusOr<HostsFileEntries> ReadHostsFile(const std::string& path) {
  if (path.empty()) return HostsFileEntries{};
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read the hosts file ", path));
  }
  std::stringstream contents;
  contents << in.rdbuf();
  return ParseHostsFile(path, contents.str());
}

}  // namespace

absl::StatusOr<HostsFileEntries> ParseHostsFile(const std::string& path,
                                                absl::string_view contents) {
  if (absl::EndsWithIgnoreCase(path, ".xml")) return ParseXml(path, contents);
  return ParsePlain(path, contents);
}

absl::StatusOr<HostsLists> LoadHostsLists(const std::string& include_path,
                                          const std::string& exclude_path) {
  HostsLists lists;
  lists.include_path = include_path;
  lists.exclude_path = exclude_path;
  auto includes = ReadHostsFile(include_path);
  if (!includes.ok()) return includes.status();
  for (const auto& [host, unused] : *includes) lists.includes.insert(host);
  auto excludes = ReadHostsFile(exclude_path);
  if (!excludes.ok()) return excludes.status();
  lists.excludes = std::move(*excludes);
  return lists;
}

}  // namespace skein::rm
