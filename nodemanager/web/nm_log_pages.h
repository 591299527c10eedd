// Container log pages of the NodeManager's web server (Hadoop's NMWebServices /
// ContainerLogsPage, reduced):
//   GET /ws/v1/node/containers/{containerid}/logs        containerLogsInfo (name, size, mtime)
//   GET /ws/v1/node/containerlogs/{containerid}/{file}   the file in YARN's log layout
//   GET /ws/v1/node/containers/{containerid}/logs/{file} (same; ?size=N first / -N last bytes)
//   GET /node/containerlogs/{containerid}/{user}         HTML list of the container's logs
//   GET /node/containerlogs/{containerid}/{user}/{file}  HTML page with one log
//   GET /node/container/{containerid}                    HTML container page linking to logs
// A container's logs are found in the directory the NodeManager gave it, or, for a container it
// has forgotten, under <log-dir>/<appId>/<containerId> of any log dir (until the logs are
// aggregated or retained away).
//
// Thread rules: pure functions over a snapshot plus file reads; called on HTTP threads, never on
// the NM loop.
#ifndef SKEIN_NODEMANAGER_WEB_NM_LOG_PAGES_H_
#define SKEIN_NODEMANAGER_WEB_NM_LOG_PAGES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "nodemanager/web/nm_web_server.h"

namespace skein::nm::web {

// Hadoop's message for a container that has no logs on this node.
inline constexpr char kUnknownContainerLogs[] =
    "Unknown container. Container either has not started or has already completed or doesn't "
    "belong to this node at all.";

struct LogFileInfo {
  std::string name;
  int64_t size = 0;
  int64_t last_modified_ms = 0;
};

// The container's log directory, or "" when it has none on this node.
std::string FindContainerLogDir(const NmWebSnapshot& s, const ContainerId& id);
// Regular files of `dir`, sorted by name.
std::vector<LogFileInfo> ListLogFiles(const std::string& dir);
// True when the container is known and not completed (its logs may still grow).
bool ContainerRunning(const NmWebSnapshot& s, const ContainerId& id);
// A log file name a request may ask for: no '/', not "." or "..".
bool SafeLogFileName(const std::string& name);

// {"containerLogsInfo":{"containerLogInfo":[{"fileName","fileSize","lastModifiedTime"}],
//   "logAggregationType":"LOCAL","containerId","nodeId"}}
nlohmann::ordered_json ContainerLogsInfoJson(const NmWebSnapshot& s, const ContainerId& id,
                                             const std::vector<LogFileInfo>& files);

// HTML pages.
std::string ContainerLogListPage(const NmWebSnapshot& s, const ContainerId& id,
                                 const std::string& user, const std::vector<LogFileInfo>& files);
std::string ContainerLogFilePage(const ContainerId& id, const std::string& file,
                                 const std::string& contents, int64_t full_length);
std::string ContainerPage(const NmWebSnapshot& s, const proto::ContainerStatusProto& c,
                          const std::string& user);

std::string HtmlEscape(const std::string& text);

}  // namespace skein::nm::web

#endif  // SKEIN_NODEMANAGER_WEB_NM_LOG_PAGES_H_
