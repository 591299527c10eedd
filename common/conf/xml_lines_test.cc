#include "common/conf/xml_lines.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::conf {
namespace {

TEST(XmlLinesTest, LineOfAnOffset) {
  const absl::string_view text = "a\nbc\n\nd";
  EXPECT_EQ(XmlLineAt(text, 0), 1);
  EXPECT_EQ(XmlLineAt(text, 1), 1);  // the newline ends line 1
  EXPECT_EQ(XmlLineAt(text, 2), 2);
  EXPECT_EQ(XmlLineAt(text, 6), 4);
  EXPECT_EQ(XmlLineAt(text, 1000), 4);  // past the end: the last line
  EXPECT_EQ(XmlLineAt(text, -1), 1);    // unknown
}

TEST(XmlLinesTest, NodesAndParseErrorsNameTheirLine) {
  const std::string xml = "<configuration>\n  <property>\n    <name>x</nam>\n";
  pugi::xml_document doc;
  absl::Status s = LoadXml(xml, "/etc/hadoop/yarn-site.xml", doc);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()),
              ::testing::StartsWith("/etc/hadoop/yarn-site.xml:3: XML parse error: "));

  const std::string good = "<a>\n\n  <b/>\n</a>\n";
  ASSERT_TRUE(LoadXml(good, "f.xml", doc).ok());
  EXPECT_EQ(XmlLineOf(good, doc.child("a")), 1);
  EXPECT_EQ(XmlLineOf(good, doc.child("a").child("b")), 3);
  EXPECT_EQ(XmlError("f.xml", 3, "bad <b>").message(), "f.xml:3: bad <b>");
}

}  // namespace
}  // namespace skein::conf
