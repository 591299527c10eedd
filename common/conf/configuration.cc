#include "common/conf/configuration.h"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/conf/xml_lines.h"
#include "common/conf/yarn_defaults.h"
#include "pugixml.hpp"

namespace skein::conf {
namespace {

// Hadoop's Configuration.MAX_SUBST.
constexpr int kMaxExpansionDepth = 20;
constexpr std::string_view kDefaultSource = "default";
constexpr std::string_view kProgrammaticSource = "programmatic";

// Debian's Abseil has its own absl::string_view, distinct from std::string_view (our API type).
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }
std::string_view SV(absl::string_view s) { return std::string_view(s.data(), s.size()); }
std::string_view Trim(std::string_view s) { return SV(absl::StripAsciiWhitespace(AV(s))); }

// Concatenated character data (text and CDATA) directly under `node`.
std::string TextOf(const pugi::xml_node& node) {
  std::string text;
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      text += child.value();
    }
  }
  return text;
}

bool IsInclude(std::string_view element_name) {
  return element_name == "include" || absl::EndsWith(AV(element_name), ":include");
}

// One <property> as read from a resource, before precedence rules are applied.
struct ParsedProperty {
  std::string name;
  std::string value;
  bool is_final = false;
  int line = 0;
};

class ResourceParser {
 public:
  ResourceParser(std::string_view xml, std::string_view source) : xml_(xml), source_(source) {}

  absl::StatusOr<std::vector<ParsedProperty>> Parse() {
    pugi::xml_document doc;
    if (absl::Status s = LoadXml(AV(xml_), AV(source_), doc); !s.ok()) return s;
    pugi::xml_node root = doc.document_element();
    if (!root) return Error(1, "no root element, expected <configuration>");
    if (std::string_view(root.name()) != "configuration") {
      return Error(LineOf(root),
                   absl::StrCat("root element is <", root.name(), ">, expected <configuration>"));
    }
    std::vector<ParsedProperty> properties;
    if (absl::Status s = ParseChildren(root, properties); !s.ok()) return s;
    return properties;
  }

 private:
  absl::Status ParseChildren(const pugi::xml_node& parent, std::vector<ParsedProperty>& out) {
    for (const pugi::xml_node& child : parent.children()) {
      if (child.type() != pugi::node_element) continue;
      std::string_view name = child.name();
      if (name == "property") {
        absl::StatusOr<std::optional<ParsedProperty>> property = ParseProperty(child);
        if (!property.ok()) return property.status();
        if (property->has_value()) out.push_back(std::move(**property));
      } else if (name == "configuration") {
        // Hadoop accepts nested <configuration> blocks.
        if (absl::Status s = ParseChildren(child, out); !s.ok()) return s;
      } else if (IsInclude(name)) {
        return Error(LineOf(child), absl::StrCat("<", AV(name), "> is not supported"));
      }
      // Anything else is ignored, as Hadoop does.
    }
    return absl::OkStatus();
  }

  // Returns nullopt for a property without a value (Hadoop skips those).
  absl::StatusOr<std::optional<ParsedProperty>> ParseProperty(const pugi::xml_node& property) {
    const int property_line = LineOf(property);
    std::optional<std::string> name = ChildOrAttribute(property, "name");
    if (name.has_value()) name = std::string(Trim(*name));
    if (!name.has_value() || name->empty()) {
      return Error(property_line, "<property> without <name>");
    }

    bool is_final = false;
    if (std::optional<std::string> final_text = ChildOrAttribute(property, "final")) {
      std::string_view flag = Trim(*final_text);
      if (absl::EqualsIgnoreCase(AV(flag), "true")) {
        is_final = true;
      } else if (!flag.empty() && !absl::EqualsIgnoreCase(AV(flag), "false")) {
        return Error(property_line, absl::StrCat("<final> of ", *name, " is \"", AV(flag),
                                                 "\", expected true or false"));
      }
    }

    ParsedProperty parsed;
    if (pugi::xml_node value = property.child("value")) {
      parsed.value = TextOf(value);
      parsed.line = LineOf(value);
    } else if (pugi::xml_attribute attribute = property.attribute("value")) {
      parsed.value = attribute.value();
      parsed.line = property_line;
    } else {
      return std::optional<ParsedProperty>();
    }
    parsed.name = std::move(*name);
    parsed.is_final = is_final;
    return std::optional<ParsedProperty>(std::move(parsed));
  }

