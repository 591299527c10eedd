// skein-executor: runs in an executor container; see executor.h.
#include <cstdlib>
#include <iostream>

#include "appmaster/launcher/driver.h"
#include "appmaster/launcher/executor.h"
#include "common/rpc.h"

int main() {
  using namespace skein;
  const char* address = std::getenv(launcher::kEnvDriverAddress);
  const char* container = std::getenv("CONTAINER_ID");
  if (address == nullptr || *address == '\0') {
    std::cerr << "skein-executor: environment variable " << launcher::kEnvDriverAddress
              << " is not set: no driver to register with" << std::endl;
    return 1;
  }
  launcher::ExecutorOptions options;
  options.executor_id = container != nullptr && *container != '\0' ? container : "executor";
  const char* host = std::getenv("NM_HOST");
  options.host = host != nullptr ? host : "";
  auto stub = proto::LauncherDriverProtocol::NewStub(MakeChannel(address));
  launcher::ProcessTaskRunner runner;
  return launcher::RunExecutor(*stub, runner, options, std::cout);
}
