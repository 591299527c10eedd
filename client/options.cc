#include "client/options.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace skein::cli {

std::string ParsedOptions::Value(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return "";
  return it->second.front();
}

absl::StatusOr<ParsedOptions> ParseOptions(const std::vector<std::string>& args,
                                           const std::map<std::string, Arity>& spec,
                                           bool split_commas) {
  ParsedOptions parsed;
  auto is_option = [](const std::string& a) { return a.size() > 1 && a[0] == '-'; };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!is_option(arg)) {
      return absl::InvalidArgumentError(absl::StrCat("Unexpected argument '", arg, "'"));
    }
    std::string name(absl::StripPrefix(absl::StripPrefix(arg, "-"), "-"));
    auto it = spec.find(name);
    if (it == spec.end()) {
      return absl::InvalidArgumentError(absl::StrCat("Unrecognized option: ", arg));
    }
    auto& values = parsed.values[name];
    parsed.order.push_back(name);
    if (it->second == Arity::kNone) continue;
    size_t taken = 0;
    if (it->second == Arity::kOne) {
      // A single value may itself start with '-' ("-shell_args -la") unless it names an option.
      if (i + 1 < args.size()) {
        const std::string& next = args[i + 1];
        bool names_option =
            is_option(next) &&
            spec.count(std::string(absl::StripPrefix(absl::StripPrefix(next, "-"), "-"))) > 0;
        if (!names_option) {
          values.push_back(next);
          ++i;
          ++taken;
        }
      }
    }
    while (it->second == Arity::kMany && i + 1 < args.size() && !is_option(args[i + 1])) {
      const std::string& v = args[++i];
      if (split_commas && it->second == Arity::kMany) {
        for (absl::string_view part : absl::StrSplit(v, ',')) values.emplace_back(part);
      } else {
        values.push_back(v);
      }
      ++taken;
    }
    if (taken == 0) {
      return absl::FailedPreconditionError(absl::StrCat("Missing argument for option: ", arg));
    }
  }
  return parsed;
}

}  // namespace skein::cli
