// Tests only: where scripts/fetch-interop.sh put the pinned third-party clients
// (interop/README.md).
//
//   std::string lib = SKEIN_INTEROP_DIR_OR_FAIL("java/hadoop-3.5") + "/lib";
//
// A missing artifact FAILS the test (it never skips): CI runs scripts/test.sh, which fetches them.
#ifndef SKEIN_COMMON_TESTING_INTEROP_H_
#define SKEIN_COMMON_TESTING_INTEROP_H_

#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace skein::testing {

// $SKEIN_INTEROP_CACHE, else /var/cache/skein-interop.
inline std::string InteropCache() {
  const char* env = std::getenv("SKEIN_INTEROP_CACHE");
  return env != nullptr && *env != '\0' ? std::string(env) : "/var/cache/skein-interop";
}

// The fetched directory of `spec` (e.g. "java/hadoop-3.5"), or "" with *why set when it is missing.
inline std::string InteropDir(const std::string& spec, std::string* why) {
  std::string dir = InteropCache() + "/" + spec;
  struct stat st;
  if (::stat((dir + "/.stamp").c_str(), &st) != 0) {
    *why = "interop artifact " + spec + " is missing from " + InteropCache() +
           ": run `bash scripts/fetch-interop.sh " + spec + "` (scripts/test.sh does)";
    return "";
  }
  return dir;
}

}  // namespace skein::testing

// Evaluates to the directory of `spec`; fails the current test (fatally) when it is missing.
#define SKEIN_INTEROP_DIR_OR_FAIL(spec)                             \
  ([&]() -> std::string {                                           \
    std::string why_;                                               \
    std::string dir_ = ::skein::testing::InteropDir((spec), &why_); \
    if (dir_.empty()) ADD_FAILURE() << why_;                        \
    return dir_;                                                    \
  }())

#endif  // SKEIN_COMMON_TESTING_INTEROP_H_
