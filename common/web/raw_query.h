// Query parameters read from the raw request target, for values that hold '=' unencoded.
// Stateless; any thread.
#ifndef SKEIN_COMMON_WEB_RAW_QUERY_H_
#define SKEIN_COMMON_WEB_RAW_QUERY_H_

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace skein::web {

// The percent-decoded value of query parameter `key` in a raw request target ("/jmx?qry=..."),
// "" when absent. Monitoring agents send JMX ObjectNames unencoded (qry=Hadoop:service=X,name=Y):
// the value runs to the next '&', '=' included (cpp-httplib's own parsing keeps only the part
// after the last '=').
inline std::string RawQueryParam(const std::string& target, const std::string& key) {
  size_t q = target.find('?');
  if (q == std::string::npos) return "";
  for (absl::string_view kv : absl::StrSplit(target.substr(q + 1), '&')) {
    if (!absl::StartsWith(kv, key + "=")) continue;
    absl::string_view raw = kv.substr(key.size() + 1);
    std::string out;
    for (size_t i = 0; i < raw.size(); ++i) {
      int hi = 0, lo = 0;
      auto hex = [](char c, int& v) {
        if (c >= '0' && c <= '9')
          v = c - '0';
        else if (c >= 'a' && c <= 'f')
          v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
          v = c - 'A' + 10;
        else
          return false;
        return true;
      };
      if (raw[i] == '%' && i + 2 < raw.size() && hex(raw[i + 1], hi) && hex(raw[i + 2], lo)) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
      } else {
        out.push_back(raw[i]);
      }
    }
    return out;
  }
  return "";
}

}  // namespace skein::web

#endif  // SKEIN_COMMON_WEB_RAW_QUERY_H_
