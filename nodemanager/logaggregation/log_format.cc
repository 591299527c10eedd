#include "nodemanager/logaggregation/log_format.h"

#include <time.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace skein::logs {

absl::string_view LogAggregationTypeName(LogAggregationType t) {
  return t == LogAggregationType::kAggregated ? "AGGREGATED" : "LOCAL";
}

std::string FormatLogTime(int64_t epoch_ms) {
  time_t secs = static_cast<time_t>(epoch_ms / 1000);
  struct tm tm {};
  localtime_r(&secs, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof(buf), "%a %b %d %H:%M:%S %z %Y", &tm);
  return std::string(buf, n);
}

absl::string_view SliceForSize(absl::string_view contents, int64_t size) {
  const int64_t len = static_cast<int64_t>(contents.size());
  if (size >= 0) return contents.substr(0, static_cast<size_t>(std::min(size, len)));
  // -N: the last N bytes (size == INT64_MIN cannot be negated; it means "all" too).
  if (size == std::numeric_limits<int64_t>::min() || -size >= len) return contents;
  return contents.substr(static_cast<size_t>(len + size));
}

std::string FormatContainerLogHeader(absl::string_view container_id, absl::string_view node,
                                     absl::string_view file_name, int64_t file_length,
                                     int64_t last_modified_ms, LogAggregationType type) {
  std::string first = absl::StrCat("Container: ", container_id, " on ", node);
  return absl::StrCat(first, "\nLogAggregationType: ", LogAggregationTypeName(type), "\n",
                      std::string(first.size(), '='), "\nLogType:", file_name,
                      "\nLogLastModifiedTime:", FormatLogTime(last_modified_ms),
                      "\nLogLength:", file_length, "\nLogContents:\n");
}

std::string FormatLogTrailer(absl::string_view container_id, absl::string_view file_name,
                             LogAggregationType type, bool running) {
  std::string end = absl::StrCat("End of LogType:", file_name);
  std::string stars(end.size() + 50, '*');
  if (type == LogAggregationType::kAggregated) {
    return absl::StrCat("\n", end, "\n", stars, "\n\n");
  }
  std::string out = absl::StrCat(end, ".");
  if (running) {
    absl::StrAppend(&out, "This log file belongs to a running container (", container_id,
                    ") and so may not be complete.");
  }
  absl::StrAppend(&out, "\n", stars, "\n\n");
  return out;
}

std::string FormatContainerLog(absl::string_view container_id, absl::string_view node,
                               absl::string_view file_name, absl::string_view contents,
                               int64_t last_modified_ms, int64_t size, LogAggregationType type,
                               bool running) {
  return absl::StrCat(
      FormatContainerLogHeader(container_id, node, file_name, static_cast<int64_t>(contents.size()),
                               last_modified_ms, type),
      SliceForSize(contents, size), FormatLogTrailer(container_id, file_name, type, running));
}

}  // namespace skein::logs