  static std::optional<std::string> ChildOrAttribute(const pugi::xml_node& node, const char* name) {
    if (pugi::xml_node child = node.child(name)) return TextOf(child);
    if (pugi::xml_attribute attribute = node.attribute(name)) return std::string(attribute.value());
    return std::nullopt;
  }

  int LineOf(const pugi::xml_node& node) const { return XmlLineOf(AV(xml_), node); }

  absl::Status Error(int line, std::string_view problem) const {
    return XmlError(AV(source_), line, AV(problem));
  }

  std::string_view xml_;
  std::string_view source_;
};

std::optional<std::string> GetEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::optional<std::string> CurrentUserName() {
  long buffer_size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(buffer_size > 0 ? static_cast<size_t>(buffer_size) : 16384);
  passwd entry;
  passwd* found = nullptr;
  if (getpwuid_r(geteuid(), &entry, buffer.data(), buffer.size(), &found) == 0 &&
      found != nullptr) {
    return std::string(found->pw_name);
  }
  return GetEnv("USER");
}

// ${env.NAME}, ${env.NAME:-fallback} (unset or empty), ${env.NAME-fallback} (unset only).
std::optional<std::string> ResolveEnvironment(std::string_view spec) {
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] == ':' && i + 1 < spec.size() && spec[i + 1] == '-') {
      std::optional<std::string> value = GetEnv(std::string(spec.substr(0, i)));
      if (!value.has_value() || value->empty()) return std::string(spec.substr(i + 2));
      return value;
    }
    if (spec[i] == '-') {
      std::optional<std::string> value = GetEnv(std::string(spec.substr(0, i)));
      if (!value.has_value()) return std::string(spec.substr(i + 1));
      return value;
    }
  }
  return GetEnv(std::string(spec));
}

// Parses an optionally signed integer; hexadecimal with a 0x prefix when `allow_hex`.
std::optional<int64_t> ParseInteger(std::string_view text, bool allow_hex) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  int base = 10;
  if (allow_hex && text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return std::nullopt;
  uint64_t magnitude = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), magnitude, base);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (negative) {
    if (magnitude > kMax + 1) return std::nullopt;
    return magnitude == kMax + 1 ? std::numeric_limits<int64_t>::min()
                                 : -static_cast<int64_t>(magnitude);
  }
  if (magnitude > kMax) return std::nullopt;
  return static_cast<int64_t>(magnitude);
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("opening ", path));
  std::string content;
  char buffer[65536];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      int read_errno = errno;
      close(fd);
      return absl::ErrnoToStatus(read_errno, absl::StrCat("reading ", path));
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return content;
}

}  // namespace

Configuration::Configuration() = default;

Configuration Configuration::WithYarnDefaults() {
  Configuration conf;
  for (const ConfKey& key : YarnDefaults()) {
    conf.entries_[std::string(key.name)] =
        Entry{std::string(key.default_value), std::string(kDefaultSource), false};
  }
  return conf;
}

absl::Status Configuration::AddResourceFile(const std::string& path) {
  absl::StatusOr<std::string> content = ReadFile(path);
  if (!content.ok()) return content.status();
  return AddResourceString(*content, path);
}

