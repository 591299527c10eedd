#include "nodemanager/localizer/resource_localizer.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/url.h"
#include "nodemanager/localizer/unpack.h"

namespace skein::nm {
namespace {

namespace fs = std::filesystem;

std::string CacheKey(const std::string& user, const ApplicationId& app,
                     const proto::LocalResourceProto& r) {
  std::string owner;
  if (r.visibility() == proto::PRIVATE) owner = user;
  if (r.visibility() == proto::APPLICATION) owner = absl::StrCat(user, "/", app.ToString());
  return absl::StrCat(r.visibility(), "|", owner, "|", r.type(), "|", r.pattern(), "|",
                      r.timestamp(), "|", UrlText(r.resource()));
}

std::string FirstUsableDir(const std::vector<std::string>& dirs) {
  for (const std::string& d : dirs) {
    std::error_code ec;
    fs::create_directories(d, ec);
    if (!ec && fs::is_directory(d, ec) && access(d.c_str(), W_OK | X_OK) == 0) return d;
  }
  return "";
}

}  // namespace

int64_t DiskUsage(const std::string& path) {
  std::error_code ec;
  if (fs::is_regular_file(fs::symlink_status(path, ec))) {
    const uintmax_t size = fs::file_size(path, ec);
    return ec ? 0 : static_cast<int64_t>(size);
  }
  if (!fs::is_directory(fs::symlink_status(path, ec))) return 0;
  int64_t total = 0;
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec) && !it->is_symlink(size_ec)) {
      const uintmax_t size = it->file_size(size_ec);
      if (!size_ec) total += static_cast<int64_t>(size);
    }
  }
  return total;
}

ResourceLocalizer::ResourceLocalizer(LocalizerOptions options)
    : options_(std::move(options)), root_(FirstUsableDir(options_.local_dirs)) {
  if (options_.store != nullptr) Recover();
  const int n = std::max(1, options_.threads);
  for (int i = 0; i < n; ++i) {
    workers_.push_back(std::make_unique<EventLoop>(absl::StrCat("localizer-", i)));
    workers_.back()->Start();
  }
}

ResourceLocalizer::~ResourceLocalizer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancel_.store(true);
  }
  changed_.notify_all();
  workers_.clear();  // each loop stops after its current closure and joins
}

void ResourceLocalizer::LogStoreError(const absl::Status& s) const {
  if (!s.ok()) {
    fprintf(stderr, "skein nodemanager: localized resources: %s\n",
            std::string(s.message()).c_str());
  }
}

void ResourceLocalizer::Recover() {
  absl::StatusOr<std::vector<LocalizedResourceRecord>> records =
      options_.store->LoadLocalizedResources();
  if (!records.ok()) {
    LogStoreError(records.status());
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const LocalizedResourceRecord& r : *records) {
    std::error_code ec;
    const bool present = r.localized && !r.path.empty() && fs::exists(r.path, ec);
    if (!present || DiskUsage(r.path) != r.size) {
      // A fetch cut short by the restart, or files that vanished or changed since: dropped, the
      // next request fetches again. A changed copy's directory stays: a re-attached container
      // may be using (and writing into) it; APPLICATION copies go with their application.
      if (!present && !r.dir.empty()) fs::remove_all(r.dir, ec);
      if (r.localized) {
        fprintf(stderr, "skein nodemanager: dropping localized resource %s: %s\n", r.path.c_str(),
                present ? "changed on disk" : "gone");
      }
      LogStoreError(options_.store->RemoveLocalizedResource(r.key));
      continue;
    }
    Entry& e = cache_[r.key];
    e.state = EntryState::kReady;
    e.path = r.path;
    e.app = r.app;
    e.user = r.user;
    ++recovered_;
  }
}

EventLoop& ResourceLocalizer::NextWorker() {
  return *workers_[next_worker_.fetch_add(1) % workers_.size()];
}

absl::StatusOr<std::string> ResourceLocalizer::CacheRoot(proto::LocalResourceVisibility visibility,
                                                         const std::string& user,
                                                         const ApplicationId& app) const {
  if (root_.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no usable directory in yarn.nodemanager.local-dirs (",
                     options_.local_dirs.empty() ? "none configured" : options_.local_dirs[0],
                     options_.local_dirs.size() > 1 ? ", ..." : "", ")"));
  }
  switch (visibility) {
    case proto::PUBLIC:
      return absl::StrCat(root_, "/filecache");
    case proto::PRIVATE:
      return absl::StrCat(root_, "/usercache/", user, "/filecache");
    default:
      return absl::StrCat(root_, "/usercache/", user, "/appcache/", app.ToString(), "/filecache");
  }
}

void ResourceLocalizer::Localize(std::string user, ApplicationId app,
                                 std::map<std::string, proto::LocalResourceProto> resources,
                                 Done done) {
  NextWorker().Post([this, user = std::move(user), app, resources = std::move(resources),
                     done = std::move(done)] { done(LocalizeSync(user, app, resources)); });
}

