// Unpacks a localized ARCHIVE or PATTERN resource (tar, tar.gz/tgz, zip, jar; the format is
// detected from the content by libarchive) into a directory, as YARN's FSDownload does. Blocking;
// any thread (a localizer worker).
#ifndef SKEIN_NODEMANAGER_LOCALIZER_UNPACK_H_
#define SKEIN_NODEMANAGER_LOCALIZER_UNPACK_H_

#include <string>

#include "absl/status/status.h"

namespace skein::nm {

struct UnpackOptions {
  // ECMAScript regular expression an entry's whole path must match to be extracted (YARN's
  // PATTERN resources); empty = every entry.
  std::string pattern;
};

// Extracts `archive` into `dest` (created if missing). Entries with an absolute path or a ".."
// component are refused (INVALID_ARGUMENT naming the entry and the archive) before anything of
// theirs is written; so are hard links that point outside. A file that is not an archive libarchive
// can read is INVALID_ARGUMENT naming it; an invalid pattern too.
absl::Status UnpackArchive(const std::string& archive, const std::string& dest,
                           const UnpackOptions& options = {});

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_LOCALIZER_UNPACK_H_
