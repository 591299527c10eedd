// The RM's include and exclude host lists (Hadoop's HostsFileReader as NodesListManager uses it):
// yarn.resourcemanager.nodes.include-path and yarn.resourcemanager.nodes.exclude-path.
//
// Two file formats, chosen as Hadoop does by the file name:
//  * plain (any name not ending in ".xml"): host names separated by spaces, tabs or newlines;
//    `#` starts a comment that runs to the end of the line.
//  * XML (name ends in ".xml", case-insensitive): Hadoop 3's
//      <hosts><host><name>h1</name><timeout>600</timeout></host>...</hosts>
//    where <name> may list several hosts separated by commas or spaces and the optional
//    <timeout> (seconds, -1 = wait for ever) overrides the graceful-decommission timeout of the
//    hosts in an exclude file.
// Entries are host names or IP addresses exactly as NodeManagers register them (their NodeId
// host); the RM does no DNS look-up (its loop never blocks on the resolver), and a `host:port`
// entry is refused because Hadoop's lists never match on ports.
//
// Errors name the file and line: "exclude.xml:4: <timeout> 'ten' is not an integer number of
// seconds". An empty path means "no list".
//
// Thread rules: plain values and free functions; LoadHostsLists reads files, so call it off the
// RM loop (the admin service's gRPC thread, or start-up).
#ifndef SKEIN_RESOURCEMANAGER_CORE_HOSTS_FILE_H_
#define SKEIN_RESOURCEMANAGER_CORE_HOSTS_FILE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace skein::rm {

// One parsed file: host -> its per-host timeout in seconds (XML files only; nullopt otherwise).
using HostsFileEntries = std::map<std::string, std::optional<int32_t>>;

// Parses `contents` as the file `path` (the name picks the format and appears in errors).
absl::StatusOr<HostsFileEntries> ParseHostsFile(const std::string& path,
                                                absl::string_view contents);

struct HostsLists {
  std::string include_path;
  std::string exclude_path;
  std::set<std::string> includes;  // empty: every host may join
  HostsFileEntries excludes;       // host -> per-host graceful timeout (XML exclude files)

  // Hadoop's isValidNode: (no include list, or listed there) and not excluded.
  bool IsValid(const std::string& host) const {
    return (includes.empty() || includes.count(host) > 0) && excludes.count(host) == 0;
  }
  // Hadoop's isUntrackedNode: there is an include list, and the host is in neither list. Such a
  // node is SHUTDOWN rather than DECOMMISSIONED when a refresh removes it.
  bool IsUntracked(const std::string& host) const {
    return !includes.empty() && includes.count(host) == 0 && excludes.count(host) == 0;
  }
};

// Reads both files (an empty path gives an empty list). A missing or unreadable file, or a
// malformed one, is an error naming it; nothing is returned partially.
absl::StatusOr<HostsLists> LoadHostsLists(const std::string& include_path,
                                          const std::string& exclude_path);

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_CORE_HOSTS_FILE_H_
