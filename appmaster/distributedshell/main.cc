// skein-dshell-am: the distributed-shell ApplicationMaster. The job comes from the environment
// (see dshell_am.h); progress goes to stdout, which the AM command redirects to AppMaster.stdout.
#include <iostream>

#include "appmaster/amrm_client.h"
#include "appmaster/distributedshell/dshell_am.h"
#include "appmaster/nm_client.h"

int main() {
  auto env = skein::am::ProcessEnvironment();
  auto am_env = skein::am::ReadAMEnvironment(env);
  if (!am_env.ok()) {
    std::cerr << "skein-dshell-am: " << am_env.status().message() << std::endl;
    return 1;
  }
  skein::am::AMRMClient amrm(
      skein::am::MakeGrpcAMRMProtocol(am_env->scheduler_address, am_env->amrm_token));
  auto job = skein::dshell::ParseDShellJob(env);
  if (!job.ok()) {
    // Registered or not, tell the RM why this attempt cannot run, so the client sees it.
    std::cerr << "skein-dshell-am: " << job.status().message() << std::endl;
    if (amrm.Register("", -1, "").ok()) {
      (void)amrm.Finish(skein::proto::APP_FAILED, job.status().message(), "");
      return 0;
    }
    return 1;
  }
  std::cout << "Initializing ApplicationMaster for " << am_env->attempt_id().ToString()
            << std::endl;
  skein::am::NMClient nm;
  skein::dshell::DShellAppMaster master(*job, amrm, nm, std::cout);
  return master.Run();
}