absl::Status Configuration::AddResourceString(std::string_view xml, std::string_view source_name) {
  absl::StatusOr<std::vector<ParsedProperty>> properties = ResourceParser(xml, source_name).Parse();
  if (!properties.ok()) return properties.status();
  for (ParsedProperty& property : *properties) {
    auto it = entries_.find(property.name);
    if (it != entries_.end() && it->second.is_final) continue;  // Hadoop: final wins, silently.
    Entry& entry = entries_[std::move(property.name)];
    entry.value = std::move(property.value);
    entry.source = absl::StrCat(AV(source_name), ":", property.line);
    entry.is_final = property.is_final;
  }
  return absl::OkStatus();
}

void Configuration::Set(std::string_view key, std::string_view value) {
  auto it = entries_.find(key);
  if (it == entries_.end()) it = entries_.emplace(std::string(key), Entry{}).first;
  it->second.value = std::string(value);
  it->second.source = std::string(kProgrammaticSource);
}

bool Configuration::Contains(std::string_view key) const { return entries_.count(key) > 0; }

std::optional<std::string> Configuration::GetRaw(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second.value;
}

std::optional<std::string> Configuration::Get(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  std::vector<std::string> expanding = {std::string(key)};
  return Expand(it->second.value, 0, expanding);
}

std::string Configuration::Get(std::string_view key, std::string_view default_value) const {
  std::optional<std::string> value = Get(key);
  return value.has_value() ? *std::move(value) : std::string(default_value);
}

// Expands `text` left to right. A variable's name is itself expanded first, so
// "${env.DIR:-${hadoop.tmp.dir}}" works as in Hadoop. `expanding` holds the keys whose values are
// being expanded, to cut reference cycles; `depth` bounds chains of references.
std::string Configuration::Expand(std::string_view text, int depth,
                                  std::vector<std::string>& expanding) const {
  struct Scanner {
    const Configuration& conf;
    std::string_view text;
    int depth;
    std::vector<std::string>& expanding;
    size_t pos = 0;

    // Scans until the end of text or, when `inside_braces`, up to and including the '}' that
    // closes the current variable; `closed` tells which happened.
    std::string Scan(bool inside_braces, bool& closed) {
      std::string out;
      while (pos < text.size()) {
        char c = text[pos];
        if (inside_braces && c == '}') {
          ++pos;
          closed = true;
          return out;
        }
        if (c == '$' && pos + 1 < text.size() && text[pos + 1] == '{') {
          pos += 2;
          bool name_closed = false;
          std::string name = Scan(true, name_closed);
          if (!name_closed) {
            absl::StrAppend(&out, "${", name);  // Unterminated: keep as written.
            continue;
          }
          std::optional<std::string> value = Resolve(name);
          if (value.has_value()) {
            out += *value;
          } else {
            absl::StrAppend(&out, "${", name, "}");
          }
          continue;
        }
        out += c;
        ++pos;
      }
      closed = false;
      return out;
    }

    std::optional<std::string> Resolve(const std::string& name) {
      if (absl::StartsWith(name, "env.") && name.size() > 4) {
        return ResolveEnvironment(std::string_view(name).substr(4));
      }
      if (name == "user.name") return CurrentUserName();
      if (name == "java.io.tmpdir") return std::string("/tmp");
      auto it = conf.entries_.find(name);
      if (it == conf.entries_.end()) return std::nullopt;
      if (depth + 1 > kMaxExpansionDepth) return std::nullopt;
      if (std::find(expanding.begin(), expanding.end(), name) != expanding.end()) {
        return std::nullopt;  // A cycle: leave the reference as written.
      }
      expanding.push_back(name);
      std::string value = conf.Expand(it->second.value, depth + 1, expanding);
      expanding.pop_back();
      return value;
    }
  };
  Scanner scanner{*this, text, depth, expanding};
  bool closed = false;
  return scanner.Scan(false, closed);
}

absl::Status Configuration::Malformed(std::string_view key, std::string_view value,
                                      std::string_view problem) const {
  std::string source = SourceOf(key);
  return absl::InvalidArgumentError(
      absl::StrCat("configuration key ", AV(key), " has invalid value \"", AV(value), "\"",
                   source.empty() ? "" : absl::StrCat(" (from ", source, ")"), ": ", AV(problem)));
}

