#include "common/url.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace skein {

std::string UrlText(const proto::URLProto& url) {
  std::string out;
  if (!url.scheme().empty()) absl::StrAppend(&out, url.scheme(), ":");
  if (!url.host().empty()) {
    absl::StrAppend(&out, "//");
    if (!url.user_info().empty()) absl::StrAppend(&out, url.user_info(), "@");
    absl::StrAppend(&out, url.host());
    if (url.has_port() && url.port() > 0) absl::StrAppend(&out, ":", url.port());
  } else if (url.scheme() == "file") {
    absl::StrAppend(&out, "//");  // file:/a and file:///a name the same file
  }
  absl::StrAppend(&out, url.file());
  return out;
}

proto::URLProto ParseUrl(absl::string_view text) {
  proto::URLProto url;
  url.set_port(-1);
  size_t colon = text.find(':');
  size_t slash = text.find('/');
  if (colon != absl::string_view::npos && (slash == absl::string_view::npos || colon < slash)) {
    url.set_scheme(std::string(text.substr(0, colon)));
    text.remove_prefix(colon + 1);
  }
  if (text.substr(0, 2) == "//") {
    text.remove_prefix(2);
    size_t end = text.find_first_of("/?");
    absl::string_view authority = text.substr(0, end);
    text = end == absl::string_view::npos ? absl::string_view() : text.substr(end);
    size_t at = authority.rfind('@');
    if (at != absl::string_view::npos) {
      url.set_user_info(std::string(authority.substr(0, at)));
      authority.remove_prefix(at + 1);
    }
    size_t port_colon = authority.rfind(':');
    int port = 0;
    if (port_colon != absl::string_view::npos &&
        authority.find(']', port_colon) == absl::string_view::npos &&
        absl::SimpleAtoi(authority.substr(port_colon + 1), &port)) {
      url.set_port(port);
      authority = authority.substr(0, port_colon);
    }
    if (!authority.empty()) url.set_host(std::string(authority));
  }
  url.set_file(std::string(text));
  return url;
}

}  // namespace skein
