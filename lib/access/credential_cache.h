// CredentialCache: checks bearer secrets (session and service tokens) on
// every request without a database round trip, while a revocation anywhere
// takes effect everywhere at once.
//
// How: a validated credential is kept in memory with its user's role and
// permissions. Every change that must invalidate it (logout, revocation,
// disabling a user, a role change) writes a row to the security event log
// in the same transaction; every daemon reads that log (poll_security_events)
// as soon as PostgreSQL announces a new row, and a few times a second in any
// case, and drops what it names. Within one daemon the
// change is applied to the cache directly as well, so the revoking request's
// own daemon never serves the old credential even once.
//
// Activity for the idle timeout is recorded in memory and written in
// batches (flush_activity), so the idle clock another daemon sees lags by at
// most the flush interval.
//
// Thread-safe: authenticate() runs on every request thread at once; the
// background calls may run concurrently with it.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "access/principal.h"
#include "access/role_store.h"
#include "access/security_event_log.h"
#include "access/session_store.h"
#include "access/user_store.h"
#include "storage/database.h"
#include "util/clock.h"

namespace th::access {

// Reason codes a client can show; they are the error messages' first word.
inline constexpr std::string_view kReasonInvalidToken = "invalid_token";
inline constexpr std::string_view kReasonExpired = "session_expired";
inline constexpr std::string_view kReasonIdle = "session_idle_timeout";
inline constexpr std::string_view kReasonRevoked = "session_revoked";
inline constexpr std::string_view kReasonDisabled = "account_disabled";

// Hex SHA-256 of a bearer secret: the only form in which it is stored.
std::string hash_bearer_secret(std::string_view secret);

class CredentialCache {
 public:
  CredentialCache(storage::Database& database, UserStore& users, SessionStore& sessions,
                  RoleStore& roles, SecurityEventLog& events, const Clock& clock);

  // The principal for a bearer secret, or kUnauthenticated whose message
  // starts with one of the reason codes above. `interactive` says whether
  // this request counts as user activity for the idle timeout.
  Result<Principal> authenticate(std::string_view secret, bool interactive);

  // The same for a credential known by its hash (hash_bearer_secret), for a
  // connection that re-checks its session without keeping the secret.
  Result<Principal> authenticate_token_hash(const std::string& token_hash, bool interactive);

  // The same without a copy, for a connection that checks its session on
  // every message: the principal is the cached entry's own, shared. It
  // never changes: whatever changes a credential drops its entry, and the
  // next check loads a new one.
  Result<std::shared_ptr<const Principal>> share_token_hash(const std::string& token_hash,
                                                            bool interactive);

 private:
  struct Entry;  // defined below

 public:
  // A caller's hold on the entry its last check found, so that the next
  // check of the same credential skips the lookup while the entry is still
  // cached (nothing dropped it since). Expiry and the idle timeout are
  // checked every time all the same. One per connection, used by one thread
  // at a time.
  class Held {
   private:
    friend class CredentialCache;
    std::shared_ptr<Entry> entry_;
  };

  // share_token_hash through `held`, which it fills or refreshes.
  Result<std::shared_ptr<const Principal>> share_token_hash(const std::string& token_hash,
                                                            bool interactive, Held& held);

  // Drops cached credentials named by security events newer than the last
  // one applied. Returns how many events were applied.
  Result<int> poll_security_events();

  // Writes batched activity timestamps.
  Status flush_activity();

  void forget_session(const std::string& session_id);
  void forget_user(const std::string& user_id);
  void forget_everything();

  // The idle-timeout revocations this cache performed, for the audit trail:
  // taken (and cleared) by the caller.
  struct IdleLogoff {
    std::string session_id;
    std::string user_id;
    std::string role;
  };
  std::vector<IdleLogoff> take_idle_logoffs();

  std::size_t size() const;

 private:
  struct Entry {
    SessionRecord record;
    Principal principal;
    std::atomic<UnixMicros> last_seen{0};
    std::atomic<UnixMicros> flushed_seen{0};
    // Whether by_token_hash_ holds this entry; cleared when it is dropped.
    std::atomic<bool> cached{false};
  };

  Result<std::shared_ptr<Entry>> load(const std::string& token_hash);
  Result<std::shared_ptr<Entry>> checked_entry(const std::string& token_hash, bool interactive);
  Status check(const std::shared_ptr<Entry>& entry, bool interactive);
  Result<bool> revoke_for_idle(const std::shared_ptr<Entry>& entry, UnixMicros now);
  void start_reading_events_at_end(soci::session& session);
  void forget_where(const std::function<bool(const Entry&)>& matches);

  storage::Database& database_;
  UserStore& users_;
  SessionStore& sessions_;
  RoleStore& roles_;
  SecurityEventLog& events_;
  const Clock& clock_;

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> by_token_hash_;
  std::atomic<std::int64_t> last_event_id_{-1};

  std::mutex idle_mutex_;
  std::vector<IdleLogoff> idle_logoffs_;
};

}  // namespace th::access