absl::StatusOr<int64_t> Configuration::GetInt(std::string_view key, int64_t default_value) const {
  std::optional<std::string> value = Get(key);
  if (!value.has_value()) return default_value;
  std::optional<int64_t> parsed = ParseInteger(Trim(*value), /*allow_hex=*/true);
  if (!parsed.has_value()) return Malformed(key, *value, "expected a 64-bit integer");
  return *parsed;
}

absl::StatusOr<double> Configuration::GetDouble(std::string_view key, double default_value) const {
  std::optional<std::string> value = Get(key);
  if (!value.has_value()) return default_value;
  double parsed = 0;
  std::string_view trimmed = Trim(*value);
  if (trimmed.empty() || !absl::SimpleAtod(AV(trimmed), &parsed)) {
    return Malformed(key, *value, "expected a number");
  }
  return parsed;
}

absl::StatusOr<bool> Configuration::GetBool(std::string_view key, bool default_value) const {
  std::optional<std::string> value = Get(key);
  if (!value.has_value()) return default_value;
  std::string_view trimmed = Trim(*value);
  if (absl::EqualsIgnoreCase(AV(trimmed), "true")) return true;
  if (absl::EqualsIgnoreCase(AV(trimmed), "false")) return false;
  return Malformed(key, *value, "expected true or false");
}

absl::StatusOr<absl::Duration> Configuration::GetDuration(std::string_view key,
                                                          absl::Duration default_value,
                                                          absl::Duration unit) const {
  std::optional<std::string> value = Get(key);
  if (!value.has_value()) return default_value;
  absl::StatusOr<absl::Duration> parsed = ParseDuration(*value, unit);
  if (!parsed.ok()) return Malformed(key, *value, SV(parsed.status().message()));
  return *parsed;
}

absl::StatusOr<int64_t> Configuration::GetMemoryMb(std::string_view key, int64_t default_mb) const {
  std::optional<std::string> value = Get(key);
  if (!value.has_value()) return default_mb;
  absl::StatusOr<int64_t> parsed = ParseMemoryMb(*value);
  if (!parsed.ok()) return Malformed(key, *value, SV(parsed.status().message()));
  return *parsed;
}

std::vector<std::string> Configuration::GetStrings(std::string_view key) const {
  std::vector<std::string> items;
  std::optional<std::string> value = Get(key);
  if (!value.has_value()) return items;
  for (absl::string_view piece : absl::StrSplit(*value, ',')) {
    std::string_view item = Trim(SV(piece));
    if (!item.empty()) items.emplace_back(item);
  }
  return items;
}

std::string Configuration::SourceOf(std::string_view key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? std::string() : it->second.source;
}

std::vector<std::string> Configuration::Keys() const {
  std::vector<std::string> keys;
  keys.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) keys.push_back(key);
  return keys;
}

absl::StatusOr<int64_t> ParseMemoryMb(std::string_view text) {
  auto invalid = [text](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid memory size \"", AV(text), "\": ", AV(why)));
  };
  std::string lower = absl::AsciiStrToLower(AV(Trim(text)));
  std::string_view rest = lower;
  // "kb", "mb", ... are spelled-out forms of k, m, ...
  if (rest.size() >= 2 && rest.back() == 'b' && absl::ascii_isalpha(rest[rest.size() - 2])) {
    rest.remove_suffix(1);
  }
  char suffix = 'm';
  if (!rest.empty() && absl::ascii_isalpha(rest.back())) {
    suffix = rest.back();
    rest.remove_suffix(1);
    if (suffix != 'k' && suffix != 'm' && suffix != 'g' && suffix != 't') {
      return invalid("unknown unit, expected k, m, g or t");
    }
  }
  std::optional<int64_t> number = ParseInteger(Trim(rest), /*allow_hex=*/false);
  if (!number.has_value()) {
    return invalid("expected a whole number with an optional k, m, g or t suffix");
  }
  int64_t n = *number;
  switch (suffix) {
    case 'k': {
      if (n == std::numeric_limits<int64_t>::min()) return invalid("out of range");
      int64_t magnitude = n < 0 ? -n : n;
      int64_t mb = magnitude / 1024 + (magnitude % 1024 != 0 ? 1 : 0);
      return n < 0 ? -mb : mb;
    }
    case 'm':
      return n;
    case 'g':
    case 't': {
      int64_t factor = suffix == 'g' ? 1024 : 1024 * 1024;
      if (n > std::numeric_limits<int64_t>::max() / factor ||
          n < std::numeric_limits<int64_t>::min() / factor) {
        return invalid("out of range");
      }
      return n * factor;
    }
  }
  return invalid("unknown unit");
}

