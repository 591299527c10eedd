// Checks the RM-signed container token an NM receives in StartContainers. Pure; any thread.
#ifndef SKEIN_NODEMANAGER_CONTAINER_TOKEN_VERIFIER_H_
#define SKEIN_NODEMANAGER_CONTAINER_TOKEN_VERIFIER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "protos/records.pb.h"

namespace skein::nm {

struct MasterKey {
  int32_t key_id = 0;
  std::string bytes;
};

// Parses token.identifier and checks, in order: the signature (HMAC-SHA256 with the key whose id
// the identifier names, among `keys`), that it is for `node_id` ("host:port"), and that it has not
// expired at `now_ms`. Errors (PermissionDenied / InvalidArgument) name the container and why,
// e.g. "Invalid container token for container_1_0001_01_000001: signature mismatch".
absl::StatusOr<proto::ContainerTokenIdentifierProto> VerifyContainerToken(
    const proto::TokenProto& token, const std::vector<MasterKey>& keys, absl::string_view node_id,
    int64_t now_ms);

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_CONTAINER_TOKEN_VERIFIER_H_
