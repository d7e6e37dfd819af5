// Database: a pool of SOCI sessions on one SQLite file or one PostgreSQL
// database, and the single place where SOCI's exceptions become Errors.
//
// Code that touches storage calls run() or run_write_transaction() with a
// lambda that uses the leased soci::session; the lambda may throw whatever
// SOCI throws. The pool converts failures:
//   connection lost or unreachable  -> kUnavailable (the session is reopened
//                                      on its next lease, so the daemon
//                                      recovers by itself when the database
//                                      comes back)
//   unique or foreign-key violation -> kConflict
//   no free session in time         -> kUnavailable
//   anything else                   -> kInternal
// Error messages carry only the first line of the database's message, which
// names constraints and columns but not bound values (SOCI's what() appends
// bound parameters, which may be personal data, so it is never used).
//
// Every statement must bind its values with soci::use(); building SQL text
// from values is forbidden throughout the project.
//
// Thread-safe: any number of threads may call run() at once; each lease is
// exclusive to its caller until the lambda returns.
#pragma once

#include <soci/soci.h>

#include <atomic>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "storage/database_url.h"
#include "util/result.h"

namespace th::storage {

namespace detail {
template <typename T>
struct Flatten;
}  // namespace detail

struct DatabaseOptions {
  std::string url;
  std::string password;  // PostgreSQL only; empty when the URL or environment supplies it
  int pool_size = 8;
  int connect_timeout_seconds = 5;
  int acquire_timeout_ms = 2000;
};

struct PoolStats {
  std::size_t size = 0;
  std::size_t in_use = 0;
  std::uint64_t acquire_timeouts = 0;
  std::uint64_t reconnects = 0;
};

class Database {
 public:
  // Opens every session of the pool. Fails with kUnavailable when the
  // database cannot be reached and kInvalidArgument for a malformed URL.
  static Result<std::unique_ptr<Database>> open(const DatabaseOptions& options);

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Backend backend() const { return url_.backend; }

  // What run() returns for a lambda: Result<T> for a T, Status for void, and
  // the lambda's own Result unchanged.
  template <typename Fn>
  using RunResult = typename detail::Flatten<std::invoke_result_t<Fn, soci::session&>>::type;

  // Runs fn(session) on a leased session and returns its result.
  template <typename Fn>
  auto run(Fn&& fn) -> RunResult<Fn>;

  // Like run(), inside a transaction that takes the write lock up front
  // (BEGIN IMMEDIATE on SQLite, so concurrent writers wait instead of failing
  // to upgrade). Commits when fn returns normally, rolls back when it throws
  // or returns a failed Result/Status.
  template <typename Fn>
  auto run_write_transaction(Fn&& fn) -> RunResult<Fn>;

  // A trivial round trip; kUnavailable when the database is unreachable.
  Status ping();

  PoolStats pool_stats() const;

 private:
  Database(DatabaseUrl url, const DatabaseOptions& options);
  Status connect_all();
  Result<std::size_t> acquire();
  void release(std::size_t position, bool broken);
  Status open_session(soci::session& session);
  void begin_write(soci::session& session);
  static Error translate(const std::exception& failure, bool* broken);

  DatabaseUrl url_;
  std::string connection_string_;
  int acquire_timeout_ms_;
  soci::connection_pool pool_;
  std::vector<std::unique_ptr<std::atomic<bool>>> needs_reopen_;
  std::atomic<std::size_t> in_use_{0};
  std::atomic<std::uint64_t> acquire_timeouts_{0};
  std::atomic<std::uint64_t> reconnects_{0};
};

// ---- implementation of the templates ----

namespace detail {
// A lambda may return a plain value, nothing, or a Result of its own; run()
// returns Result<value>, Status, or that Result unchanged.
template <typename T>
struct Flatten {
  using type = Result<T>;
};
template <>
struct Flatten<void> {
  using type = Status;
};
template <typename T>
struct Flatten<Result<T>> {
  using type = Result<T>;
};
template <typename T>
inline constexpr bool kIsResult = false;
template <typename T>
inline constexpr bool kIsResult<Result<T>> = true;
}  // namespace detail

template <typename Fn>
auto Database::run(Fn&& fn) -> RunResult<Fn> {
  using Value = std::invoke_result_t<Fn, soci::session&>;
  auto position = acquire();
  if (!position.ok()) {
    return position.error();
  }
  bool broken = false;
  try {
    soci::session& session = pool_.at(*position);
    if constexpr (std::is_void_v<Value>) {
      fn(session);
      release(*position, false);
      return RunResult<Fn>();
    } else {
      RunResult<Fn> value = fn(session);
      release(*position, false);
      return value;
    }
  } catch (const std::exception& failure) {
    Error error = translate(failure, &broken);
    // On PostgreSQL a session that failed for any reason but a constraint is
    // reopened before its next use: a dropped server connection does not
    // always report itself as a connection error.
    if (url_.backend == Backend::kPostgresql && error.code() != ErrorCode::kConflict) {
      broken = true;
    }
    release(*position, broken || !pool_.at(*position).is_connected());
    return error;
  }
}

template <typename Fn>
auto Database::run_write_transaction(Fn&& fn) -> RunResult<Fn> {
  using Value = std::invoke_result_t<Fn, soci::session&>;
  return run([&](soci::session& session) -> Value {
    begin_write(session);
    try {
      if constexpr (std::is_void_v<Value>) {
        fn(session);
        session.commit();
      } else {
        Value value = fn(session);
        if constexpr (detail::kIsResult<Value>) {
          if (!value.ok()) {
            session.rollback();
            return value;
          }
        }
        session.commit();
        return value;
      }
    } catch (...) {
      try {
        session.rollback();
      } catch (...) {
        // The connection is likely gone; the original failure is the one to report.
      }
      throw;
    }
  });
}

}  // namespace th::storage
