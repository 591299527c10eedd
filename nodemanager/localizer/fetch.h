// Copies one LocalResource from its source (file:// or http(s)://) to a local file, checking the
// size and timestamp the resource was declared with, as YARN's FSDownload does. Blocking: call
// from a localizer worker thread, never from the NodeManager's loop. Any thread otherwise.
#ifndef SKEIN_NODEMANAGER_LOCALIZER_FETCH_H_
#define SKEIN_NODEMANAGER_LOCALIZER_FETCH_H_

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "protos/records.pb.h"

namespace skein::nm {

// The URL's scheme: "file", "http" or "https". Anything else (hdfs://, s3a://, a bare path) is
// UNIMPLEMENTED with a message naming the URL.
absl::StatusOr<std::string> ResourceScheme(absl::string_view url);

// The local path of a file URL: file:///a/b and file:/a/b (Hadoop's form) both give /a/b.
absl::StatusOr<std::string> FileUrlPath(absl::string_view url);

// The last path component of the URL (query and fragment dropped): the name the resource gets in
// the cache. "resource" when the URL ends in '/'.
std::string ResourceFileName(absl::string_view url);

// A file's modification time in milliseconds since the epoch: what YARN calls the resource's
// timestamp (`yarn submit` records it the same way).
int64_t ModificationTimeMillis(const struct stat& st);

// "Resource <url> changed on src filesystem (expected <want>, was <got>)".
std::string ChangedOnSourceMessage(absl::string_view url, absl::string_view what, int64_t want,
                                   int64_t got);

struct FetchOptions {
  absl::Duration http_timeout = absl::Seconds(60);
  // CA bundle for https (Debian's ca-certificates).
  std::string ca_file = "/etc/ssl/certs/ca-certificates.crt";
};

// Copies `resource` to `dest` (which must not exist). A non-zero size or timestamp in the
// resource must match the source's (FAILED_PRECONDITION with ChangedOnSourceMessage otherwise);
// a missing source is NOT_FOUND, an HTTP status other than 200 names the URL and the status.
// Setting `cancel` aborts a copy in progress (CANCELLED).
absl::Status FetchResource(const proto::LocalResourceProto& resource, const std::string& dest,
                           const FetchOptions& options, const std::atomic<bool>& cancel);

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_LOCALIZER_FETCH_H_
