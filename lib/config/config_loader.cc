#include "config/config_loader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "config/config_keys.h"
#include "config/small_file.h"

namespace th {
namespace {

constexpr std::size_t kMaxSuggestedNameBytes = 128;

struct Problem {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string message;
};

std::string location(const std::string& source_name, const toml::source_position& where) {
  return source_name + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) + ": ";
}

// Key names are arbitrary quoted strings in TOML; keep control characters
// out of messages that end up on a terminal or in the journal.
std::string printable(std::string_view text) {
  std::string out(text);
  std::replace_if(
      out.begin(), out.end(), [](unsigned char c) { return std::iscntrl(c); }, '?');
  return out;
}

std::string_view with_article(toml::node_type type) {
  switch (type) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string_view with_article(KeyType type) {
  switch (type) {
    case KeyType::kString:
      return "a string";
    case KeyType::kInteger:
      return "an integer";
    case KeyType::kBoolean:
      return "a boolean";
  }
  return "a string";
}

toml::node_type toml_type(KeyType type) {
  switch (type) {
    case KeyType::kString:
      return toml::node_type::string;
    case KeyType::kInteger:
      return toml::node_type::integer;
    case KeyType::kBoolean:
      return toml::node_type::boolean;
  }
  return toml::node_type::string;
}

// Only called once the node is known to hold `type`.
ConfigValue value_of(const toml::node& node, KeyType type) {
  switch (type) {
    case KeyType::kInteger:
      return ConfigValue(std::int64_t{node.as_integer()->get()});
    case KeyType::kBoolean:
      return ConfigValue(node.as_boolean()->get());
    case KeyType::kString:
      break;
  }
  return ConfigValue(node.as_string()->get());
}

// Optimal string alignment distance: Levenshtein plus transposition of two
// neighbours, the commonest typing slip ("tsl" for "tls").
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) {
    d[i][0] = i;
  }
  for (std::size_t j = 0; j <= b.size(); ++j) {
    d[0][j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::set<std::string_view> known_names() {
  std::set<std::string_view> names;
  for (const auto& key : config_keys()) {
    names.insert(key.name);
    for (auto dot = key.name.find('.'); dot != std::string_view::npos;
         dot = key.name.find('.', dot + 1)) {
      names.insert(key.name.substr(0, dot));
    }
  }
  return names;
}

std::string_view leaf(std::string_view name) {
  return name.substr(name.rfind('.') + 1);
}

// The closest known name when it is close enough to be a typo; otherwise a
// key with the same last part in another section ("listen" at the top level
// or under [tls] means "server.listen").
std::optional<std::string_view> suggest(std::string_view unknown) {
  // No known name is this long; skip the quadratic distance on a runaway key.
  if (unknown.size() > kMaxSuggestedNameBytes) {
    return std::nullopt;
  }
  const auto names = known_names();
  std::optional<std::string_view> best;
  std::size_t best_distance = std::max<std::size_t>(2, unknown.size() / 3) + 1;
  for (const auto name : names) {
    const auto distance = edit_distance(unknown, name);
    if (distance < best_distance) {
      best = name;
      best_distance = distance;
    }
  }
  if (best) {
    return best;
  }
  for (const auto& key : config_keys()) {
    if (leaf(key.name) == leaf(unknown)) {
      return key.name;
    }
  }
  return std::nullopt;
}

// One pass over a parsed document, collecting every problem.
class Loader {
 public:
  explicit Loader(const std::string& source_name) : source_name_(source_name) {
    config_.source_path = source_name;
  }

  Result<Config> run(const toml::table& root) {
    visit_table(root, "");
    if (problems_.empty()) {
      cross_check();
    }
    if (!problems_.empty()) {
      return Error(ErrorCode::kInvalidArgument, joined_problems());
    }
    return std::move(config_);
  }

 private:
  void visit_table(const toml::table& table, const std::string& prefix) {
    for (const auto& [key, node] : table) {
      // A quoted key containing a dot is one name in TOML, never a path.
      const bool plain = key.str().find('.') == std::string_view::npos;
      const std::string name =
          prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
      const ConfigKey* entry = plain ? find_config_key(name) : nullptr;
      if (entry != nullptr) {
        assign(*entry, node);
      } else if (plain && is_config_section(name) && node.is_table()) {
        visit_table(*node.as_table(), name);
      } else if (plain && is_config_section(name)) {
        report(key.source().begin, "section '" + name + "' must be a table, got " +
                                       std::string(with_article(node.type())));
      } else {
        report_unknown(key, node, name);
      }
    }
  }

  void assign(const ConfigKey& key, const toml::node& node) {
    const auto where = node.source().begin;
    if (node.type() != toml_type(key.type)) {
      report(where, "key '" + std::string(key.name) + "' must be " +
                        std::string(with_article(key.type)) + ", got " +
                        std::string(with_article(node.type())));
      return;
    }
    if (const auto status = key.assign(value_of(node, key.type), config_); !status.ok()) {
      report(where, status.error().message());
      return;
    }
    positions_[std::string(key.name)] = where;
    config_.keys_from_file.insert(std::string(key.name));
  }

  void report_unknown(const toml::key& key, const toml::node& node, const std::string& name) {
    std::string message = node.is_table() ? "unknown section '" : "unknown key '";
    message += printable(name) + "'";
    if (const auto suggestion = suggest(name)) {
      message += " (did you mean '" + std::string(*suggestion) + "'?)";
    }
    report(key.source().begin, std::move(message));
  }

  // Rules between keys, checked once every key is valid on its own.
  void cross_check() {
    const auto& server = config_.server;
    if (server.worker_threads > server.max_connections) {
      report_at({"server.worker_threads", "server.max_connections"},
                "key 'server.worker_threads' (" + std::to_string(server.worker_threads) +
                    ") must not exceed key 'server.max_connections' (" +
                    std::to_string(server.max_connections) + ")");
    }
    const auto& storage = config_.storage;
    if (!storage.password_file.empty() && storage.url.starts_with("sqlite://")) {
      report_at({"storage.password_file", "storage.url"},
                "key 'storage.password_file' applies only to a postgresql:// storage.url");
    }
    cross_check_messaging();
  }

  void cross_check_messaging() {
    const auto& smtp = config_.smtp;
    if (!smtp.host.empty() && smtp.from.empty()) {
      report_at({"smtp.host"}, "key 'smtp.from' must be set when 'smtp.host' is");
    }
    if (!smtp.password_file.empty() && smtp.username.empty()) {
      report_at({"smtp.password_file"},
                "key 'smtp.password_file' needs key 'smtp.username' to be set");
    }
    const auto& video = config_.video;
    if (!video.turn_urls.empty() && video.turn_secret_file.empty()) {
      report_at({"video.turn_urls"},
                "key 'video.turn_secret_file' must be set when 'video.turn_urls' is");
    }
    const auto& reminders = config_.reminders;
    if (reminders.retry_initial_seconds > reminders.retry_max_seconds) {
      report_at({"reminders.retry_initial_seconds", "reminders.retry_max_seconds"},
                "key 'reminders.retry_initial_seconds' (" +
                    std::to_string(reminders.retry_initial_seconds) +
                    ") must not exceed key 'reminders.retry_max_seconds' (" +
                    std::to_string(reminders.retry_max_seconds) + ")");
    }
  }

  // Locates a problem at the first of `keys` that the file set.
  void report_at(std::initializer_list<std::string_view> keys, std::string message) {
    for (const auto key : keys) {
      const auto found = positions_.find(std::string(key));
      if (found != positions_.end()) {
        report(found->second, std::move(message));
        return;
      }
    }
    problems_.push_back({0, 0, source_name_ + ": " + message});
  }

  void report(const toml::source_position& where, std::string message) {
    problems_.push_back({where.line, where.column, location(source_name_, where) + message});
  }

  std::string joined_problems() {
    std::stable_sort(problems_.begin(), problems_.end(), [](const Problem& a, const Problem& b) {
      return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
    std::string out;
    for (const auto& problem : problems_) {
      out += out.empty() ? "" : "\n";
      out += problem.message;
    }
    return out;
  }

  const std::string& source_name_;
  Config config_;
  std::vector<Problem> problems_;
  std::map<std::string, toml::source_position> positions_;
};

std::string lower_first(std::string_view text) {
  std::string out(text);
  if (!out.empty()) {
    out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  }
  return out;
}

}  // namespace

Result<Config> parse_config(std::string_view toml_text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& error) {
    return Error(ErrorCode::kInvalidArgument,
                 location(source_name, error.source().begin) + lower_first(error.description()));
  }
  return Loader(source_name).run(root);
}

Result<Config> load_config_file(const std::string& path) {
  const auto text = read_small_file(path, kMaxConfigFileBytes, "config file");
  if (!text.ok()) {
    return text.error();
  }
  return parse_config(*text, path);
}

}  // namespace th
