#include "nodemanager/container/token_verifier.h"

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/token.h"

namespace skein::nm {

absl::StatusOr<proto::ContainerTokenIdentifierProto> VerifyContainerToken(
    const proto::TokenProto& token, const std::vector<MasterKey>& keys, absl::string_view node_id,
    int64_t now_ms) {
  proto::ContainerTokenIdentifierProto ident;
  if (token.identifier().empty() || !ident.ParseFromString(token.identifier())) {
    return absl::InvalidArgumentError(
        "Invalid container token: the identifier is missing or is not a "
        "ContainerTokenIdentifierProto");
  }
  const std::string prefix =
      absl::StrCat("Invalid container token for ",
                   ContainerId::FromProto(ident.container_id()).ToString(), ": ");
  const MasterKey* key = nullptr;
  for (const MasterKey& k : keys) {
    if (k.key_id == ident.master_key_id()) key = &k;
  }
  if (key == nullptr) {
    return absl::PermissionDeniedError(
        absl::StrCat(prefix, "signed with master key ", ident.master_key_id(),
                     ", which this NodeManager does not know (it knows ", keys.size(), " key(s))"));
  }
  if (!ConstantTimeEquals(HmacSha256(key->bytes, token.identifier()), token.password())) {
    return absl::PermissionDeniedError(absl::StrCat(prefix, "signature mismatch"));
  }
  if (ident.nm_host_port() != node_id) {
    return absl::PermissionDeniedError(absl::StrCat(prefix, "token is for ", ident.nm_host_port(),
                                                    ", this NodeManager is ", node_id));
  }
  if (ident.expiry_timestamp_ms() <= now_ms) {
    return absl::PermissionDeniedError(absl::StrCat(
        prefix, "token expired at ", ident.expiry_timestamp_ms(), " ms, now is ", now_ms, " ms"));
  }
  return ident;
}

}  // namespace skein::nm
