// Every configuration key docs/configuration.md documents is read by some component: its name
// appears as a string literal in the production sources (not in tests, test helpers or the
// defaults table), whole or built from literal parts (a prefix constant plus a suffix, or
// prefix + queue path + suffix as the Capacity scheduler's per-queue keys are). A key only
// referenced as ${key} by another key's default (hadoop.tmp.dir, yarn.log.dir) counts as read
// through that key. The check is textual on purpose: a documented key nothing reads is a promise
// the code does not keep.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "common/conf/yarn_defaults.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::conf {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The keys in the first column of docs/configuration.md's tables, from "## Keys Skein reads" on:
// full names (yarn.*, hadoop.*) and Capacity per-queue suffixes written `<path>.suffix`.
std::vector<std::string> DocumentedKeys() {
  std::istringstream doc(ReadFile(fs::path(SKEIN_SOURCE_DIR) / "docs/configuration.md"));
  std::vector<std::string> keys;
  bool in_keys = false;
  const std::regex token("`([^`]+)`");
  for (std::string line; std::getline(doc, line);) {
    if (absl::StartsWith(line, "## ")) in_keys = line == "## Keys Skein reads";
    if (!in_keys || !absl::StartsWith(line, "| `")) continue;
    const std::string first_column = line.substr(1, line.find(" |", 1));
    for (std::sregex_iterator it(first_column.begin(), first_column.end(), token), end; it != end;
         ++it) {
      const std::string key = (*it)[1];
      if (absl::StartsWith(key, "yarn.") || absl::StartsWith(key, "hadoop.") ||
          absl::StartsWith(key, "<path>.")) {
        keys.push_back(key);
      }
    }
  }
  return keys;
}

// Every string literal in the production C++ sources (comment lines skipped).
std::set<std::string> SourceLiterals() {
  std::set<std::string> literals;
  const std::regex literal(R"re("((?:[^"\\\n]|\\.)*)")re");
  for (const char* dir : {"appmaster", "client", "common", "nodemanager", "resourcemanager"}) {
    for (const fs::directory_entry& e :
         fs::recursive_directory_iterator(fs::path(SKEIN_SOURCE_DIR) / dir)) {
      const std::string path = e.path().string();
      if (!e.is_regular_file() || !(absl::EndsWith(path, ".cc") || absl::EndsWith(path, ".h")) ||
          absl::EndsWith(path, "_test.cc") || absl::StrContains(path, "/testing/") ||
          absl::EndsWith(path, "common/conf/yarn_defaults.cc")) {
        continue;
      }
      std::istringstream text(ReadFile(e.path()));
      for (std::string line; std::getline(text, line);) {
        const size_t start = line.find_first_not_of(' ');
        if (start != std::string::npos && line.compare(start, 2, "//") == 0) continue;
        for (std::sregex_iterator it(line.begin(), line.end(), literal), end; it != end; ++it) {
          literals.insert((*it)[1]);
        }
      }
    }
  }
  return literals;
}

bool IsPathComponent(const std::string& s) {
  return !s.empty() && s.find_first_not_of(
                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                           "0123456789_-") == std::string::npos;
}

bool ReadBySources(const std::string& key, const std::set<std::string>& literals) {
  if (absl::StartsWith(key, "<path>.")) {
    const std::string suffix = key.substr(std::string("<path>.").size());
    return literals.count(suffix) > 0 || literals.count("." + suffix) > 0;
  }
  if (literals.count(key) > 0) return true;
  for (size_t i = 1; i < key.size(); ++i) {
    const std::string prefix = key.substr(0, i);
    if (literals.count(prefix) == 0) continue;
    if (literals.count(key.substr(i)) > 0) return true;  // prefix + suffix
    // prefix + one path component (a queue) + ".suffix"
    for (size_t j = key.find('.', i); j != std::string::npos; j = key.find('.', j + 1)) {
      if (absl::EndsWith(prefix, ".") && IsPathComponent(key.substr(i, j - i)) &&
          literals.count(key.substr(j)) > 0) {
        return true;
      }
    }
  }
  return false;
}

TEST(DocumentedKeysTest, EveryDocumentedKeyIsReadBySomeComponent) {
  const std::vector<std::string> keys = DocumentedKeys();
  ASSERT_GT(keys.size(), 100u) << "docs/configuration.md's key tables were not found";
  const std::set<std::string> literals = SourceLiterals();
  std::vector<std::string> unread;
  for (const std::string& key : keys) {
    if (ReadBySources(key, literals)) continue;
    bool referenced = false;  // as ${key} in the default of a key the sources read
    for (const ConfKey& other : YarnDefaults()) {
      referenced = referenced ||
                   (std::string(other.default_value).find("${" + key + "}") != std::string::npos &&
                    ReadBySources(std::string(other.name), literals));
    }
    if (!referenced) unread.push_back(key);
  }
  EXPECT_TRUE(unread.empty()) << "documented in docs/configuration.md but read by no component "
                                 "(implement them or move them to \"Hadoop keys Skein does not "
                                 "read\"): "
                              << absl::StrJoin(unread, ", ");
}

// The check itself: a name that appears nowhere is caught; the ways keys are built are seen.
TEST(DocumentedKeysTest, CheckSeesWholeAndBuiltNamesOnly) {
  const std::set<std::string> literals = {
      "yarn.a.b", "yarn.scheduler.capacity.", ".queues", "yarn.x.", "poll-ms", "suffix"};
  EXPECT_TRUE(ReadBySources("yarn.a.b", literals));
  EXPECT_TRUE(ReadBySources("yarn.scheduler.capacity.root.queues", literals));
  EXPECT_TRUE(ReadBySources("yarn.x.poll-ms", literals));
  EXPECT_TRUE(ReadBySources("<path>.suffix", literals));
  EXPECT_FALSE(ReadBySources("yarn.a.c", literals));
  EXPECT_FALSE(ReadBySources("yarn.scheduler.capacity.root.a.queues", literals));
  EXPECT_FALSE(ReadBySources("<path>.other", literals));
}

}  // namespace
}  // namespace skein::conf
