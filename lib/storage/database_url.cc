#include "storage/database_url.h"

#include <cctype>

namespace th::storage {
namespace {

constexpr std::string_view kSqlitePrefix = "sqlite://";
constexpr std::string_view kPostgresqlPrefixes[] = {"postgresql://", "postgres://"};

std::string percent_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace

std::string_view backend_name(Backend backend) {
  return backend == Backend::kSqlite ? "sqlite3" : "postgresql";
}

Result<DatabaseUrl> parse_database_url(std::string_view url) {
  DatabaseUrl parsed;
  if (url.starts_with(kSqlitePrefix)) {
    parsed.backend = Backend::kSqlite;
    parsed.sqlite_path = std::string(url.substr(kSqlitePrefix.size()));
    if (parsed.sqlite_path.empty()) {
      return Error(ErrorCode::kInvalidArgument, "storage url 'sqlite://' names no database file");
    }
    return parsed;
  }
  for (const std::string_view prefix : kPostgresqlPrefixes) {
    if (url.starts_with(prefix)) {
      parsed.backend = Backend::kPostgresql;
      parsed.postgresql_uri = std::string(url);
      return parsed;
    }
  }
  return Error(ErrorCode::kInvalidArgument,
               "storage url must start with 'sqlite://' or 'postgresql://'");
}

std::string redact_database_url(std::string_view url) {
  // scheme://user:password@host -> scheme://user:***@host
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::string(url);
  }
  const auto authority_start = scheme_end + 3;
  const auto at = url.find('@', authority_start);
  const auto slash = url.find('/', authority_start);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) {
    return std::string(url);
  }
  const auto colon = url.find(':', authority_start);
  if (colon == std::string_view::npos || colon > at) {
    return std::string(url);
  }
  std::string redacted(url.substr(0, colon + 1));
  redacted += "***";
  redacted += url.substr(at);
  return redacted;
}

std::string postgresql_connection_uri(const DatabaseUrl& url, std::string_view password,
                                      int connect_timeout_seconds) {
  std::string uri = url.postgresql_uri;
  uri += uri.find('?') == std::string::npos ? '?' : '&';
  uri += "connect_timeout=" + std::to_string(connect_timeout_seconds);
  if (uri.find("application_name=") == std::string::npos) {
    uri += "&application_name=telehealthd";
  }
  if (!password.empty()) {
    uri += "&password=" + percent_encode(password);
  }
  return uri;
}

}  // namespace th::storage
