// DatabaseUrl: the parsed form of the storage.url setting.
//
//   sqlite:///var/lib/telehealthd/telehealth.db   absolute path
//   sqlite://state/telehealth.db                  path relative to the working directory
//   postgresql://user@host:5432/db?sslmode=verify-full   any libpq connection URI
//
// The PostgreSQL form is handed to libpq unchanged apart from added
// parameters (connect timeout, application name, password from a file), so
// every libpq option, sslmode and sslrootcert among them, is honoured.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace th::storage {

enum class Backend { kSqlite, kPostgresql };

std::string_view backend_name(Backend backend);

struct DatabaseUrl {
  Backend backend = Backend::kSqlite;
  std::string sqlite_path;     // for kSqlite
  std::string postgresql_uri;  // for kPostgresql, as written in the config
};

// Fails with kInvalidArgument naming what is wrong (never echoing a password).
Result<DatabaseUrl> parse_database_url(std::string_view url);

// The URL with any password replaced by "***", safe for logs and status output.
std::string redact_database_url(std::string_view url);

// Builds the libpq connection URI: the configured one plus connect_timeout,
// application_name and, when given, a password (percent-encoded).
std::string postgresql_connection_uri(const DatabaseUrl& url, std::string_view password,
                                      int connect_timeout_seconds);

}  // namespace th::storage
