#include "config/config_keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/config_loader.h"

#ifndef TH_SOURCE_DIR
#error "TH_SOURCE_DIR must name the source tree (set in tests/unit/config/CMakeLists.txt)"
#endif

namespace th {
namespace {

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(TH_SOURCE_DIR) + "/" + relative);
  EXPECT_TRUE(in.good()) << "cannot open " << relative;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

std::set<std::string> table_names() {
  std::set<std::string> names;
  for (const auto& key : config_keys()) {
    names.insert(std::string(key.name));
  }
  return names;
}

bool is_lower_name(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// The sample file keeps every key commented out as "#key = value"; prose
// comments have a space after the "#".
std::string uncomment_keys(const std::string& sample) {
  std::string out;
  for (const auto& line : lines_of(sample)) {
    const auto equals = line.find(" = ");
    const bool commented_key = line.starts_with('#') && equals != std::string::npos &&
                               is_lower_name(std::string_view(line).substr(1, equals - 1));
    out += commented_key ? line.substr(1) : line;
    out += '\n';
  }
  return out;
}

std::string without(std::string text, std::string_view unwanted) {
  for (auto at = text.find(unwanted); at != std::string::npos; at = text.find(unwanted, at)) {
    text.erase(at, unwanted.size());
  }
  return text;
}

// Compares every section, ignoring where the settings came from.
void expect_same_settings(Config actual, Config expected) {
  actual.source_path.clear();
  actual.keys_from_file.clear();
  expected.source_path.clear();
  expected.keys_from_file.clear();
  EXPECT_TRUE(actual == expected) << describe_effective_config(actual);
}

TEST(ConfigKeysTest, NamesAreUniqueAndSectionDotKey) {
  for (const auto& key : config_keys()) {
    const auto dot = key.name.find('.');
    ASSERT_NE(dot, std::string_view::npos) << key.name;
    EXPECT_TRUE(is_lower_name(key.name.substr(0, dot))) << key.name;
    EXPECT_TRUE(is_lower_name(key.name.substr(dot + 1))) << key.name;
    EXPECT_FALSE(key.doc.empty()) << key.name;
  }
  EXPECT_EQ(table_names().size(), config_keys().size());
}

TEST(ConfigKeysTest, DefaultTextRendersTheMemberInitializer) {
  EXPECT_EQ(find_config_key("server.worker_threads")->default_text(), "8");
  EXPECT_EQ(find_config_key("server.listen")->default_text(), "\"127.0.0.1:8443\"");
  EXPECT_EQ(find_config_key("node.name")->default_text(), "\"\"");
  EXPECT_EQ(find_config_key("server.listn"), nullptr);
}

TEST(ConfigKeysTest, SectionsArePrefixesOfKeys) {
  EXPECT_TRUE(is_config_section("server"));
  EXPECT_TRUE(is_config_section("node"));
  EXPECT_FALSE(is_config_section("serve"));
  EXPECT_FALSE(is_config_section("server.listen"));
  EXPECT_EQ(find_config_key("storage.pool_size")->section(), "storage");
}

TEST(ConfigKeysTest, AssignValidatesBeforeStoring) {
  const ConfigKey& key = *find_config_key("storage.pool_size");
  Config config;

  const auto rejected = key.assign(ConfigValue(std::int64_t{257}), config);
  const auto accepted = key.assign(ConfigValue(std::int64_t{16}), config);

  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().message(),
            "key 'storage.pool_size' must be an integer between 1 and 256, got 257");
  EXPECT_TRUE(accepted.ok());
  EXPECT_EQ(config.storage.pool_size, 16);
}

TEST(ConfigKeysTest, TomlQuoteEscapesWhatTomlRequires) {
  EXPECT_EQ(toml_quote("plain"), "\"plain\"");
  EXPECT_EQ(toml_quote("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
}

TEST(ConfigKeysTest, SampleFileParsesToDefaults) {
  const auto sample = read_source_file("config/telehealthd.toml");

  const auto config = parse_config(sample, "config/telehealthd.toml");

  ASSERT_TRUE(config.ok()) << config.error().message();
  expect_same_settings(*config, Config{});
}

TEST(ConfigKeysTest, SampleFileListsEveryKeyWithItsDefault) {
  const auto uncommented = uncomment_keys(read_source_file("config/telehealthd.toml"));

  const auto config = parse_config(uncommented, "config/telehealthd.toml (uncommented)");

  ASSERT_TRUE(config.ok()) << config.error().message();
  expect_same_settings(*config, Config{});
  EXPECT_EQ(config->keys_from_file, table_names());
}

// Each key has an entry in the man page:
//   .TP
//   .B server.worker_threads
//   (integer, 1 to 1024, default 8)
// where the default is written as in TOML. "\:" (an invisible break point)
// is dropped and "\e" (roff's backslash) read as "\" before comparing.
TEST(ConfigKeysTest, ManPageDocumentsEveryKeyWithTypeAndDefault) {
  std::string page = without(read_source_file("man/telehealthd.toml.5"), "\\:");
  for (auto at = page.find("\\e"); at != std::string::npos; at = page.find("\\e", at + 1)) {
    page.erase(at + 1, 1);
  }
  const auto lines = lines_of(page);
  std::set<std::string> documented;

  for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
    if (lines[i - 1] == ".TP" && lines[i].starts_with(".B ") && lines[i + 1].starts_with("(")) {
      const std::string name = lines[i].substr(3);
      documented.insert(name);
      const ConfigKey* key = find_config_key(name);
      ASSERT_NE(key, nullptr) << "man page documents unknown key " << name;
      EXPECT_TRUE(lines[i + 1].starts_with("(" + std::string(key_type_name(key->type)) + ","))
          << name << ": " << lines[i + 1];
      EXPECT_NE(lines[i + 1].find("default " + key->default_text() + ")"), std::string::npos)
          << name << ": " << lines[i + 1];
    }
  }

  EXPECT_EQ(documented, table_names());
}

TEST(ConfigKeysTest, DescribeMarksWhereEachValueCameFrom) {
  const auto config =
      parse_config("[server]\nworker_threads = 32\nio_timeout_seconds = 7\n", "/etc/th.toml");
  ASSERT_TRUE(config.ok());

  const auto text = describe_effective_config(*config);

  EXPECT_NE(text.find("\nserver.worker_threads = 32  # from /etc/th.toml\n"), std::string::npos);
  EXPECT_NE(text.find("\nserver.io_timeout_seconds = 7  # from /etc/th.toml\n"), std::string::npos);
  EXPECT_NE(text.find("\nserver.listen = \"127.0.0.1:8443\"  # default\n"), std::string::npos);
  EXPECT_TRUE(text.starts_with("# effective configuration, loaded from /etc/th.toml\n"));
}

TEST(ConfigKeysTest, DescribeListsEveryKeyOnce) {
  const auto text = describe_effective_config(Config{});

  for (const auto& key : config_keys()) {
    const std::string line = "\n" + std::string(key.name) + " = ";
    const auto first = text.find(line);
    ASSERT_NE(first, std::string::npos) << key.name;
    EXPECT_EQ(text.find(line, first + 1), std::string::npos) << key.name;
  }
  EXPECT_TRUE(text.starts_with("# effective configuration: built-in defaults"));
}

TEST(ConfigKeysTest, DescribeOutputLoadsBackToTheSameSettings) {
  const auto original =
      parse_config("[log]\nlevel = \"debug\"\n[node]\nname = \"clinic-a\"\n", "a.toml");
  ASSERT_TRUE(original.ok());

  const auto reloaded = parse_config(describe_effective_config(*original), "printed.toml");

  ASSERT_TRUE(reloaded.ok()) << reloaded.error().message();
  expect_same_settings(*reloaded, *original);
}

}  // namespace
}  // namespace th
