#include "nodemanager/localizer/fetch.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/url.h"
#include "httplib.h"

namespace skein::nm {
namespace {

constexpr size_t kCopyChunk = 1 << 16;

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// Size and timestamp as declared (0 = not declared) against what the source has.
absl::Status CheckDeclared(const proto::LocalResourceProto& r, int64_t size, int64_t timestamp) {
  if (r.size() > 0 && size >= 0 && r.size() != size) {
    return absl::FailedPreconditionError(
        ChangedOnSourceMessage(UrlText(r.resource()), "size ", r.size(), size));
  }
  if (r.timestamp() > 0 && timestamp >= 0 && r.timestamp() != timestamp) {
    return absl::FailedPreconditionError(
        ChangedOnSourceMessage(UrlText(r.resource()), "", r.timestamp(), timestamp));
  }
  return absl::OkStatus();
}

absl::Status CopyFile(const proto::LocalResourceProto& r, const std::string& dest,
                      const std::atomic<bool>& cancel) {
  absl::StatusOr<std::string> path = FileUrlPath(UrlText(r.resource()));
  if (!path.ok()) return path.status();
  int in = open(path->c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError(
          absl::StrCat("Resource ", UrlText(r.resource()), " does not exist (", *path, ")"));
    }
    return ErrnoError("cannot open", *path);
  }
  struct stat st;
  if (fstat(in, &st) != 0) {
    absl::Status s = ErrnoError("cannot stat", *path);
    close(in);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    close(in);
    return absl::InvalidArgumentError(
        absl::StrCat("Resource ", UrlText(r.resource()), " is not a regular file"));
  }
  if (absl::Status s = CheckDeclared(r, st.st_size, ModificationTimeMillis(st)); !s.ok()) {
    close(in);
    return s;
  }
  int out = open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (out < 0) {
    absl::Status s = ErrnoError("cannot create", dest);
    close(in);
    return s;
  }
  std::string buf(kCopyChunk, '\0');
  absl::Status status;
  while (status.ok()) {
    if (cancel.load()) {
      status = absl::CancelledError(absl::StrCat("copy of ", UrlText(r.resource()), " cancelled"));
      break;
    }
    ssize_t n = read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) status = ErrnoError("cannot read", *path);
    if (n <= 0) break;
    for (ssize_t done = 0; done < n && status.ok();) {
      ssize_t w = write(out, buf.data() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) status = ErrnoError("cannot write", dest);
      done += w > 0 ? w : 0;
    }
  }
  close(in);
  if (close(out) != 0 && status.ok()) status = ErrnoError("cannot write", dest);
  return status;
}

// "Wed, 21 Oct 2015 07:28:00 GMT" -> milliseconds, or -1.
int64_t ParseHttpDate(const std::string& text) {
  struct tm tm = {};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (end == nullptr) return -1;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

absl::Status Download(const proto::LocalResourceProto& r, const std::string& scheme,
                      const std::string& dest, const FetchOptions& o,
                      const std::atomic<bool>& cancel) {
  const std::string url = UrlText(r.resource());
  size_t authority = url.find("://") + 3;
  size_t slash = url.find('/', authority);
  std::string origin = url.substr(0, slash);
  std::string path = slash == std::string::npos ? "/" : url.substr(slash);
  if (size_t hash = path.find('#'); hash != std::string::npos) path.resize(hash);
  if (authority >= url.size() || slash == authority) {
    return absl::InvalidArgumentError(absl::StrCat("Resource ", url, ": no host in the URL"));
  }
  httplib::Client client(origin);
  if (!client.is_valid()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Resource ", url, ": cannot make a ", scheme, " client for ", origin));
  }
  if (scheme == "https") {
    client.set_ca_cert_path(o.ca_file);
    client.enable_server_certificate_verification(true);
  }
  const time_t secs = static_cast<time_t>(absl::ToInt64Seconds(o.http_timeout));
  client.set_connection_timeout(secs, 0);
  client.set_read_timeout(secs, 0);
  client.set_follow_location(true);

  std::ofstream out(dest, std::ios::binary | std::ios::trunc);
  if (!out) return ErrnoError("cannot create", dest);
  int status = 0;
  std::string reason;
  int64_t last_modified = -1;
  int64_t received = 0;
  bool write_failed = false;
  httplib::Result res = client.Get(
      path,
      [&](const httplib::Response& response) {
        status = response.status;
        reason = response.reason;
        if (response.has_header("Last-Modified")) {
          last_modified = ParseHttpDate(response.get_header_value("Last-Modified"));
        }
        return status == 200 && !cancel.load();
      },
      [&](const char* data, size_t len) {
        out.write(data, static_cast<std::streamsize>(len));
        received += static_cast<int64_t>(len);
        write_failed = !out;
        return !write_failed && !cancel.load();
      });
  out.close();
  if (status != 0 && status != 200) {
    return absl::NotFoundError(absl::StrCat("Resource ", url, " could not be downloaded: HTTP ",
                                            status, reason.empty() ? "" : " ", reason));
  }
  if (cancel.load()) return absl::CancelledError(absl::StrCat("download of ", url, " cancelled"));
  if (write_failed || !out) return ErrnoError("cannot write", dest);
  if (!res) {
    return absl::UnavailableError(absl::StrCat(
        "Resource ", url, " could not be downloaded: ", httplib::to_string(res.error())));
  }
  return CheckDeclared(r, received, last_modified);
}

}  // namespace

