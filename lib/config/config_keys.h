// The key table: one entry per configuration key, the single list that the
// loader, `telehealthd --print-config` and the tests agree on.
//
// Each entry knows its dotted name ("server.listen"), its TOML type, a
// one-line description, how to render its value from a Config as TOML text
// and how to validate a value and store it into a Config. Defaults are not
// repeated here: default_text() renders a default-constructed Config, whose
// member initializers in config.h are the defaults.
//
// The table is built on first use and never changes, so it may be read from
// any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "config/config.h"
#include "util/result.h"

namespace th {

enum class KeyType { kString, kInteger, kBoolean };

// "string", "integer" or "boolean", as TOML calls them.
[[nodiscard]] std::string_view key_type_name(KeyType type);

// A value taken from the file, already checked to be of the key's type: the
// alternative held always matches ConfigKey::type.
using ConfigValue = std::variant<bool, std::int64_t, std::string>;

struct ConfigKey {
  std::string_view name;  // dotted: "<section>.<key>"
  KeyType type = KeyType::kString;
  std::string_view doc;  // one line, for listings

  // The key's value in `config` as TOML text: 32, "info", true.
  std::function<std::string(const Config& config)> render;

  // Checks `value` against the key's range or grammar and stores it in
  // `config`. Fails with kInvalidArgument and a message of the form
  // "key '<name>' must ..., got ...", which never includes secrets.
  std::function<Status(const ConfigValue& value, Config& config)> assign;

  // The section part of the name: "server" for "server.listen".
  [[nodiscard]] std::string_view section() const;
  [[nodiscard]] std::string default_text() const { return render(Config{}); }
};

// Every key, in the order of the sample file and the man page.
[[nodiscard]] std::span<const ConfigKey> config_keys();

// The key with this dotted name, or nullptr.
[[nodiscard]] const ConfigKey* find_config_key(std::string_view name);

// True when `name` is a section: a dotted prefix of at least one key.
[[nodiscard]] bool is_config_section(std::string_view name);

// `text` as a TOML basic string, with quotes and escapes.
[[nodiscard]] std::string toml_quote(std::string_view text);

// Every key as "<name> = <value>  # default" or "...  # from <file>", grouped
// by section, under a header line naming the file. The result is itself a
// valid TOML document that loads to the same settings.
[[nodiscard]] std::string describe_effective_config(const Config& config);

}  // namespace th
