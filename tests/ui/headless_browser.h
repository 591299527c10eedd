// A headless Chromium driven over the DevTools protocol through --remote-debugging-pipe (fd 3:
// commands in, fd 4: responses and events out, NUL-terminated JSON), so no WebSocket client is
// needed. One page target; navigation, DOM read-back, script evaluation, screenshots, and the
// page's uncaught exceptions and console errors.
//
// The browser runs in its own process group, killed (SIGKILL to the group) by the destructor,
// also when a test fails half-way. Every wait is bounded. Thread rules: one thread.
#ifndef SKEIN_TESTS_UI_HEADLESS_BROWSER_H_
#define SKEIN_TESTS_UI_HEADLESS_BROWSER_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace skein::ui {

class HeadlessBrowser {
 public:
  // The chromium binary ($SKEIN_CHROMIUM, else chromium / chromium-browser / google-chrome on
  // PATH), or "" when there is none.
  static std::string FindChromium();

  HeadlessBrowser() = default;
  ~HeadlessBrowser();  // kills the browser's process group
  HeadlessBrowser(const HeadlessBrowser&) = delete;
  HeadlessBrowser& operator=(const HeadlessBrowser&) = delete;

  // Starts `binary` headless (--headless=new --no-sandbox --disable-gpu, a fresh profile under
  // `profile_dir`, no network beyond what pages ask for) and opens one blank page.
  absl::Status Start(const std::string& binary, const std::string& profile_dir);

  // Navigates and waits for the load event.
  absl::Status Navigate(const std::string& url, absl::Duration timeout = absl::Seconds(15));
  // Evaluates a JavaScript expression in the page; its value (returnByValue). A thrown
  // exception is an error with its text.
  absl::StatusOr<nlohmann::json> Evaluate(const std::string& expression,
                                          absl::Duration timeout = absl::Seconds(10));
  // Evaluates `expression` (e.g. a click that submits a form) and waits for the next load.
  absl::Status EvaluateAndWaitForLoad(const std::string& expression,
                                      absl::Duration timeout = absl::Seconds(15));
  // The current DOM as HTML.
  absl::StatusOr<std::string> Html();
  // Writes a PNG of the viewport to `path`.
  absl::Status Screenshot(const std::string& path);
  // Uncaught exceptions and console/log errors seen since the last call.
  std::vector<std::string> TakeErrors();

 private:
  // Sends a command (to the page session unless `browser_level`) and waits for its answer,
  // collecting events meanwhile.
  absl::StatusOr<nlohmann::json> Command(const std::string& method, const nlohmann::json& params,
                                         absl::Duration timeout, bool browser_level = false);
  absl::Status Send(const nlohmann::json& message);
  // Reads one message, waiting at most until `deadline`.
  absl::StatusOr<nlohmann::json> Read(absl::Time deadline);
  void OnEvent(const nlohmann::json& message);
  absl::Status WaitForLoad(absl::Time deadline);

  pid_t pid_ = -1;
  int to_browser_ = -1;
  int from_browser_ = -1;
  std::string buffer_;  // bytes read but not yet split into messages
  int next_id_ = 1;
  std::string session_;
  bool loaded_ = false;
  std::vector<std::string> errors_;
};

}  // namespace skein::ui

#endif  // SKEIN_TESTS_UI_HEADLESS_BROWSER_H_
