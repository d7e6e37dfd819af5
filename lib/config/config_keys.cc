#include "config/config_keys.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <optional>
#include <vector>

#include "config/config_values.h"
#include "config/secret_file.h"
#include "util/text_template.h"

namespace th {
namespace {

// The longest Unix socket path: sizeof(sockaddr_un::sun_path) on Linux,
// less the terminating NUL.
constexpr std::size_t kMaxSocketPathBytes = 107;
constexpr std::size_t kMaxNodeNameBytes = 64;
constexpr std::size_t kMaxGroupNameBytes = 32;
constexpr std::size_t kMaxQuotedBytes = 80;
constexpr std::size_t kMaxOriginBytes = 255;

// A value as it appears in an error message: in single quotes, bytes that
// could confuse a terminal escaped, long values cut short.
std::string quote_for_message(std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (const unsigned char c : value.substr(0, kMaxQuotedBytes)) {
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += value.size() > kMaxQuotedBytes ? "'..." : "'";
  return out;
}

// A string rule returns nothing for a valid value, otherwise the rest of the
// message after "key '<name>' ".
using StringRule = std::function<std::optional<std::string>(const std::string& value)>;

std::string must(std::string_view requirement, const std::string& value) {
  return "must " + std::string(requirement) + ", got " + quote_for_message(value);
}

StringRule one_of(std::initializer_list<std::string_view> choices) {
  std::vector<std::string_view> allowed(choices);
  std::string listing;
  for (const auto choice : allowed) {
    listing += listing.empty() ? "be one of " : ", ";
    listing += choice;
  }
  return [allowed, listing](const std::string& value) -> std::optional<std::string> {
    if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) {
      return std::nullopt;
    }
    return must(listing, value);
  };
}

bool is_absolute_path(const std::string& value) {
  return value.starts_with('/');
}

std::optional<std::string> absolute_path(const std::string& value) {
  if (is_absolute_path(value)) {
    return std::nullopt;
  }
  return must("be an absolute path", value);
}

bool is_secret_reference(const std::string& value) {
  if (is_credential_reference(value)) {
    return is_valid_credential_name(std::string_view(value).substr(kCredentialPrefix.size()));
  }
  return is_absolute_path(value);
}

std::optional<std::string> secret_path(const std::string& value) {
  if (is_secret_reference(value)) {
    return std::nullopt;
  }
  return must("be an absolute path or credential:NAME", value);
}

std::optional<std::string> optional_secret_path(const std::string& value) {
  if (value.empty() || is_secret_reference(value)) {
    return std::nullopt;
  }
  return must("be empty, an absolute path or credential:NAME", value);
}

std::optional<std::string> secret_path_list(const std::string& value) {
  std::size_t start = 0;
  while (start < value.size()) {
    const auto comma = value.find(',', start);
    const std::string item =
        value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!is_secret_reference(item)) {
      return must("be empty or comma-separated absolute paths or credential:NAME entries", value);
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  return std::nullopt;
}

std::optional<std::string> listen_address(const std::string& value) {
  if (parse_listen_address(value).ok()) {
    return std::nullopt;
  }
  return must("be IPV4:PORT or [IPV6]:PORT with a numeric address and a port between 1 and 65535",
              value);
}

std::optional<std::string> base_url(const std::string& value) {
  // Only the shape is checked: a scheme, then a host, with nothing that would
  // break a link when text is appended to it.
  const bool has_scheme = value.starts_with("https://") || value.starts_with("http://");
  const auto host_start = value.find("://") + 3;
  const bool clean = std::none_of(value.begin(), value.end(), [](unsigned char c) {
    return std::isspace(c) || std::iscntrl(c) || c == '?' || c == '#';
  });
  if (value.empty() ||
      (has_scheme && host_start < value.size() && value[host_start] != '/' && clean)) {
    return std::nullopt;
  }
  return must("be empty or an http:// or https:// URL without query or fragment", value);
}

std::optional<std::string> cipher_list(const std::string& value) {
  if (check_tls12_cipher_list(value).ok()) {
    return std::nullopt;
  }
  return must("be an OpenSSL cipher list selecting at least one TLS 1.2 cipher", value);
}

std::optional<std::string> socket_path(const std::string& value) {
  if (is_absolute_path(value) && value.size() <= kMaxSocketPathBytes) {
    return std::nullopt;
  }
  return must("be an absolute path of at most 107 bytes", value);
}

bool is_name_character(unsigned char c) {
  return std::isalnum(c) || c == '.' || c == '_' || c == '-';
}

std::optional<std::string> group_name(const std::string& value) {
  const bool valid = !value.empty() && value.size() <= kMaxGroupNameBytes && value.front() != '-' &&
                     std::all_of(value.begin(), value.end(), is_name_character);
  if (valid) {
    return std::nullopt;
  }
  return must("be a group name of letters, digits, '.', '_' and '-'", value);
}

std::optional<std::string> socket_mode(const std::string& value) {
  // The socket is the local operator's door: nobody outside the owner and
  // the admin group may be let in.
  const auto mode = parse_file_mode(value);
  if (mode.ok() && (*mode & 07) == 0) {
    return std::nullopt;
  }
  return must("be an octal mode like 0660 that grants others nothing", value);
}

bool has_password(std::string_view url) {
  // libpq takes a password from "user:password@" or from "password=" in the
  // query string.
  const auto authority_start = url.find("://") + 3;
  const auto authority_end = url.find_first_of("/?", authority_start);
  const auto authority = url.substr(authority_start, authority_end - authority_start);
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos) {
    return true;
  }
  const auto query_start = url.find('?');
  if (query_start == std::string_view::npos) {
    return false;
  }
  const std::string query = "&" + std::string(url.substr(query_start + 1));
  return query.find("&password=") != std::string::npos;
}

std::optional<std::string> storage_url(const std::string& value) {
  // The URL is never quoted back: a mistyped one may still carry a password.
  if (value.starts_with("sqlite://")) {
    if (value.size() > std::string_view("sqlite://").size()) {
      return std::nullopt;
    }
    return "must name a database file after sqlite://";
  }
  if (!value.starts_with("postgresql://") && !value.starts_with("postgres://")) {
    return "must start with sqlite:// or postgresql://";
  }
  if (has_password(value)) {
    return "must not contain a password; name a file holding it in storage.password_file";
  }
  return std::nullopt;
}

std::optional<std::string> checkpoint_origin(const std::string& value) {
  // The signed-note rules for a key name, as far as bytes show them: no
  // spaces, control characters or '+'. The daemon checks the UTF-8 itself.
  const bool valid = value.size() <= kMaxOriginBytes &&
                     std::none_of(value.begin(), value.end(), [](unsigned char c) {
                       return c <= 0x20 || c == 0x7f || c == '+';
                     });
  if (valid) {
    return std::nullopt;
  }
  return must("be empty or at most 255 bytes without spaces, control characters or '+'", value);
}

std::optional<std::string> node_name(const std::string& value) {
  const bool valid = value.size() <= kMaxNodeNameBytes &&
                     std::all_of(value.begin(), value.end(), is_name_character);
  if (valid) {
    return std::nullopt;
  }
  return must("be empty or at most 64 letters, digits, '.', '_' and '-'", value);
}

// ---- rules of the reminder, mail, SMS and calendar keys ----

constexpr std::string_view kMessagePlaceholders[] = {"clinic", "date", "time", "practitioner",
                                                     "link"};
constexpr std::string_view kNoticePlaceholders[] = {"clinic", "link"};
constexpr std::string_view kLinkPlaceholders[] = {"appointment_id"};
constexpr std::string_view kSmsPlaceholders[] = {"to", "from", "body"};

bool has_control_character(const std::string& value, bool newlines_allowed) {
  return std::any_of(value.begin(), value.end(), [newlines_allowed](unsigned char c) {
    return (c < 0x20 && !(newlines_allowed && c == '\n')) || c == 0x7f;
  });
}

StringRule message_template(std::span<const std::string_view> allowed, bool multiline) {
  return [allowed, multiline](const std::string& value) -> std::optional<std::string> {
    if (has_control_character(value, multiline)) {
      return multiline ? "must not contain control characters other than newlines"
                       : "must be one line without control characters";
    }
    const auto parsed = TextTemplate::parse(value, allowed);
    if (!parsed.ok()) {
      return "has an " + parsed.error().message();
    }
    return std::nullopt;
  };
}

std::optional<std::string> single_line_text(const std::string& value) {
  if (has_control_character(value, false)) {
    return must("be one line without control characters", value);
  }
  return std::nullopt;
}

std::optional<std::string> non_empty_line(const std::string& value) {
  if (value.empty() || has_control_character(value, false)) {
    return must("be one line of text, not empty", value);
  }
  return std::nullopt;
}

std::optional<std::string> minute_offsets(const std::string& value) {
  if (parse_minute_offsets(value).ok()) {
    return std::nullopt;
  }
  return must("be at most 8 distinct minutes from 1 to 43200, comma-separated, like \"1440,60\"",
              value);
}

std::optional<std::string> stun_urls(const std::string& value) {
  if (parse_ice_urls(value, false).ok()) {
    return std::nullopt;
  }
  return must("be comma-separated stun: or stuns: urls (at most 8)", value);
}

std::optional<std::string> turn_urls(const std::string& value) {
  if (parse_ice_urls(value, true).ok()) {
    return std::nullopt;
  }
  return must("be comma-separated turn: or turns: urls (at most 8)", value);
}

// The path of a guest link: like link_path, with the link's secret as
// {token}, which it must hold.
std::optional<std::string> guest_link_path(const std::string& value) {
  constexpr std::string_view kTokenOnly[] = {"token"};
  auto parsed = TextTemplate::parse(value, kTokenOnly);
  const bool plain =
      value.starts_with('/') && std::none_of(value.begin(), value.end(), [](unsigned char c) {
        return c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>';
      });
  if (!plain || !parsed.ok() || parsed->placeholders().empty()) {
    return must("be a path starting with '/' that holds {token}", value);
  }
  return std::nullopt;
}

std::optional<std::string> link_path(const std::string& value) {
  if (!value.starts_with('/') ||
      std::any_of(value.begin(), value.end(),
                  [](unsigned char c) {
                    return c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>';
                  }) ||
      !TextTemplate::parse(value, kLinkPlaceholders).ok()) {
    return must("be a path starting with '/', where {appointment_id} may appear", value);
  }
  return std::nullopt;
}

std::optional<std::string> zone_name(const std::string& value) {
  const bool valid = !value.empty() && value.size() <= 64 && value.front() != '/' &&
                     std::all_of(value.begin(), value.end(), [](unsigned char c) {
                       return std::isalnum(c) || c == '/' || c == '_' || c == '+' || c == '-';
                     });
  if (valid) {
    return std::nullopt;
  }
  return must("be an IANA time zone name like \"America/New_York\"", value);
}

std::optional<std::string> host_name(const std::string& value) {
  const bool valid = value.size() <= 253 && std::all_of(value.begin(), value.end(), [](char c) {
                       return is_name_character(static_cast<unsigned char>(c)) || c == ':';
                     });
  if (valid) {
    return std::nullopt;
  }
  return must("be empty or a host name or IP address", value);
}

std::optional<std::string> mailbox(const std::string& value) {
  const auto at = value.find('@');
  if (value.empty() || (at != std::string::npos && at > 0 && at + 1 < value.size() &&
                        !has_control_character(value, false))) {
    return std::nullopt;
  }
  return must("be empty or an address like \"Clinic <reminders@clinic.example>\"", value);
}

std::optional<std::string> optional_absolute_path(const std::string& value) {
  if (value.empty() || is_absolute_path(value)) {
    return std::nullopt;
  }
  return must("be empty or an absolute path", value);
}

std::optional<std::string> https_url(const std::string& value) {
  const bool clean = std::none_of(value.begin(), value.end(), [](unsigned char c) {
    return std::isspace(c) || std::iscntrl(c) || c == '#';
  });
  if (value.empty() ||
      (value.starts_with("https://") && value.size() > 8 && value[8] != '/' && clean)) {
    return std::nullopt;
  }
  return must("be empty or an https:// URL", value);
}

std::optional<std::string> header_name(const std::string& value) {
  const bool valid = !value.empty() && std::all_of(value.begin(), value.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_';
  });
  if (valid) {
    return std::nullopt;
  }
  return must("be an HTTP header name of letters, digits, '-' and '_'", value);
}

std::optional<std::string> uid_domain(const std::string& value) {
  const bool valid = !value.empty() && value.size() <= 253 &&
                     std::all_of(value.begin(), value.end(), [](unsigned char c) {
                       return std::isalnum(c) || c == '.' || c == '-';
                     });
  if (valid) {
    return std::nullopt;
  }
  return must("be a domain of letters, digits, '.' and '-'", value);
}

Error key_error(std::string_view name, std::string_view rest) {
  return Error(ErrorCode::kInvalidArgument, "key '" + std::string(name) + "' " + std::string(rest));
}

template <typename Section>
ConfigKey string_key(std::string_view name, Section Config::*section, std::string Section::*field,
                     StringRule rule, std::string_view doc) {
  ConfigKey key;
  key.name = name;
  key.type = KeyType::kString;
  key.doc = doc;
  key.render = [=](const Config& config) { return toml_quote((config.*section).*field); };
  key.assign = [=](const ConfigValue& value, Config& config) -> Status {
    const auto& text = std::get<std::string>(value);
    if (const auto problem = rule(text)) {
      return key_error(name, *problem);
    }
    (config.*section).*field = text;
    return ok_status();
  };
  return key;
}

template <typename Section, typename Field>
ConfigKey integer_key(std::string_view name, Section Config::*section, Field Section::*field,
                      std::int64_t min, std::int64_t max, std::string_view doc) {
  // A range the member cannot hold is a mistake in the table below; stop at
  // the first test rather than truncate values silently.
  if (min > max || min < std::numeric_limits<Field>::min() ||
      max > std::numeric_limits<Field>::max()) {
    std::abort();
  }
  ConfigKey key;
  key.name = name;
  key.type = KeyType::kInteger;
  key.doc = doc;
  key.render = [=](const Config& config) { return std::to_string((config.*section).*field); };
  key.assign = [=](const ConfigValue& value, Config& config) -> Status {
    const auto number = std::get<std::int64_t>(value);
    if (number < min || number > max) {
      return key_error(name, "must be an integer between " + std::to_string(min) + " and " +
                                 std::to_string(max) + ", got " + std::to_string(number));
    }
    (config.*section).*field = static_cast<Field>(number);
    return ok_status();
  };
  return key;
}

// No boolean key exists yet; sections still to come (auth, audit, smtp) need
// them, and the loader and key table already handle the type.
template <typename Section>
ConfigKey boolean_key(std::string_view name, Section Config::*section, bool Section::*field,
                      std::string_view doc) {
  ConfigKey key;
  key.name = name;
  key.type = KeyType::kBoolean;
  key.doc = doc;
  key.render = [=](const Config& config) { return (config.*section).*field ? "true" : "false"; };
  key.assign = [=](const ConfigValue& value, Config& config) -> Status {
    (config.*section).*field = std::get<bool>(value);
    return ok_status();
  };
  return key;
}

// Adding a key: one entry here (and the member in config.h, the sample file
// and the man page). Order is the order of the sample file and man page.
std::vector<ConfigKey> build_table() {
  using C = Config;
  return {
      string_key("server.listen", &C::server, &ServerConfig::listen, listen_address,
                 "address and port of the HTTPS listener"),
      integer_key("server.worker_threads", &C::server, &ServerConfig::worker_threads, 1, 1024,
                  "threads serving requests"),
      integer_key("server.max_connections", &C::server, &ServerConfig::max_connections, 1, 100000,
                  "connections served at once"),
      integer_key("server.max_body_bytes", &C::server, &ServerConfig::max_body_bytes, 1024,
                  1073741824, "largest request body accepted"),
      integer_key("server.header_timeout_seconds", &C::server,
                  &ServerConfig::header_timeout_seconds, 1, 300,
                  "deadline for the TLS handshake and each request's headers"),
      integer_key("server.io_timeout_seconds", &C::server, &ServerConfig::io_timeout_seconds, 1,
                  300, "longest wait for a client to send a body or take an answer"),
      integer_key("server.keep_alive_timeout_seconds", &C::server,
                  &ServerConfig::keep_alive_timeout_seconds, 1, 3600,
                  "how long an idle connection is kept open"),
      integer_key("server.drain_timeout_seconds", &C::server, &ServerConfig::drain_timeout_seconds,
                  0, 600, "how long SIGTERM waits for in-flight requests"),
      string_key("server.public_base_url", &C::server, &ServerConfig::public_base_url, base_url,
                 "base of links handed out; empty derives it from server.listen"),

      string_key("tls.certificate_file", &C::tls, &TlsConfig::certificate_file, absolute_path,
                 "PEM certificate chain, leaf first"),
      string_key("tls.key_file", &C::tls, &TlsConfig::key_file, secret_path,
                 "PEM private key: a path or credential:NAME"),
      string_key("tls.min_version", &C::tls, &TlsConfig::min_version, one_of({"1.2", "1.3"}),
                 "lowest TLS version accepted"),
      string_key("tls.cipher_list", &C::tls, &TlsConfig::cipher_list, cipher_list,
                 "OpenSSL cipher list for TLS 1.2"),

      string_key("admin.socket_path", &C::admin, &AdminConfig::socket_path, socket_path,
                 "Unix socket of the local administration interface"),
      string_key("admin.group", &C::admin, &AdminConfig::group, group_name,
                 "group whose members (and root) are the local operator"),
      string_key("admin.socket_mode", &C::admin, &AdminConfig::socket_mode, socket_mode,
                 "permission bits of the admin socket, octal"),

      string_key("storage.url", &C::storage, &StorageConfig::url, storage_url,
                 "database: sqlite://PATH or a postgresql:// URI"),
      string_key("storage.password_file", &C::storage, &StorageConfig::password_file,
                 optional_secret_path,
                 "PostgreSQL password file or credential:NAME; empty for none"),
      integer_key("storage.pool_size", &C::storage, &StorageConfig::pool_size, 1, 256,
                  "database sessions kept open"),
      integer_key("storage.connect_timeout_seconds", &C::storage,
                  &StorageConfig::connect_timeout_seconds, 1, 300,
                  "timeout of one connection attempt"),
      integer_key("storage.startup_timeout_seconds", &C::storage,
                  &StorageConfig::startup_timeout_seconds, 0, 3600,
                  "how long start-up retries an unreachable database"),
      integer_key("storage.acquire_timeout_ms", &C::storage, &StorageConfig::acquire_timeout_ms, 1,
                  60000, "how long a request waits for a free session"),

      string_key("log.level", &C::log, &LogConfig::level,
                 one_of({"trace", "debug", "info", "warn", "error", "critical", "off"}),
                 "lowest level written"),
      string_key("log.format", &C::log, &LogConfig::format, one_of({"text", "json"}),
                 "text, or one JSON object per line"),

      string_key("node.name", &C::node, &NodeConfig::name, node_name,
                 "name of this daemon in audit events and metrics; empty for the host name"),

      string_key("keys.kek_file", &C::keys, &KeysConfig::kek_file, secret_path,
                 "current key-encryption key: a path or credential:NAME"),
      string_key("keys.previous_kek_files", &C::keys, &KeysConfig::previous_kek_files,
                 secret_path_list,
                 "earlier key-encryption keys during a rotation, comma-separated"),

      integer_key("auth.lockout_threshold", &C::auth, &AuthConfig::lockout_threshold, 1, 100,
                  "consecutive failed sign-ins that lock an account"),
      integer_key("auth.session_lifetime_minutes", &C::auth, &AuthConfig::session_lifetime_minutes,
                  5, 10080, "absolute lifetime of a session"),
      integer_key("auth.staff_idle_timeout_minutes", &C::auth,
                  &AuthConfig::staff_idle_timeout_minutes, 0, 1440,
                  "automatic log-off for staff; 0 keeps each role's own"),
      integer_key("auth.patient_idle_timeout_minutes", &C::auth,
                  &AuthConfig::patient_idle_timeout_minutes, 0, 1440,
                  "automatic log-off for patients; 0 keeps the role's own"),
      integer_key("auth.enrolment_code_hours", &C::auth, &AuthConfig::enrolment_code_hours, 1, 720,
                  "lifetime of one-time enrolment codes"),
      integer_key("auth.emergency_grant_minutes", &C::auth, &AuthConfig::emergency_grant_minutes, 5,
                  1440, "lifetime of an emergency-access grant"),
      integer_key("auth.login_attempts_per_minute", &C::auth,
                  &AuthConfig::login_attempts_per_minute, 1, 100000,
                  "sign-in attempts accepted per source address and minute"),
      integer_key("auth.password_min_length", &C::auth, &AuthConfig::password_min_length, 8, 64,
                  "shortest password accepted"),
      integer_key("auth.argon2_memory_kib", &C::auth, &AuthConfig::argon2_memory_kib, 19456,
                  4194304, "Argon2id memory cost in KiB"),
      integer_key("auth.argon2_iterations", &C::auth, &AuthConfig::argon2_iterations, 2, 64,
                  "Argon2id passes"),
      integer_key("auth.argon2_parallelism", &C::auth, &AuthConfig::argon2_parallelism, 1, 16,
                  "Argon2id lanes"),
      integer_key("auth.token_lifetime_days", &C::auth, &AuthConfig::token_lifetime_days, 1, 3650,
                  "default lifetime of service tokens"),

      string_key("audit.signing_key_file", &C::audit, &AuditConfig::signing_key_file, secret_path,
                 "Ed25519 key signing audit checkpoints: a path or credential:NAME"),
      integer_key("audit.checkpoint_interval_events", &C::audit,
                  &AuditConfig::checkpoint_interval_events, 1, 10000000,
                  "events after which a checkpoint is signed"),
      integer_key("audit.checkpoint_interval_seconds", &C::audit,
                  &AuditConfig::checkpoint_interval_seconds, 1, 86400,
                  "seconds after which a checkpoint of new events is signed"),
      string_key("audit.origin", &C::audit, &AuditConfig::origin, checkpoint_origin,
                 "name of the log in its checkpoints; empty keeps the stored one"),

      integer_key("scheduling.check_in_opens_minutes", &C::scheduling,
                  &SchedulingConfig::check_in_opens_minutes, 0, 1440,
                  "minutes before an appointment's start that check-in opens"),
      integer_key("scheduling.booking_horizon_days", &C::scheduling,
                  &SchedulingConfig::booking_horizon_days, 1, 730,
                  "how many days ahead a visit may be booked"),
      integer_key("scheduling.guest_link_grace_minutes", &C::scheduling,
                  &SchedulingConfig::guest_link_grace_minutes, 0, 1440,
                  "minutes after a visit's end that its guest links expire"),
      integer_key("scheduling.guest_session_minutes", &C::scheduling,
                  &SchedulingConfig::guest_session_minutes, 5, 1440,
                  "minutes a redeemed guest link's session lasts"),

      string_key("reminders.offsets_minutes", &C::reminders, &RemindersConfig::offsets_minutes,
                 minute_offsets, "minutes before the start at which reminders are sent"),
      integer_key("reminders.max_attempts", &C::reminders, &RemindersConfig::max_attempts, 1, 100,
                  "tries before a message is marked failed"),
      integer_key("reminders.retry_initial_seconds", &C::reminders,
                  &RemindersConfig::retry_initial_seconds, 1, 86400,
                  "wait after the first failed try, doubling after each"),
      integer_key("reminders.retry_max_seconds", &C::reminders, &RemindersConfig::retry_max_seconds,
                  1, 604800, "longest wait between tries"),
      integer_key("reminders.lease_seconds", &C::reminders, &RemindersConfig::lease_seconds, 3,
                  3600, "how long a claim on a message keeps other daemons off it"),
      integer_key("reminders.poll_interval_seconds", &C::reminders,
                  &RemindersConfig::poll_interval_seconds, 1, 3600,
                  "how often the outbox is checked for due messages"),
      integer_key("reminders.batch_size", &C::reminders, &RemindersConfig::batch_size, 1, 1000,
                  "messages claimed at a time"),
      string_key("reminders.clinic_name", &C::reminders, &RemindersConfig::clinic_name,
                 single_line_text, "the clinic's name in messages, as {clinic}"),
      string_key("reminders.link_path", &C::reminders, &RemindersConfig::link_path, link_path,
                 "path of the link in messages, after server.public_base_url"),
      string_key("reminders.default_time_zone", &C::reminders, &RemindersConfig::default_time_zone,
                 zone_name, "time zone of patients without one of their own"),
      string_key("reminders.date_format", &C::reminders, &RemindersConfig::date_format,
                 non_empty_line, "how {date} is written (strftime)"),
      string_key("reminders.time_format", &C::reminders, &RemindersConfig::time_format,
                 non_empty_line, "how {time} is written (strftime)"),
      string_key("reminders.booked_subject", &C::reminders, &RemindersConfig::booked_subject,
                 message_template(kMessagePlaceholders, false), "subject of a booking email"),
      string_key("reminders.booked_body", &C::reminders, &RemindersConfig::booked_body,
                 message_template(kMessagePlaceholders, true), "text of a booking email"),
      string_key("reminders.booked_sms", &C::reminders, &RemindersConfig::booked_sms,
                 message_template(kMessagePlaceholders, false), "text of a booking SMS"),
      string_key("reminders.rescheduled_subject", &C::reminders,
                 &RemindersConfig::rescheduled_subject,
                 message_template(kMessagePlaceholders, false), "subject of a new-time email"),
      string_key("reminders.rescheduled_body", &C::reminders, &RemindersConfig::rescheduled_body,
                 message_template(kMessagePlaceholders, true), "text of a new-time email"),
      string_key("reminders.rescheduled_sms", &C::reminders, &RemindersConfig::rescheduled_sms,
                 message_template(kMessagePlaceholders, false), "text of a new-time SMS"),
      string_key("reminders.cancelled_subject", &C::reminders, &RemindersConfig::cancelled_subject,
                 message_template(kMessagePlaceholders, false), "subject of a cancellation email"),
      string_key("reminders.cancelled_body", &C::reminders, &RemindersConfig::cancelled_body,
                 message_template(kMessagePlaceholders, true), "text of a cancellation email"),
      string_key("reminders.cancelled_sms", &C::reminders, &RemindersConfig::cancelled_sms,
                 message_template(kMessagePlaceholders, false), "text of a cancellation SMS"),
      string_key("reminders.reminder_subject", &C::reminders, &RemindersConfig::reminder_subject,
                 message_template(kMessagePlaceholders, false), "subject of a reminder email"),
      string_key("reminders.reminder_body", &C::reminders, &RemindersConfig::reminder_body,
                 message_template(kMessagePlaceholders, true), "text of a reminder email"),
      string_key("reminders.reminder_sms", &C::reminders, &RemindersConfig::reminder_sms,
                 message_template(kMessagePlaceholders, false), "text of a reminder SMS"),
      string_key("reminders.invitation_subject", &C::reminders,
                 &RemindersConfig::invitation_subject,
                 message_template(kMessagePlaceholders, false), "subject of a guest's invitation"),
      string_key("reminders.invitation_body", &C::reminders, &RemindersConfig::invitation_body,
                 message_template(kMessagePlaceholders, true), "text of a guest's invitation"),
      string_key("reminders.invitation_link_path", &C::reminders,
                 &RemindersConfig::invitation_link_path, guest_link_path,
                 "path of a guest's single-use link, after server.public_base_url"),
      integer_key("reminders.message_notice_delay_seconds", &C::reminders,
                  &RemindersConfig::message_notice_delay_seconds, 0, 604800,
                  "unread time after which a member is told of a secure message; 0 for never"),
      string_key("reminders.message_notice_subject", &C::reminders,
                 &RemindersConfig::message_notice_subject,
                 message_template(kNoticePlaceholders, false),
                 "subject of an unread-message notice"),
      string_key("reminders.message_notice_body", &C::reminders,
                 &RemindersConfig::message_notice_body, message_template(kNoticePlaceholders, true),
                 "text of an unread-message notice"),

      string_key("smtp.host", &C::smtp, &SmtpConfig::host, host_name,
                 "mail submission server; empty sends no email"),
      integer_key("smtp.port", &C::smtp, &SmtpConfig::port, 1, 65535,
                  "port of the submission server (STARTTLS required)"),
      string_key("smtp.from", &C::smtp, &SmtpConfig::from, mailbox, "From address of emails"),
      string_key("smtp.username", &C::smtp, &SmtpConfig::username, single_line_text,
                 "AUTH username; empty for none"),
      string_key("smtp.password_file", &C::smtp, &SmtpConfig::password_file, optional_secret_path,
                 "AUTH password file or credential:NAME"),
      string_key("smtp.ca_file", &C::smtp, &SmtpConfig::ca_file, optional_absolute_path,
                 "CA certificates for the server's certificate; empty for the system's"),
      integer_key("smtp.timeout_seconds", &C::smtp, &SmtpConfig::timeout_seconds, 1, 300,
                  "connect timeout and timeout of each read or write"),

      string_key("sms.url", &C::sms, &SmsConfig::url, https_url,
                 "SMS provider endpoint (https://); empty sends no SMS"),
      string_key("sms.from", &C::sms, &SmsConfig::from, single_line_text,
                 "sender number or name, as {from}"),
      string_key("sms.body_template", &C::sms, &SmsConfig::body_template,
                 message_template(kSmsPlaceholders, false),
                 "request body with {to}, {from} and {body}"),
      string_key("sms.content_type", &C::sms, &SmsConfig::content_type, non_empty_line,
                 "content type of the request body"),
      string_key("sms.auth_header", &C::sms, &SmsConfig::auth_header, header_name,
                 "header carrying the credentials"),
      string_key("sms.auth_scheme", &C::sms, &SmsConfig::auth_scheme,
                 one_of({"Bearer", "Basic", ""}), "Bearer, Basic, or empty for the bare secret"),
      string_key("sms.credentials_file", &C::sms, &SmsConfig::credentials_file,
                 optional_secret_path, "file or credential:NAME holding the provider's secret"),
      string_key("sms.ca_file", &C::sms, &SmsConfig::ca_file, optional_absolute_path,
                 "CA certificates for the provider's certificate; empty for the system's"),
      integer_key("sms.timeout_seconds", &C::sms, &SmsConfig::timeout_seconds, 1, 300,
                  "timeout of each connect, read or write"),

      string_key("calendar.attendee", &C::calendar, &CalendarConfig::attendee,
                 one_of({"none", "initials"}), "what feed events say of the patient"),
      string_key("calendar.event_summary", &C::calendar, &CalendarConfig::event_summary,
                 non_empty_line, "title of calendar events"),
      string_key("calendar.calendar_name", &C::calendar, &CalendarConfig::calendar_name,
                 non_empty_line, "name of the feed in calendar clients"),
      string_key("calendar.uid_domain", &C::calendar, &CalendarConfig::uid_domain, uid_domain,
                 "right-hand side of event UIDs"),
      integer_key("calendar.past_days", &C::calendar, &CalendarConfig::past_days, 0, 3650,
                  "days of past appointments in a feed"),
      integer_key("calendar.future_days", &C::calendar, &CalendarConfig::future_days, 1, 3650,
                  "days of future appointments in a feed"),

      integer_key("hub.io_threads", &C::hub, &HubConfig::io_threads, 0, 64,
                  "event-loop threads serving upgraded websocket connections (0: one per CPU)"),
      integer_key("hub.max_connections", &C::hub, &HubConfig::max_connections, 1, 1000000,
                  "websocket connections held at once"),
      integer_key("hub.max_message_bytes", &C::hub, &HubConfig::max_message_bytes, 1024, 16777216,
                  "largest websocket message a client may send"),
      integer_key("hub.send_queue_messages", &C::hub, &HubConfig::send_queue_messages, 8, 100000,
                  "messages queued for one connection before it is closed as too slow"),
      integer_key("hub.ping_interval_seconds", &C::hub, &HubConfig::ping_interval_seconds, 1, 3600,
                  "seconds of silence before a connection is pinged"),
      integer_key("hub.batch_window_microseconds", &C::hub, &HubConfig::batch_window_microseconds,
                  0, 1000,
                  "pause of a busy event loop between turns, gathering messages (0: none)"),

      string_key("video.stun_urls", &C::video, &VideoConfig::stun_urls, stun_urls,
                 "STUN servers offered to browsers, comma-separated"),
      string_key("video.turn_urls", &C::video, &VideoConfig::turn_urls, turn_urls,
                 "TURN servers offered to browsers, comma-separated; empty for none"),
      string_key("video.turn_secret_file", &C::video, &VideoConfig::turn_secret_file,
                 optional_secret_path, "file or credential:NAME holding the TURN shared secret"),
      integer_key("video.turn_credential_ttl_seconds", &C::video,
                  &VideoConfig::turn_credential_ttl_seconds, 60, 86400,
                  "lifetime of a TURN credential"),
      integer_key("video.rejoin_grace_seconds", &C::video, &VideoConfig::rejoin_grace_seconds, 1,
                  3600, "seconds a participant who lost the connection keeps their place"),
      integer_key("video.max_participants", &C::video, &VideoConfig::max_participants, 2, 6,
                  "people in one visit room at once"),

      integer_key("documents.max_bytes", &C::documents, &DocumentsConfig::max_bytes, 1024,
                  268435456, "largest document a patient's record accepts"),
  };
}

}  // namespace

