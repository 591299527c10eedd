// What Skein's XML file readers (Configuration's resources, the Fair scheduler's allocation
// file) share: loading a document with pugixml and naming lines in their errors
// ("<source>:<line>: <problem>"). Pure functions; any thread.
#ifndef SKEIN_COMMON_CONF_XML_LINES_H_
#define SKEIN_COMMON_CONF_XML_LINES_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "pugixml.hpp"

namespace skein::conf {

// The 1-based line of byte `offset` of `text` (an offset pugixml reports: a parse error's, or a
// node's offset_debug()). A negative (unknown) offset is line 1.
int XmlLineAt(absl::string_view text, std::ptrdiff_t offset);

// The line `node` of a document parsed from `text` starts on.
inline int XmlLineOf(absl::string_view text, const pugi::xml_node& node) {
  return XmlLineAt(text, node.offset_debug());
}

// INVALID_ARGUMENT "<source>:<line>: <problem>".
absl::Status XmlError(absl::string_view source, int line, absl::string_view problem);

// Parses `text` into `doc` (which must outlive the nodes used; `text` is copied). A malformed
// document is XmlError(source, <line of the error>, "XML parse error: <pugixml's reason>").
absl::Status LoadXml(absl::string_view text, absl::string_view source, pugi::xml_document& doc);

}  // namespace skein::conf

#endif  // SKEIN_COMMON_CONF_XML_LINES_H_
