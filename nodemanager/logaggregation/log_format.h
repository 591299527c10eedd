// YARN's text layout of one container log file, as `yarn logs` and the NodeManager's
// /ws/v1/node/containerlogs print it (Hadoop 3's LogToolUtils / LogsCLI):
//
//   Container: <containerId> on <node>
//   LogAggregationType: AGGREGATED|LOCAL
//   ====================================    (as long as the first line)
//   LogType:<name>
//   LogLastModifiedTime:<EEE MMM dd HH:mm:ss Z yyyy>
//   LogLength:<bytes in the file>
//   LogContents:
//   <contents, or the slice asked for with -size>
//   End of LogType:<name>                  (see FormatLogTrailer)
//   ***...***
//
// Thread rules: pure functions; any thread.
#ifndef SKEIN_NODEMANAGER_LOGAGGREGATION_LOG_FORMAT_H_
#define SKEIN_NODEMANAGER_LOGAGGREGATION_LOG_FORMAT_H_

#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/string_view.h"

namespace skein::logs {

enum class LogAggregationType { kAggregated, kLocal };
absl::string_view LogAggregationTypeName(LogAggregationType t);  // "AGGREGATED" / "LOCAL"

// Hadoop's Times.format: "Sun Nov 22 04:42:14 +0000 2026" (local time zone).
std::string FormatLogTime(int64_t epoch_ms);

// The part of `contents` that -size N selects: N >= 0 the first N bytes, N < 0 the last |N|.
absl::string_view SliceForSize(absl::string_view contents, int64_t size);

inline constexpr int64_t kWholeFile = std::numeric_limits<int64_t>::max();

// Header + the selected slice of `contents` (no trailer).
std::string FormatContainerLogHeader(absl::string_view container_id, absl::string_view node,
                                     absl::string_view file_name, int64_t file_length,
                                     int64_t last_modified_ms, LogAggregationType type);

// The trailer after the contents. Aggregated logs: "\nEnd of LogType:<name>\n" + stars.
// Local logs (from a NodeManager): "End of LogType:<name>." followed by, for a running
// container, "This log file belongs to a running container (<id>) and so may not be
// complete.", then "\n" + stars. Stars: the "End of LogType:<name>" length + 50, then "\n\n".
std::string FormatLogTrailer(absl::string_view container_id, absl::string_view file_name,
                             LogAggregationType type, bool running);

// Header, slice and trailer together.
std::string FormatContainerLog(absl::string_view container_id, absl::string_view node,
                               absl::string_view file_name, absl::string_view contents,
                               int64_t last_modified_ms, int64_t size, LogAggregationType type,
                               bool running);

}  // namespace skein::logs

#endif  // SKEIN_NODEMANAGER_LOGAGGREGATION_LOG_FORMAT_H_
