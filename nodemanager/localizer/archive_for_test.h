// Test helper: writes small archives with libarchive (entries given by name and content), so
// tests do not depend on tar/zip tools being installed.
#ifndef SKEIN_NODEMANAGER_LOCALIZER_ARCHIVE_FOR_TEST_H_
#define SKEIN_NODEMANAGER_LOCALIZER_ARCHIVE_FOR_TEST_H_

#include <archive.h>
#include <archive_entry.h>

#include <string>
#include <utility>
#include <vector>

namespace skein::nm::testing {

enum class ArchiveKind { kTarGz, kTar, kZip };

// Returns false when libarchive refused; `entries` are (path, content) regular files.
inline bool WriteArchive(const std::string& path, ArchiveKind kind,
                         const std::vector<std::pair<std::string, std::string>>& entries) {
  struct archive* a = archive_write_new();
  if (kind == ArchiveKind::kZip) {
    archive_write_set_format_zip(a);
  } else {
    archive_write_set_format_pax_restricted(a);
    if (kind == ArchiveKind::kTarGz) archive_write_add_filter_gzip(a);
  }
  bool ok = archive_write_open_filename(a, path.c_str()) == ARCHIVE_OK;
  for (const auto& [name, content] : entries) {
    if (!ok) break;
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    ok = archive_write_header(a, e) == ARCHIVE_OK &&
         archive_write_data(a, content.data(), content.size()) ==
             static_cast<la_ssize_t>(content.size());
    archive_entry_free(e);
  }
  ok = archive_write_close(a) == ARCHIVE_OK && ok;
  archive_write_free(a);
  return ok;
}

}  // namespace skein::nm::testing

#endif  // SKEIN_NODEMANAGER_LOCALIZER_ARCHIVE_FOR_TEST_H_
