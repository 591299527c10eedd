// skein-launcher-am: the launcher's ApplicationMaster. The job comes from SKEIN_LAUNCHER_JOB
// (see driver.h). Cluster mode runs the driver here, so the job's output ("Pi is roughly …")
// lands in this container's stdout; client mode dials the driver in the `yarn submit` process.
#include <cstdlib>
#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "appmaster/amrm_client.h"
#include "appmaster/launcher/driver.h"
#include "appmaster/launcher/launcher_am.h"
#include "appmaster/nm_client.h"

int main() {
  using namespace skein;
  auto env = am::ProcessEnvironment();
  auto am_env = am::ReadAMEnvironment(env);
  if (!am_env.ok()) {
    std::cerr << "skein-launcher-am: " << am_env.status().message() << std::endl;
    return 1;
  }
  am::AMRMClient amrm(am::MakeGrpcAMRMProtocol(am_env->scheduler_address, am_env->amrm_token));
  auto job = launcher::DecodeJob(env.count(launcher::kEnvJob) ? env[launcher::kEnvJob] : "");
  if (!job.ok()) {
    std::cerr << "skein-launcher-am: " << job.status().message() << std::endl;
    if (amrm.Register("", -1, "").ok()) {
      (void)amrm.Finish(proto::APP_FAILED, job.status().message(), "");
      return 0;
    }
    return 1;
  }
  std::cout << "Initializing ApplicationMaster for " << am_env->attempt_id().ToString() << " ("
            << job->deploy_mode() << " mode, program " << job->program() << ")" << std::endl;
  am::NMClient nm;
  if (job->deploy_mode() == "cluster") {
    launcher::Driver driver(*job, &std::cout);
    auto server = launcher::DriverServer::Start(driver, "0.0.0.0:0");
    if (!server.ok()) {
      std::cerr << "skein-launcher-am: cannot start the driver: " << server.status().message()
                << std::endl;
      if (amrm.Register("", -1, "").ok()) {
        (void)amrm.Finish(proto::APP_FAILED, server.status().message(), "");
      }
      return 1;
    }
    std::string host = job->driver_host();
    if (host.empty() && env.count("NM_HOST")) host = env["NM_HOST"];
    if (host.empty()) host = "127.0.0.1";
    std::string address = absl::StrCat(host, ":", (*server)->port());
    std::cout << "Driver listening on " << address << std::endl;
    launcher::LocalDriverLink link(driver);
    launcher::LauncherAppMaster master(*job, address, amrm, nm, link, std::cout);
    return master.Run();
  }
  launcher::GrpcDriverLink link(job->driver_address());
  launcher::LauncherAppMaster master(*job, job->driver_address(), amrm, nm, link, std::cout);
  return master.Run();
}