std::string_view key_type_name(KeyType type) {
  switch (type) {
    case KeyType::kString:
      return "string";
    case KeyType::kInteger:
      return "integer";
    case KeyType::kBoolean:
      return "boolean";
  }
  return "string";
}

std::string_view ConfigKey::section() const {
  return name.substr(0, name.rfind('.'));
}

std::span<const ConfigKey> config_keys() {
  static const std::vector<ConfigKey> keys = build_table();
  return keys;
}

const ConfigKey* find_config_key(std::string_view name) {
  for (const auto& key : config_keys()) {
    if (key.name == name) {
      return &key;
    }
  }
  return nullptr;
}

bool is_config_section(std::string_view name) {
  return std::any_of(config_keys().begin(), config_keys().end(), [name](const ConfigKey& key) {
    return key.name.size() > name.size() && key.name.starts_with(name) &&
           key.name[name.size()] == '.';
  });
}

std::string toml_quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (const unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string describe_effective_config(const Config& config) {
  // A newline in the path would end the comment and break the document.
  std::string source = config.source_path;
  std::replace_if(
      source.begin(), source.end(), [](unsigned char c) { return std::iscntrl(c); }, '?');
  std::string out = source.empty()
                        ? "# effective configuration: built-in defaults, no file loaded\n"
                        : "# effective configuration, loaded from " + source + "\n";
  std::string_view section;
  for (const auto& key : config_keys()) {
    if (key.section() != section) {
      section = key.section();
      out += '\n';
    }
    const bool from_file = config.keys_from_file.contains(std::string(key.name));
    out += std::string(key.name) + " = " + key.render(config);
    out += from_file ? "  # from " + source + "\n" : "  # default\n";
  }
  return out;
}

}  // namespace th
