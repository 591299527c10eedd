#include "appmaster/am_steps.h"

#include <unistd.h>

#include "common/ids.h"

namespace skein::am {

bool RegisterFromThisHost(AMRMClient& amrm, std::ostream& log) {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  auto reg = amrm.Register(host, -1, "");
  if (!reg.ok()) {
    log << "Failed to register with the ResourceManager: " << reg.status().message() << std::endl;
    return false;
  }
  return true;
}

bool TakeGrant(AMRMClient& amrm, const proto::ContainerProto& container,
               const ContainerRequest& request, bool wanted, std::ostream& log) {
  if (!wanted) {
    const ContainerId id = ContainerId::FromProto(container.id());
    log << "Releasing surplus container " << id.ToString() << std::endl;
    amrm.ReleaseAssignedContainer(id);
    return false;
  }
  if (amrm.Outstanding(request) > 0) (void)amrm.RemoveContainerRequest(request);
  return true;
}

}  // namespace skein::am
