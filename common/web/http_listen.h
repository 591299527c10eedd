// Starting a cpp-httplib server the way every Skein daemon does (RM, standby RM, NM web apps).
//
// Thread rules: call from the thread that owns `server` and `thread`, before anyone else uses them.
#ifndef SKEIN_COMMON_WEB_HTTP_LISTEN_H_
#define SKEIN_COMMON_WEB_HTTP_LISTEN_H_

#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace skein::web {

// Binds `server` to host:port (port 0: an ephemeral one), runs its listen loop on `thread`
// and returns the bound port once the loop runs (cpp-httplib's stop() is a no-op before that,
// so an early Stop could otherwise leave the thread listening forever; the wait is bounded at
// 5 s). A bind failure is Unavailable naming the configuration `key` and `address`, and
// starts no thread.
absl::StatusOr<int> BindAndListen(httplib::Server& server, const std::string& host, int port,
                                  absl::string_view key, absl::string_view address,
                                  std::thread& thread);

}  // namespace skein::web

#endif  // SKEIN_COMMON_WEB_HTTP_LISTEN_H_
