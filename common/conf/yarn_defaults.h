// The built-in defaults for every configuration key Skein reads: the equivalent of Hadoop's
// yarn-default.xml (plus the few core-default.xml keys YARN depends on).
//
// Values equal Hadoop 3's unless the key's description says why not. docs/configuration.md lists
// every key with its default; yarn_defaults_test checks that it does.
#ifndef SKEIN_COMMON_CONF_YARN_DEFAULTS_H_
#define SKEIN_COMMON_CONF_YARN_DEFAULTS_H_

#include <string_view>
#include <vector>

namespace skein::conf {

struct ConfKey {
  std::string_view name;
  // May contain ${} references, expanded on read by Configuration::Get.
  std::string_view default_value;
  std::string_view description;
};

// Immutable after first use; safe to call from any thread.
const std::vector<ConfKey>& YarnDefaults();

}  // namespace skein::conf

#endif  // SKEIN_COMMON_CONF_YARN_DEFAULTS_H_
