// Secrets and signatures: random keys (AMRM tokens, container-token master keys) and
// HMAC-SHA256 signatures, through OpenSSL (already a dependency of gRPC). Any thread.
#ifndef SKEIN_COMMON_TOKEN_H_
#define SKEIN_COMMON_TOKEN_H_

#include <string>

#include "absl/strings/string_view.h"

namespace skein {

// `n` cryptographically random bytes.
std::string RandomBytes(size_t n);
// Lower-case hex of `bytes`.
std::string HexEncode(absl::string_view bytes);
// HMAC-SHA256(key, data), 32 raw bytes.
std::string HmacSha256(absl::string_view key, absl::string_view data);
// Compares in time independent of where the inputs differ.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace skein

#endif  // SKEIN_COMMON_TOKEN_H_