absl::StatusOr<std::string> ResourceScheme(absl::string_view url) {
  size_t colon = url.find(':');
  std::string scheme =
      colon == absl::string_view::npos ? "" : absl::AsciiStrToLower(url.substr(0, colon));
  if (scheme == "file" || scheme == "http" || scheme == "https") {
    if (scheme != "file" && !absl::StartsWith(url.substr(colon), "://")) {
      return absl::InvalidArgumentError(
          absl::StrCat("Resource ", url, ": expected ", scheme, "://host/path"));
    }
    return scheme;
  }
  return absl::UnimplementedError(
      absl::StrCat("Resource ", url,
                   ": only file://, http:// and https:// URLs can be localized by this "
                   "NodeManager"));
}

absl::StatusOr<std::string> FileUrlPath(absl::string_view url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "file:")) {
    return absl::InvalidArgumentError(absl::StrCat("Resource ", url, " is not a file: URL"));
  }
  if (absl::ConsumePrefix(&rest, "//")) {
    // file://host/path: only the local host (empty or "localhost") is meaningful here.
    size_t slash = rest.find('/');
    absl::string_view host = rest.substr(0, slash);
    if (!host.empty() && host != "localhost") {
      return absl::InvalidArgumentError(
          absl::StrCat("Resource ", url, ": file URLs must name a local path (file:///path)"));
    }
    rest = slash == absl::string_view::npos ? "" : rest.substr(slash);
  }
  if (!absl::StartsWith(rest, "/")) {
    return absl::InvalidArgumentError(
        absl::StrCat("Resource ", url, ": the path must be absolute (file:///path)"));
  }
  return std::string(rest);
}

std::string ResourceFileName(absl::string_view url) {
  absl::string_view u = url;
  if (size_t q = u.find_first_of("?#"); q != absl::string_view::npos) u = u.substr(0, q);
  size_t scheme_end = u.find("://");
  if (scheme_end != absl::string_view::npos) {
    // Drop the authority so that "http://host" alone gives no name.
    size_t slash = u.find('/', scheme_end + 3);
    u = slash == absl::string_view::npos ? "" : u.substr(slash);
  }
  size_t last = u.rfind('/');
  absl::string_view name = last == absl::string_view::npos ? u : u.substr(last + 1);
  if (name.empty() || name == "." || name == "..") return "resource";
  return std::string(name);
}

int64_t ModificationTimeMillis(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

std::string ChangedOnSourceMessage(absl::string_view url, absl::string_view what, int64_t want,
                                   int64_t got) {
  return absl::StrCat("Resource ", url, " changed on src filesystem (expected ", what, want,
                      ", was ", got, ")");
}

absl::Status FetchResource(const proto::LocalResourceProto& resource, const std::string& dest,
                           const FetchOptions& options, const std::atomic<bool>& cancel) {
  absl::StatusOr<std::string> scheme = ResourceScheme(UrlText(resource.resource()));
  if (!scheme.ok()) return scheme.status();
  if (*scheme == "file") return CopyFile(resource, dest, cancel);
  return Download(resource, *scheme, dest, options, cancel);
}

}  // namespace skein::nm
