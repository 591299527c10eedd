// `--files` and `--archives` as spark-submit spells them: a comma-separated list of local paths
// or URLs, each optionally renamed with "#alias". Each becomes a LocalResource of the job
// (visibility APPLICATION) that the NodeManager localizes into the AM's and every executor's
// working directory under the alias (else the file name); an archive is unpacked into a
// directory of that name. Reads the local file system (stat); any thread.
#ifndef SKEIN_APPMASTER_LAUNCHER_DISTRIBUTED_FILES_H_
#define SKEIN_APPMASTER_LAUNCHER_DISTRIBUTED_FILES_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "protos/records.pb.h"

namespace skein::launcher {

using LocalResources = std::map<std::string, proto::LocalResourceProto>;

// Adds every entry of `list` (the value of `flag`, "--files" or "--archives") to `out` as `type`
// (FILE or ARCHIVE):
//   a.txt, /abs/b.txt, file:///abs/c.txt  -> file:// URL of the absolute path, with the file's
//                                            size and modification time (ms), checked by the NM
//   http(s)://host/path                   -> passed through (size and time not checked)
// Errors name the flag and the entry: a missing or non-regular local file, another scheme
// (hdfs://), an alias that is not a plain file name, or a name already used by another entry.
absl::Status AddDistributedFiles(absl::string_view flag, absl::string_view list,
                                 proto::LocalResourceType type, LocalResources* out);

}  // namespace skein::launcher

#endif  // SKEIN_APPMASTER_LAUNCHER_DISTRIBUTED_FILES_H_
