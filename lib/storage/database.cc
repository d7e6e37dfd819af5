#include "storage/database.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sqlite3.h>

#include <algorithm>

namespace th::storage {
namespace {

// SQLite settings applied to every pooled connection. WAL lets readers
// proceed beside one writer; synchronous=FULL makes each commit durable
// before it returns, which the audit log's fail-closed rule depends on.
constexpr const char* kSqlitePragmas[] = {
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
};

std::string first_line(std::string_view text) {
  std::string line(text.substr(0, text.find('\n')));
  if (line.size() > 240) {
    line.resize(240);
  }
  return line;
}

// A connection failure's message on one line: SOCI puts its own summary first and the
// server's or libpq's reason ("connection to server at ... failed:
// Connection refused") on the lines after it, and the reason is what an
// operator needs. Bounded, since it ends up in a log line or a reply.
std::string one_line(std::string_view text) {
  std::string line;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    auto part = text.substr(start, end - start);
    while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) {
      part.remove_prefix(1);
    }
    if (!part.empty()) {
      line += (line.empty() ? "" : " ") + std::string(part);
    }
    start = end + 1;
  }
  if (line.size() > 400) {
    line.resize(400);
  }
  return line;
}

}  // namespace

Result<std::unique_ptr<Database>> Database::open(const DatabaseOptions& options) {
  auto url = parse_database_url(options.url);
  if (!url.ok()) {
    return url.error();
  }
  std::unique_ptr<Database> database(new Database(*url, options));
  if (url->backend == Backend::kPostgresql) {
    database->connection_string_ =
        postgresql_connection_uri(*url, options.password, options.connect_timeout_seconds);
  } else {
    database->connection_string_ =
        "db=" + url->sqlite_path + " timeout=" + std::to_string(options.connect_timeout_seconds);
  }
  TH_RETURN_IF_ERROR(database->connect_all());
  return database;
}

Database::Database(DatabaseUrl url, const DatabaseOptions& options)
    : url_(std::move(url)),
      acquire_timeout_ms_(options.acquire_timeout_ms),
      pool_(static_cast<std::size_t>(options.pool_size)) {
  for (int i = 0; i < options.pool_size; ++i) {
    needs_reopen_.push_back(std::make_unique<std::atomic<bool>>(false));
  }
}

Database::~Database() = default;

Status Database::connect_all() {
  for (std::size_t i = 0; i < needs_reopen_.size(); ++i) {
    TH_RETURN_IF_ERROR(open_session(pool_.at(i)));
  }
  return ok_status();
}

Status Database::open_session(soci::session& session) {
  try {
    // Closed whether or not it still counts as connected: a PostgreSQL
    // session whose server went away reports itself disconnected, yet SOCI
    // refuses to open it again until its old backend is released.
    session.close();
    if (url_.backend == Backend::kPostgresql) {
      session.open(*soci::factory_postgresql(), connection_string_);
    } else {
      session.open(*soci::factory_sqlite3(), connection_string_);
      for (const char* pragma : kSqlitePragmas) {
        session << pragma;
      }
    }
    return ok_status();
  } catch (const soci::soci_error& failure) {
    return Error(ErrorCode::kUnavailable,
                 "connect to " + std::string(backend_name(url_.backend)) +
                     " database: " + one_line(failure.get_error_message()));
  }
}

Result<std::size_t> Database::acquire() {
  std::size_t position = 0;
  if (!pool_.try_lease(position, acquire_timeout_ms_)) {
    ++acquire_timeouts_;
    return Error(ErrorCode::kUnavailable, "no database connection became free in time");
  }
  ++in_use_;
  if (needs_reopen_[position]->load()) {
    // The connection broke during an earlier lease: reopen it now, so a
    // database that came back is used again without restarting the daemon.
    Status reopened = open_session(pool_.at(position));
    if (!reopened.ok()) {
      release(position, true);
      return reopened.error();
    }
    needs_reopen_[position]->store(false);
    ++reconnects_;
  }
  return position;
}

void Database::release(std::size_t position, bool broken) {
  if (broken) {
    needs_reopen_[position]->store(true);
  }
  --in_use_;
  pool_.give_back(position);
}

void Database::begin_write(soci::session& session) {
  if (url_.backend == Backend::kSqlite) {
    session << "BEGIN IMMEDIATE";
  } else {
    session.begin();
  }
}

Error Database::translate(const std::exception& failure, bool* broken) {
  const auto* soci_failure = dynamic_cast<const soci::soci_error*>(&failure);
  if (soci_failure == nullptr) {
    return Error(ErrorCode::kInternal, std::string("database operation: ") + failure.what());
  }
  // The first line only: a statement's later lines (PostgreSQL's DETAIL)
  // may quote the values of a row.
  const std::string message = first_line(soci_failure->get_error_message());
  if (const auto* sqlite = dynamic_cast<const soci::sqlite3_soci_error*>(soci_failure)) {
    const int primary = sqlite->result() & 0xFF;
    if (primary == SQLITE_CONSTRAINT) {
      return Error(ErrorCode::kConflict, "database constraint: " + message);
    }
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      return Error(ErrorCode::kUnavailable, "database busy: " + message);
    }
    if (primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR || primary == SQLITE_FULL) {
      *broken = true;
      return Error(ErrorCode::kUnavailable, "database file: " + message);
    }
  }
  switch (soci_failure->get_error_category()) {
    case soci::soci_error::connection_error:
      *broken = true;
      return Error(ErrorCode::kUnavailable, "database connection: " + message);
    case soci::soci_error::constraint_violation:
      return Error(ErrorCode::kConflict, "database constraint: " + message);
    default:
      return Error(ErrorCode::kInternal, "database statement: " + message);
  }
}

Status Database::ping() {
  return run([](soci::session& session) {
    int one = 0;
    session << "SELECT 1", soci::into(one);
  });
}

PoolStats Database::pool_stats() const {
  PoolStats stats;
  stats.size = needs_reopen_.size();
  stats.in_use = in_use_.load();
  stats.acquire_timeouts = acquire_timeouts_.load();
  stats.reconnects = reconnects_.load();
  return stats;
}

}  // namespace th::storage