absl::StatusOr<ResourceLocalizer::Paths> ResourceLocalizer::LocalizeSync(
    const std::string& user, const ApplicationId& app,
    const std::map<std::string, proto::LocalResourceProto>& resources) {
  Paths paths;
  for (const auto& [key, resource] : resources) {
    absl::StatusOr<std::string> path = Get(user, app, CacheKey(user, app, resource), resource);
    if (!path.ok()) return path.status();
    paths[key] = *std::move(path);
  }
  return paths;
}

absl::StatusOr<std::string> ResourceLocalizer::Get(const std::string& user,
                                                   const ApplicationId& app, const std::string& key,
                                                   const proto::LocalResourceProto& r) {
  std::unique_lock<std::mutex> lock(mu_);
  bool waited = false;
  while (true) {
    if (cancel_.load()) return absl::CancelledError("the NodeManager is stopping");
    auto it = cache_.find(key);
    if (it == cache_.end()) break;
    if (it->second.state == EntryState::kReady) return it->second.path;
    if (it->second.state == EntryState::kFailed) {
      if (waited) return it->second.status;  // the fetch we waited for failed
      break;                                 // an old failure: try again
    }
    if (!waited) ++joined_fetches_;
    changed_.wait(lock);
    waited = true;
  }
  Entry& fresh = cache_[key];
  fresh = Entry{};
  if (r.visibility() == proto::APPLICATION) fresh.app = app.ToString();
  fresh.user = user;
  lock.unlock();

  fetches_.fetch_add(1);
  absl::StatusOr<std::string> path = Fetch(user, app, key, r);

  lock.lock();
  Entry& e = cache_[key];
  if (path.ok()) {
    e.state = EntryState::kReady;
    e.path = *path;
  } else {
    e.state = EntryState::kFailed;
    e.status = path.status();
  }
  lock.unlock();
  changed_.notify_all();
  return path;
}

absl::StatusOr<std::string> ResourceLocalizer::Fetch(const std::string& user,
                                                     const ApplicationId& app,
                                                     const std::string& key,
                                                     const proto::LocalResourceProto& r) {
  absl::StatusOr<std::string> root = CacheRoot(r.visibility(), user, app);
  if (!root.ok()) return root.status();
  std::error_code ec;
  fs::create_directories(*root, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", *root, ": ", ec.message()));
  // A fresh numbered directory (numbers left by an earlier run are skipped).
  std::string dir;
  while (true) {
    dir = absl::StrCat(*root, "/", next_dir_.fetch_add(1));
    if (fs::create_directory(dir, ec)) break;
    if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  }
  const std::string name = ResourceFileName(UrlText(r.resource()));
  const std::string target = absl::StrCat(dir, "/", name);
  LocalizedResourceRecord record;
  record.key = key;
  record.dir = dir;
  record.user = user;
  if (r.visibility() == proto::APPLICATION) record.app = app.ToString();
  if (options_.store != nullptr) LogStoreError(options_.store->StoreLocalizedResource(record));
  absl::Status s;
  if (r.type() == proto::FILE) {
    s = FetchResource(r, target, options_.fetch, cancel_);
  } else {
    const std::string download = absl::StrCat(dir, "/.", name, ".download");
    s = FetchResource(r, download, options_.fetch, cancel_);
    if (s.ok()) {
      UnpackOptions u;
      if (r.type() == proto::PATTERN) u.pattern = r.pattern();
      s = UnpackArchive(download, target, u);
      if (!s.ok())
        s = absl::Status(s.code(),
                         absl::StrCat("Resource ", UrlText(r.resource()), ": ", s.message()));
    }
    if (s.ok() && r.type() == proto::PATTERN) {
      // YARN keeps the whole jar next to the entries it extracted.
      fs::rename(download, absl::StrCat(target, "/", name), ec);
      if (ec) s = absl::InternalError(absl::StrCat("cannot keep ", name, ": ", ec.message()));
    } else {
      fs::remove(download, ec);
    }
  }
  if (!s.ok()) {
    fs::remove_all(dir, ec);
    if (options_.store != nullptr) LogStoreError(options_.store->RemoveLocalizedResource(key));
    return s;
  }
  if (options_.store != nullptr) {
    record.path = target;
    record.size = DiskUsage(target);
    record.localized = true;
    LogStoreError(options_.store->StoreLocalizedResource(record));
  }
  return target;
}

void ResourceLocalizer::RemoveApplication(ApplicationId app) {
  NextWorker().Post([this, app] {
    const std::string id = app.ToString();
    std::set<std::string> users;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto it = cache_.begin(); it != cache_.end();) {
        if (it->second.app == id && it->second.state != EntryState::kFetching) {
          users.insert(it->second.user);
          if (options_.store != nullptr) {
            LogStoreError(options_.store->RemoveLocalizedResource(it->first));
          }
          it = cache_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (const std::string& user : users) {
      absl::StatusOr<std::string> root = CacheRoot(proto::APPLICATION, user, app);
      if (!root.ok()) return;
      std::error_code ec;
      fs::remove_all(*root, ec);
      if (ec) {
        fprintf(stderr, "skein nodemanager: removing %s: %s\n", root->c_str(),
                ec.message().c_str());
      }
    }
  });
}

}  // namespace skein::nm
