// Hadoop's URL record (URLProto: scheme, user info, host, port, file) and the URL text Skein's
// code, messages and logs use. LocalResourceProto carries a URLProto on the wire, as Hadoop's
// does; the localizer and the clients work with the text.
//
// Hadoop builds the record from a java.net.URI (URL.fromURI: port -1 when absent, file = the
// path). Skein keeps a query ("?v=1") in `file` too, so http(s) resources round-trip.
#ifndef SKEIN_COMMON_URL_H_
#define SKEIN_COMMON_URL_H_

#include <string>

#include "absl/strings/string_view.h"
#include "protos/records.pb.h"

namespace skein {

// "file:///data/a.txt", "hdfs://nn:8020/user/x", "https://h:1/x?v=1". A record without a host
// prints as "scheme:///path" for file URLs (Java's "file:/path" arrives this way).
std::string UrlText(const proto::URLProto& url);

// The inverse; text without "scheme:" becomes a scheme-less record (file only), which the
// localizer then refuses with a message naming it.
proto::URLProto ParseUrl(absl::string_view text);

}  // namespace skein

#endif  // SKEIN_COMMON_URL_H_
