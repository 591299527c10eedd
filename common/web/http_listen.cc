#include "common/web/http_listen.h"

#include <httplib.h>

#include <chrono>

#include "absl/strings/str_cat.h"

namespace skein::web {

absl::StatusOr<int> BindAndListen(httplib::Server& server, const std::string& host, int port,
                                  absl::string_view key, absl::string_view address,
                                  std::thread& thread) {
  const int bound =
      port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return absl::UnavailableError(
        absl::StrCat(key, ": cannot bind ", address, " (address in use?)"));
  }
  thread = std::thread([&server] { server.listen_after_bind(); });
  for (int i = 0; i < 5000 && !server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return bound;
}

}  // namespace skein::web
