// The NodeManager's resource cache (YARN's ResourceLocalizationService + ContainerLocalizer,
// reduced): brings a container's LocalResources onto the node, off the NodeManager's loop, on its
// own worker threads.
//
// Layout under the first usable local dir (yarn.nodemanager.local-dirs), as YARN lays it out:
//   PUBLIC       <local-dir>/filecache/<n>/<name>
//   PRIVATE      <local-dir>/usercache/<user>/filecache/<n>/<name>
//   APPLICATION  <local-dir>/usercache/<user>/appcache/<app>/filecache/<n>/<name>
// where <name> is the last component of the URL. A FILE is copied there; an ARCHIVE is unpacked
// into the directory <name>; a PATTERN is unpacked keeping the entries that match its pattern,
// with the whole file kept as <name>/<name>. The container links its key to that path.
//
// Each resource is fetched once per (URL, timestamp, type, pattern, visibility, and the user
// for PRIVATE / user and app for APPLICATION): a second request for the same one reuses the
// cached copy, and a request that arrives while it is being fetched waits for that fetch. A
// failed fetch is not cached: the next request tries again.
//
// Threading: every public method may be called from any thread. `Localize` returns at once and
// calls its callback on a worker thread; the callback must not block (post to a loop).
#ifndef SKEIN_NODEMANAGER_LOCALIZER_RESOURCE_LOCALIZER_H_
#define SKEIN_NODEMANAGER_LOCALIZER_RESOURCE_LOCALIZER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/event_loop.h"
#include "common/ids.h"
#include "nodemanager/localizer/fetch.h"
#include "protos/records.pb.h"

namespace skein::nm {

struct LocalizerOptions {
  std::vector<std::string> local_dirs;  // the first usable one holds the caches
  int threads = 4;                      // concurrent container localizations
  FetchOptions fetch;
};

class ResourceLocalizer {
 public:
  // Link name (the resource's key in the launch context) -> path in the cache.
  using Paths = std::map<std::string, std::string>;
  using Done = std::function<void(absl::StatusOr<Paths>)>;

  explicit ResourceLocalizer(LocalizerOptions options);
  // Cancels fetches in flight and joins the workers; callbacks not yet run are dropped.
  ~ResourceLocalizer();
  ResourceLocalizer(const ResourceLocalizer&) = delete;
  ResourceLocalizer& operator=(const ResourceLocalizer&) = delete;

  // Fetches (or finds in the cache) every resource of one container of `app`, run by `user`.
  // `done` gets all the paths, or the first failure, whose message says which resource failed
  // and why (e.g. "Resource file:/x changed on src filesystem (expected 3, was 4)").
  void Localize(std::string user, ApplicationId app,
                std::map<std::string, proto::LocalResourceProto> resources, Done done);
  // The blocking form (tests, tools). Not on a loop thread that waits for localizations.
  absl::StatusOr<Paths> LocalizeSync(const std::string& user, const ApplicationId& app,
                                     const std::map<std::string, proto::LocalResourceProto>& r);

  // The application finished and none of its containers runs here any more: forgets its
  // APPLICATION resources and deletes their cache directories (on a worker; returns at once).
  void RemoveApplication(ApplicationId app);

  // The directory a visibility's cache lives in (see the layout above), or an error when no
  // local dir is usable.
  absl::StatusOr<std::string> CacheRoot(proto::LocalResourceVisibility visibility,
                                        const std::string& user, const ApplicationId& app) const;
  // How many fetches have started (cache misses), for tests and metrics.
  int64_t fetches() const { return fetches_.load(); }

 private:
  enum class EntryState { kFetching, kReady, kFailed };
  struct Entry {
    EntryState state = EntryState::kFetching;
    std::string path;
    absl::Status status;
    std::string app;   // non-empty for APPLICATION resources
    std::string user;  // whose cache holds it
  };

  absl::StatusOr<std::string> Get(const std::string& user, const ApplicationId& app,
                                  const std::string& key, const proto::LocalResourceProto& r);
  absl::StatusOr<std::string> Fetch(const std::string& user, const ApplicationId& app,
                                    const proto::LocalResourceProto& r);
  EventLoop& NextWorker();

  const LocalizerOptions options_;
  std::string root_;  // "" when no local dir is usable
  std::atomic<bool> cancel_{false};
  std::atomic<int64_t> fetches_{0};
  std::atomic<uint64_t> next_dir_{1};
  std::atomic<uint64_t> next_worker_{0};
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, Entry> cache_;  // guarded by mu_
  std::vector<std::unique_ptr<EventLoop>> workers_;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_LOCALIZER_RESOURCE_LOCALIZER_H_
