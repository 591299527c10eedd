// Hadoop-compatible XML configuration: the `*-site.xml` files every YARN daemon and client reads.
//
// A Configuration is a map from property name to value, filled from built-in defaults, XML
// resources and programmatic Set() calls, in that order of precedence (later wins) except that a
// value loaded with <final>true</final> cannot be replaced by a later *resource* (Hadoop's rule).
//
// Threading: a Configuration is a plain value type. Const methods may be called concurrently from
// any number of threads; mutating methods (AddResource*, Set) need external synchronisation, as
// for a std::map. Daemons build one at start-up and then only read it.
#ifndef SKEIN_COMMON_CONF_CONFIGURATION_H_
#define SKEIN_COMMON_CONF_CONFIGURATION_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace skein::conf {

class Configuration {
 public:
  // An empty configuration: no keys at all, not even defaults.
  Configuration();
  // Every key of YarnDefaults() set, with source "default".
  static Configuration WithYarnDefaults();

  // Loads Hadoop's format:
  //   <configuration>
  //     <property><name/><value/><final/><description/></property> ...
  //   </configuration>
  // (name, value and final may also be attributes of <property>, as Hadoop 3 allows).
  // Property names are trimmed, values are kept verbatim. A <property> without <value> is
  // ignored, as in Hadoop. Elements other than <property> are ignored, except <xi:include>,
  // which is rejected because Skein does not follow includes.
  //
  // Errors name the source and line, e.g. "yarn-site.xml:12: <property> without <name>" or
  // "/etc/hadoop/yarn-site.xml:7: XML parse error: ...". On error nothing from the resource is
  // applied. AddResourceFile uses `path` (as given) as the source name; a missing file is
  // NotFound, an unreadable one carries the errno-derived code.
  absl::Status AddResourceFile(const std::string& path);
  absl::Status AddResourceString(std::string_view xml, std::string_view source_name);

  // Programmatic override (source "programmatic"). Like Hadoop's set(), it replaces the value
  // even when the key is final; the key stays final against later resources.
  void Set(std::string_view key, std::string_view value);

  bool Contains(std::string_view key) const;
  // The stored value, without ${} expansion.
  std::optional<std::string> GetRaw(std::string_view key) const;
  // The value with ${} expansion:
  //   ${other.key}            another key's value, expanded recursively (at most 20 levels deep;
  //                           a reference cycle or a deeper chain is left as written),
  //   ${env.NAME}             the environment variable NAME,
  //   ${env.NAME:-fallback}   NAME, or `fallback` when NAME is unset or empty,
  //   ${env.NAME-fallback}    NAME, or `fallback` when NAME is unset,
  //   ${user.name}            the effective OS user,
  //   ${java.io.tmpdir}       "/tmp".
  // A variable that resolves to nothing stays as written (e.g. "${no.such.key}").
  std::optional<std::string> Get(std::string_view key) const;
  std::string Get(std::string_view key, std::string_view default_value) const;

  // Typed getters work on the expanded, trimmed value. An absent key yields the default; a
  // present but malformed value is InvalidArgumentError naming the key, the value and, when
  // known, where it came from ("yarn-site.xml:14").
  //
  // Decimal integer, or hexadecimal with a 0x prefix (as Hadoop's getLong).
  absl::StatusOr<int64_t> GetInt(std::string_view key, int64_t default_value) const;
  absl::StatusOr<double> GetDouble(std::string_view key, double default_value) const;
  // "true" or "false", case-insensitive.
  absl::StatusOr<bool> GetBool(std::string_view key, bool default_value) const;
  // Hadoop's getTimeDuration: see ParseDuration.
  absl::StatusOr<absl::Duration> GetDuration(std::string_view key, absl::Duration default_value,
                                             absl::Duration unit = absl::Milliseconds(1)) const;
  // Memory size in MB: see ParseMemoryMb.
  absl::StatusOr<int64_t> GetMemoryMb(std::string_view key, int64_t default_mb) const;
  // Comma-separated list: items trimmed, empty items dropped. Absent key: empty list.
  std::vector<std::string> GetStrings(std::string_view key) const;

  // Where the current value came from: "<source>:<line>" for a resource (source as passed to
  // AddResourceString, or the path given to AddResourceFile), "default", "programmatic", or ""
  // when the key is absent.
  std::string SourceOf(std::string_view key) const;
  // Every key, sorted.
  std::vector<std::string> Keys() const;

 private:
  struct Entry {
    std::string value;
    std::string source;
    bool is_final = false;
  };

  std::string Expand(std::string_view text, int depth, std::vector<std::string>& expanding) const;
  absl::Status Malformed(std::string_view key, std::string_view value,
                         std::string_view problem) const;

  std::map<std::string, Entry, std::less<>> entries_;
};

// "512m" -> 512, "2g" -> 2048, "1024" -> 1024 (plain number = MB), "1t" -> 1048576,
// "1536k" -> 2 (kilobytes round up to whole MB). Suffixes k, m, g, t, kb, mb, gb, tb in any case;
// negative plain numbers are allowed (-1 means "detect" for some keys). Errors name the text.
absl::StatusOr<int64_t> ParseMemoryMb(std::string_view text);

// Hadoop's getTimeDuration format: an integer, optionally followed by one of ns, us, ms, s, m,
// h, d (any case). A bare number is in `unit`. Errors name the text.
absl::StatusOr<absl::Duration> ParseDuration(std::string_view text, absl::Duration unit);

// The configuration directory, as the `yarn` command finds it: a non-empty `flag`, else
// $YARN_CONF_DIR, else $HADOOP_CONF_DIR (empty variables count as unset), else none.
std::optional<std::string> ResolveConfDir(const std::optional<std::string>& flag);

// YarnDefaults(), then <conf_dir>/core-site.xml, <conf_dir>/yarn-site.xml and
// <conf_dir>/capacity-scheduler.xml, each only if the file exists. A conf_dir that does not exist
// is NotFound naming it; without conf_dir the result holds the defaults only.
absl::StatusOr<Configuration> LoadYarnConfiguration(const std::optional<std::string>& conf_dir);

}  // namespace skein::conf

#endif  // SKEIN_COMMON_CONF_CONFIGURATION_H_
