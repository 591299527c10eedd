#include "nodemanager/localizer/unpack.h"

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace skein::nm {
namespace {

struct ReaderDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
struct WriterDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};

// An entry path that stays inside the target directory: relative, no ".." component.
bool StaysInside(absl::string_view path) {
  if (path.empty() || absl::StartsWith(path, "/")) return false;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part == "..") return false;
  }
  return true;
}

}  // namespace

absl::Status UnpackArchive(const std::string& archive, const std::string& dest,
                           const UnpackOptions& options) {
  std::optional<std::regex> pattern;
  if (!options.pattern.empty()) {
    try {
      pattern.emplace(options.pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pattern '", options.pattern, "' is not a valid regular expression: ", e.what()));
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(dest, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dest, ": ", ec.message()));

  std::unique_ptr<struct archive, ReaderDeleter> in(archive_read_new());
  archive_read_support_filter_all(in.get());
  archive_read_support_format_all(in.get());
  if (archive_read_open_filename(in.get(), archive.c_str(), 1 << 16) != ARCHIVE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot unpack ", archive, ": ", archive_error_string(in.get())));
  }
  std::unique_ptr<struct archive, WriterDeleter> out(archive_write_disk_new());
  archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                                ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                ARCHIVE_EXTRACT_SECURE_SYMLINKS);
  archive_write_disk_set_standard_lookup(out.get());
  // Entry paths are checked below and then made absolute under `dest` (so no
  // ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS: it would refuse our own rewritten paths).

  while (true) {
    struct archive_entry* entry = nullptr;
    int r = archive_read_next_header(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot unpack ", archive, ": ", archive_error_string(in.get())));
    }
    std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    if (!StaysInside(name)) {
      return absl::InvalidArgumentError(absl::StrCat("cannot unpack ", archive, ": entry '", name,
                                                     "' would be written outside ", dest));
    }
    const char* link = archive_entry_hardlink(entry);
    if (link != nullptr && !StaysInside(link)) {
      return absl::InvalidArgumentError(absl::StrCat("cannot unpack ", archive, ": hard link '",
                                                     name, "' points outside ", dest));
    }
    if (pattern.has_value() && !std::regex_match(name, *pattern)) continue;
    archive_entry_set_pathname(entry, absl::StrCat(dest, "/", name).c_str());
    if (link != nullptr) archive_entry_set_hardlink(entry, absl::StrCat(dest, "/", link).c_str());
    r = archive_write_header(out.get(), entry);
    if (r < ARCHIVE_WARN) {
      return absl::InternalError(absl::StrCat("cannot unpack ", archive, ": writing '", name,
                                              "': ", archive_error_string(out.get())));
    }
    if (archive_entry_size(entry) > 0) {
      const void* buf;
      size_t size;
      la_int64_t offset;
      while ((r = archive_read_data_block(in.get(), &buf, &size, &offset)) == ARCHIVE_OK) {
        if (archive_write_data_block(out.get(), buf, size, offset) < ARCHIVE_WARN) {
          return absl::InternalError(absl::StrCat("cannot unpack ", archive, ": writing '", name,
                                                  "': ", archive_error_string(out.get())));
        }
      }
      if (r != ARCHIVE_EOF) {
        return absl::InvalidArgumentError(absl::StrCat(
            "cannot unpack ", archive, ": reading '", name, "': ", archive_error_string(in.get())));
      }
    }
    if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN) {
      return absl::InternalError(absl::StrCat("cannot unpack ", archive, ": finishing '", name,
                                              "': ", archive_error_string(out.get())));
    }
  }
  if (archive_write_close(out.get()) != ARCHIVE_OK) {
    return absl::InternalError(
        absl::StrCat("cannot unpack ", archive, ": ", archive_error_string(out.get())));
  }
  return absl::OkStatus();
}

}  // namespace skein::nm
