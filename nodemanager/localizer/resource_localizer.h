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
// Restart recovery (yarn.nodemanager.recovery.enabled): with a LocalizedResourceStore, a fetch is
// recorded when it starts (its numbered directory) and again when it completes (the path and its
// size on disk); a failed fetch's record goes. A localizer constructed over the same store and
// local dirs reloads the completed resources, so a restarted NodeManager does not download again
// what it has: the cache key is the same (URL, timestamp, type, pattern, visibility, owner) and
// the recorded path must still be there with the recorded size. Resources whose files vanished or
// changed are dropped (their record; the directory too unless something is left in it that a
// re-attached container may use), and fetches that were in flight are removed. Nothing running
// containers use is deleted: APPLICATION resources still go only through RemoveApplication.
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

// One cache entry as the NodeManager state store keeps it.
struct LocalizedResourceRecord {
  std::string key;         // the cache key (see the header comment)
  std::string dir;         // the numbered directory the fetch created
  std::string path;        // what containers link to (valid when localized)
  std::string user;        // whose cache holds it
  std::string app;         // APPLICATION resources: the application id; "" otherwise
  int64_t size = 0;        // bytes on disk under `path` (valid when localized)
  bool localized = false;  // false: the fetch had started and not finished
};

// Implemented by the NM state store (nodemanager/recovery/nm_state_store.h). Thread-safe.
class LocalizedResourceStore {
 public:
  virtual ~LocalizedResourceStore() = default;
  // Overwrites the record of `r.key`; removing an absent record is OK.
  virtual absl::Status StoreLocalizedResource(const LocalizedResourceRecord& r) = 0;
  virtual absl::Status RemoveLocalizedResource(const std::string& key) = 0;
  virtual absl::StatusOr<std::vector<LocalizedResourceRecord>> LoadLocalizedResources() = 0;
};

struct LocalizerOptions {
  std::vector<std::string> local_dirs;  // the first usable one holds the caches
  int threads = 4;                      // concurrent container localizations
  FetchOptions fetch;
  // Null: the cache is forgotten when the localizer goes. Must outlive the localizer.
  LocalizedResourceStore* store = nullptr;
};

// Bytes of the regular files at or under `path` (0 when it does not exist).
int64_t DiskUsage(const std::string& path);

class ResourceLocalizer {
 public:
  // Link name (the resource's key in the launch context) -> path in the cache.
  using Paths = std::map<std::string, std::string>;
  using Done = std::function<void(absl::StatusOr<Paths>)>;

  // With a store: reloads the cache it records (blocks on the disk; see the header comment).
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
  // How many requests found their resource being fetched for another container and waited for
  // that fetch instead of starting their own (de-duplication), for tests and metrics.
  int64_t joined_fetches() const { return joined_fetches_.load(); }
  // Resources reloaded from the store at construction, for logs and tests.
  int recovered() const { return recovered_; }

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
                                    const std::string& key, const proto::LocalResourceProto& r);
  // Constructor: reloads options_.store's records.
  void Recover();
  void LogStoreError(const absl::Status& s) const;
  EventLoop& NextWorker();

  const LocalizerOptions options_;
  std::string root_;  // "" when no local dir is usable
  std::atomic<bool> cancel_{false};
  std::atomic<int64_t> fetches_{0};
  std::atomic<int64_t> joined_fetches_{0};
  int recovered_ = 0;
  std::atomic<uint64_t> next_dir_{1};
  std::atomic<uint64_t> next_worker_{0};
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, Entry> cache_;  // guarded by mu_
  std::vector<std::unique_ptr<EventLoop>> workers_;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_LOCALIZER_RESOURCE_LOCALIZER_H_
