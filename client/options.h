// A small Hadoop-style (commons-cli GnuParser-like) option parser for the `yarn` subcommands:
// single-dash long options ("-list", "-appStates A,B"), options taking no value, one value, or
// every following non-option token (comma lists are split). Any thread.
#ifndef SKEIN_CLIENT_OPTIONS_H_
#define SKEIN_CLIENT_OPTIONS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace skein::cli {

enum class Arity { kNone, kOne, kMany };

struct ParsedOptions {
  std::map<std::string, std::vector<std::string>> values;  // option (without '-') -> values
  std::vector<std::string> order;                          // options in the order given
  bool Has(const std::string& name) const { return values.count(name) > 0; }
  // The first value, or "" when the option takes none.
  std::string Value(const std::string& name) const;
};

// Errors: an unknown option is InvalidArgument "Unrecognized option: -x"; an option missing its
// value is FailedPrecondition "Missing argument for option: -x"; a stray value is
// InvalidArgument naming it. `split_commas` options have their values split at ','.
absl::StatusOr<ParsedOptions> ParseOptions(const std::vector<std::string>& args,
                                           const std::map<std::string, Arity>& spec,
                                           bool split_commas = true);

}  // namespace skein::cli

#endif  // SKEIN_CLIENT_OPTIONS_H_
