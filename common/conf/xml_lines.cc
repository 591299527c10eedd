#include "common/conf/xml_lines.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace skein::conf {

int XmlLineAt(absl::string_view text, std::ptrdiff_t offset) {
  if (offset < 0) return 1;
  const size_t end = std::min(static_cast<size_t>(offset), text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + end, '\n'));
}

absl::Status XmlError(absl::string_view source, int line, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(source, ":", line, ": ", problem));
}

absl::Status LoadXml(absl::string_view text, absl::string_view source, pugi::xml_document& doc) {
  const pugi::xml_parse_result result = doc.load_buffer(text.data(), text.size());
  if (result) return absl::OkStatus();
  return XmlError(source, XmlLineAt(text, result.offset),
                  absl::StrCat("XML parse error: ", result.description()));
}

}  // namespace skein::conf
