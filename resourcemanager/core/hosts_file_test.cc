// The include / exclude host files: plain and XML formats, and their errors.
#include "resourcemanager/core/hosts_file.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::rm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(HostsFileTest, PlainFileSplitsOnWhitespaceAndDropsComments) {
  auto hosts = ParseHostsFile("/etc/yarn/exclude",
                              "# retired racks\n"
                              "host1 host2\thost3\n"
                              "\n"
                              "10.0.0.7   # the broken one\n"
                              "  host1\r\n");
  ASSERT_TRUE(hosts.ok()) << hosts.status();
  EXPECT_THAT(*hosts, ElementsAre(Pair("10.0.0.7", std::nullopt), Pair("host1", std::nullopt),
                                  Pair("host2", std::nullopt), Pair("host3", std::nullopt)));
}

TEST(HostsFileTest, EmptyPlainFileIsAnEmptyList) {
  auto hosts = ParseHostsFile("exclude", "# nothing yet\n\n");
  ASSERT_TRUE(hosts.ok());
  EXPECT_TRUE(hosts->empty());
}

TEST(HostsFileTest, XmlFileCarriesPerHostTimeouts) {
  auto hosts =
      ParseHostsFile("exclude.XML",
                     "<?xml version=\"1.0\"?>\n"
                     "<hosts>\n"
                     "  <host><name>host1</name></host>\n"
                     "  <host><name>host2</name><timeout>123</timeout></host>\n"
                     "  <host><name>host3</name><timeout>-1</timeout></host>\n"
                     "  <host><name>host4, host5,host6</name><timeout>1800</timeout></host>\n"
                     "</hosts>\n");
  ASSERT_TRUE(hosts.ok()) << hosts.status();
  EXPECT_THAT(*hosts,
              ElementsAre(Pair("host1", std::nullopt), Pair("host2", 123), Pair("host3", -1),
                          Pair("host4", 1800), Pair("host5", 1800), Pair("host6", 1800)));
}

TEST(HostsFileTest, ErrorsNameTheFileAndLine) {
  struct Case {
    const char* path;
    const char* text;
    const char* error;
  };
  for (const Case& c : {
           Case{"exclude", "host1\nhost2:8041\n",
                "exclude:2: 'host2:8041' names a port; host files list host names only (write "
                "'host2')"},
           Case{"exclude", "good\n\nbad/host\n", "exclude:3: 'bad/host' is not a host name"},
           Case{"ex.xml", "<hosts>\n<host><name>h</name>\n",
                "ex.xml:2: malformed XML: Start-end tags mismatch"},
           Case{"ex.xml", "<?xml version=\"1.0\"?>\n<nodes/>\n",
                "ex.xml:2: the root element is <nodes>, expected <hosts>"},
           Case{"ex.xml", "<hosts>\n  <host><timeout>5</timeout></host>\n</hosts>\n",
                "ex.xml:2: <host> without a <name>"},
           Case{"ex.xml",
                "<hosts>\n<host>\n<name>h1</name>\n<timeout>ten</timeout>\n</host>\n</hosts>\n",
                "ex.xml:4: <timeout> 'ten' is not a number of seconds (-1 or more) for host "
                "'h1'"},
           Case{"ex.xml", "<hosts><host><name>h1</name><timeout>-5</timeout></host></hosts>",
                "ex.xml:1: <timeout> '-5'"},
       }) {
    auto hosts = ParseHostsFile(c.path, c.text);
    ASSERT_FALSE(hosts.ok()) << c.text;
    EXPECT_EQ(hosts.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(hosts.status().message()), HasSubstr(c.error)) << c.text;
  }
}

TEST(HostsFileTest, ListsDecideWhoMayJoin) {
  HostsLists none;
  EXPECT_TRUE(none.IsValid("anyone"));
  EXPECT_FALSE(none.IsUntracked("anyone"));

  HostsLists lists;
  lists.includes = {"a", "b"};
  lists.excludes = {{"b", std::nullopt}, {"c", 60}};
  EXPECT_TRUE(lists.IsValid("a"));
  EXPECT_FALSE(lists.IsValid("b"));  // excluded wins over included
  EXPECT_FALSE(lists.IsValid("c"));
  EXPECT_FALSE(lists.IsValid("d"));  // not included
  EXPECT_TRUE(lists.IsUntracked("d"));
  EXPECT_FALSE(lists.IsUntracked("c"));

  HostsLists only_excludes;
  only_excludes.excludes = {{"x", std::nullopt}};
  EXPECT_TRUE(only_excludes.IsValid("y"));
  EXPECT_FALSE(only_excludes.IsValid("x"));
}

class HostsFilesOnDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skein-hosts-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  std::string dir_;
};

TEST_F(HostsFilesOnDisk, LoadsBothFilesAndEmptyPathsMeanNoList) {
  std::string inc = Write("include", "a b\n");
  std::string exc = Write("exclude.xml",
                          "<hosts><host><name>b</name><timeout>30</timeout>"
                          "</host></hosts>");
  auto lists = LoadHostsLists(inc, exc);
  ASSERT_TRUE(lists.ok()) << lists.status();
  EXPECT_EQ(lists->includes, (std::set<std::string>{"a", "b"}));
  EXPECT_THAT(lists->excludes, ElementsAre(Pair("b", 30)));
  EXPECT_EQ(lists->include_path, inc);

  auto empty = LoadHostsLists("", "");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->includes.empty());
  EXPECT_TRUE(empty->excludes.empty());
}

TEST_F(HostsFilesOnDisk, MissingOrBadFileIsAnErrorNamingIt) {
  auto missing = LoadHostsLists("", dir_ + "/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("cannot read the hosts file " + dir_ + "/nope"));
  std::string bad = Write("include", "ok\nnot:1\n");
  auto malformed = LoadHostsLists(bad, "");
  ASSERT_FALSE(malformed.ok());
  EXPECT_THAT(std::string(malformed.status().message()), HasSubstr(bad + ":2: 'not:1'"));
}

}  // namespace
}  // namespace skein::rm
