// The `yarn` command. Everything lives in skein_client (client/yarn_cli.h).
#include <iostream>
#include <string>
#include <vector>

#include "client/yarn_cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  int rc = skein::cli::RunYarn(std::move(args), std::cout, std::cerr);
  std::cout.flush();
  return rc;
}
