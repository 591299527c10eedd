// Steps every Skein ApplicationMaster (distributed shell, launcher) takes the same way with the
// AM-RM client. Called from the AM's own thread (the AMRMClient's rules apply).
#ifndef SKEIN_APPMASTER_AM_STEPS_H_
#define SKEIN_APPMASTER_AM_STEPS_H_

#include <ostream>

#include "appmaster/amrm_client.h"
#include "protos/records.pb.h"

namespace skein::am {

// Registers under this host's name (no RPC port, no tracking URL). On failure logs "Failed to
// register with the ResourceManager: <why>" and returns false.
bool RegisterFromThisHost(AMRMClient& amrm, std::ostream& log);

// A container the RM granted. Not `wanted` (more than the AM asked for: the RM may race a
// cancelled ask): it is released and "Releasing surplus container <id>" logged. Wanted: one
// `request` is removed from the ask table, whose count the RM decremented for this grant
// (YARN's rule, see amrm_client.h). Returns `wanted`.
bool TakeGrant(AMRMClient& amrm, const proto::ContainerProto& container,
               const ContainerRequest& request, bool wanted, std::ostream& log);

}  // namespace skein::am

#endif  // SKEIN_APPMASTER_AM_STEPS_H_
