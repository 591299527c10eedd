#include "tests/ui/headless_browser.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

extern char** environ;

namespace skein::ui {
namespace {

using json = nlohmann::json;

// Moves `fd` to a number >= 10 (so dup2 onto 3 and 4 in the child never aliases it), close-on-exec.
int HighFd(int fd) {
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  close(fd);
  return moved;
}

bool Executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

}  // namespace

std::string HeadlessBrowser::FindChromium() {
  if (const char* env = std::getenv("SKEIN_CHROMIUM"); env != nullptr && Executable(env)) {
    return env;
  }
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
      std::string candidate = absl::StrCat(dir, "/", name);
      if (Executable(candidate)) return candidate;
    }
  }
  return "";
}

HeadlessBrowser::~HeadlessBrowser() {
  if (pid_ > 0) {
    kill(-pid_, SIGKILL);  // the whole group: renderers, zygote, GPU/utility processes
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  if (to_browser_ >= 0) close(to_browser_);
  if (from_browser_ >= 0) close(from_browser_);
}

absl::Status HeadlessBrowser::Start(const std::string& binary, const std::string& profile_dir) {
  if (mkdir(profile_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::InternalError(absl::StrCat("mkdir ", profile_dir, ": ", std::strerror(errno)));
  }
  int commands[2], events[2];
  if (pipe(commands) != 0 || pipe(events) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  int child_in = HighFd(commands[0]), child_out = HighFd(events[1]);
  to_browser_ = HighFd(commands[1]);
  from_browser_ = HighFd(events[0]);
  std::string log = profile_dir + "/chromium.log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, child_in, 3);
  posix_spawn_file_actions_adddup2(&actions, child_out, 4);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group, killed as one
  std::vector<std::string> args = {binary,
                                   "--headless=new",
                                   "--no-sandbox",  // CI runs as root
                                   "--disable-gpu",
                                   "--disable-dev-shm-usage",
                                   "--remote-debugging-pipe",
                                   "--user-data-dir=" + profile_dir,
                                   "--no-first-run",
                                   "--no-default-browser-check",
                                   "--disable-extensions",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--window-size=1280,900",
                                   "about:blank"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int rc = posix_spawn(&pid_, binary.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(child_in);
  close(child_out);
  if (rc != 0) {
    pid_ = -1;
    return absl::InternalError(absl::StrCat("cannot start ", binary, ": ", std::strerror(rc)));
  }
  auto target = Command("Target.createTarget", {{"url", "about:blank"}}, absl::Seconds(30),
                        /*browser_level=*/true);
  if (!target.ok()) {
    return absl::Status(target.status().code(), absl::StrCat("starting chromium (log ", log,
                                                             "): ", target.status().message()));
  }
  auto attached =
      Command("Target.attachToTarget", {{"targetId", (*target)["targetId"]}, {"flatten", true}},
              absl::Seconds(10), /*browser_level=*/true);
  if (!attached.ok()) return attached.status();
  session_ = (*attached)["sessionId"].get<std::string>();
  for (const char* domain : {"Page.enable", "Runtime.enable", "Log.enable"}) {
    if (auto r = Command(domain, json::object(), absl::Seconds(10)); !r.ok()) return r.status();
  }
  return absl::OkStatus();
}

absl::Status HeadlessBrowser::Send(const json& message) {
  std::string bytes = message.dump();
  bytes.push_back('\0');
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(to_browser_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError("the browser closed its DevTools pipe");
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<json> HeadlessBrowser::Read(absl::Time deadline) {
  while (true) {
    size_t end = buffer_.find('\0');
    if (end != std::string::npos) {
      json message = json::parse(buffer_.substr(0, end), nullptr, /*allow_exceptions=*/false);
      buffer_.erase(0, end + 1);
      if (message.is_discarded()) continue;
      return message;
    }
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError("no answer from the browser in time");
    }
    pollfd p{from_browser_, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // the deadline check above ends the loop
    char chunk[65536];
    ssize_t n = read(from_browser_, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError("the browser exited (DevTools pipe closed)");
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

void HeadlessBrowser::OnEvent(const json& m) {
  if (!m.contains("method")) return;
  const std::string method = m["method"].get<std::string>();
  const json& params = m.contains("params") ? m["params"] : json::object();
  if (method == "Page.loadEventFired") {
    loaded_ = true;
  } else if (method == "Runtime.exceptionThrown") {
    const json& d = params.value("exceptionDetails", json::object());
    std::string text = d.value("text", "exception");
    if (d.contains("exception")) text += ": " + d["exception"].value("description", "");
    errors_.push_back(text);
  } else if (method == "Runtime.consoleAPICalled" && params.value("type", "") == "error") {
    errors_.push_back("console.error: " + params.value("args", json::array()).dump());
  } else if (method == "Log.entryAdded") {
    const json& e = params.value("entry", json::object());
    if (e.value("level", "") == "error") {
      errors_.push_back(absl::StrCat("log: ", e.value("text", ""), " ", e.value("url", "")));
    }
  }
}

absl::StatusOr<json> HeadlessBrowser::Command(const std::string& method, const json& params,
                                              absl::Duration timeout, bool browser_level) {
  int id = next_id_++;
  json message = {{"id", id}, {"method", method}, {"params", params}};
  if (!browser_level) message["sessionId"] = session_;
  if (auto s = Send(message); !s.ok()) return s;
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    auto m = Read(deadline);
    if (!m.ok()) {
      return absl::Status(m.status().code(), absl::StrCat(method, ": ", m.status().message()));
    }
    if (m->contains("id") && (*m)["id"] == id) {
      if (m->contains("error")) {
        return absl::InternalError(absl::StrCat(method, ": ", (*m)["error"].dump()));
      }
      return m->value("result", json::object());
    }
    OnEvent(*m);
  }
}

absl::Status HeadlessBrowser::WaitForLoad(absl::Time deadline) {
  while (!loaded_) {
    auto m = Read(deadline);
    if (!m.ok()) return absl::Status(m.status().code(), "waiting for the page to load");
    OnEvent(*m);
  }
  return absl::OkStatus();
}

absl::Status HeadlessBrowser::Navigate(const std::string& url, absl::Duration timeout) {
  loaded_ = false;
  absl::Time deadline = absl::Now() + timeout;
  auto r = Command("Page.navigate", {{"url", url}}, timeout);
  if (!r.ok()) return r.status();
  if (r->contains("errorText")) {
    return absl::UnavailableError(
        absl::StrCat("navigating to ", url, ": ", (*r)["errorText"].dump()));
  }
  return WaitForLoad(deadline);
}

absl::StatusOr<json> HeadlessBrowser::Evaluate(const std::string& expression,
                                               absl::Duration timeout) {
  auto r = Command("Runtime.evaluate",
                   {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}},
                   timeout);
  if (!r.ok()) return r.status();
  if (r->contains("exceptionDetails")) {
    return absl::InvalidArgumentError(
        absl::StrCat("evaluating '", expression, "': ", (*r)["exceptionDetails"].dump()));
  }
  return (*r)["result"].value("value", json());
}

absl::Status HeadlessBrowser::EvaluateAndWaitForLoad(const std::string& expression,
                                                     absl::Duration timeout) {
  loaded_ = false;
  absl::Time deadline = absl::Now() + timeout;
  if (auto r = Evaluate(expression, timeout); !r.ok()) return r.status();
  return WaitForLoad(deadline);
}

absl::StatusOr<std::string> HeadlessBrowser::Html() {
  auto v = Evaluate("document.documentElement.outerHTML");
  if (!v.ok()) return v.status();
  if (!v->is_string()) return absl::InternalError("outerHTML is not a string");
  return v->get<std::string>();
}

absl::Status HeadlessBrowser::Screenshot(const std::string& path) {
  auto r = Command("Page.captureScreenshot", {{"format", "png"}}, absl::Seconds(20));
  if (!r.ok()) return r.status();
  std::string b64 = r->value("data", "");
  std::string png(b64.size() / 4 * 3 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(png.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n < 0) return absl::InternalError("the screenshot is not valid base64");
  size_t padding = 0;
  for (auto it = b64.rbegin(); it != b64.rend() && *it == '='; ++it) ++padding;
  png.resize(static_cast<size_t>(n) - padding);
  std::ofstream out(path, std::ios::binary);
  out << png;
  if (!out) return absl::InternalError("cannot write " + path);
  return absl::OkStatus();
}

std::vector<std::string> HeadlessBrowser::TakeErrors() {
  // Drain what already arrived without waiting.
  while (true) {
    auto m = Read(absl::Now());
    if (!m.ok()) break;
    OnEvent(*m);
  }
  std::vector<std::string> out;
  out.swap(errors_);
  return out;
}

}  // namespace skein::ui