absl::StatusOr<absl::Duration> ParseDuration(std::string_view text, absl::Duration unit) {
  auto invalid = [text](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid duration \"", AV(text), "\": ", AV(why)));
  };
  std::string lower = absl::AsciiStrToLower(AV(Trim(text)));
  std::string_view rest = lower;
  // Two-letter suffixes first: "ms" must not be read as "s".
  static constexpr std::pair<std::string_view, absl::Duration> kSuffixes[] = {
      {"ns", absl::Nanoseconds(1)}, {"us", absl::Microseconds(1)}, {"ms", absl::Milliseconds(1)},
      {"s", absl::Seconds(1)},      {"m", absl::Minutes(1)},       {"h", absl::Hours(1)},
      {"d", absl::Hours(24)},
  };
  absl::Duration scale = unit;
  for (const auto& [suffix, suffix_unit] : kSuffixes) {
    if (absl::EndsWith(AV(rest), AV(suffix))) {
      rest.remove_suffix(suffix.size());
      scale = suffix_unit;
      break;
    }
  }
  std::optional<int64_t> number = ParseInteger(Trim(rest), /*allow_hex=*/false);
  if (!number.has_value()) {
    return invalid("expected a whole number with an optional ns, us, ms, s, m, h or d suffix");
  }
  absl::Duration result = scale * *number;  // Saturates to infinity on overflow.
  if (result == absl::InfiniteDuration() || result == -absl::InfiniteDuration()) {
    return invalid("out of range");
  }
  return result;
}

std::optional<std::string> ResolveConfDir(const std::optional<std::string>& flag) {
  if (flag.has_value() && !flag->empty()) return flag;
  for (const char* variable : {"YARN_CONF_DIR", "HADOOP_CONF_DIR"}) {
    std::optional<std::string> value = GetEnv(variable);
    if (value.has_value() && !value->empty()) return value;
  }
  return std::nullopt;
}

absl::StatusOr<Configuration> LoadYarnConfiguration(const std::optional<std::string>& conf_dir) {
  Configuration conf = Configuration::WithYarnDefaults();
  if (!conf_dir.has_value()) return conf;
  std::error_code error;
  std::filesystem::file_status status = std::filesystem::status(*conf_dir, error);
  if (!std::filesystem::exists(status)) {
    return absl::NotFoundError(
        absl::StrCat("configuration directory \"", *conf_dir, "\" does not exist"));
  }
  if (!std::filesystem::is_directory(status)) {
    return absl::InvalidArgumentError(
        absl::StrCat("configuration directory \"", *conf_dir, "\" is not a directory"));
  }
  // capacity-scheduler.xml keys (yarn.scheduler.capacity.*) are merged in: they never collide
  // with yarn-site keys, and the RM hands the merged view to its scheduler.
  for (const char* file : {"core-site.xml", "yarn-site.xml", "capacity-scheduler.xml"}) {
    std::filesystem::path path = std::filesystem::path(*conf_dir) / file;
    if (!std::filesystem::exists(path, error)) continue;
    if (absl::Status s = conf.AddResourceFile(path.string()); !s.ok()) return s;
  }
  return conf;
}

}  // namespace skein::conf
