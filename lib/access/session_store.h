// SessionStore: sign-in sessions and service tokens, which share one table
// (kind "session" or "token") because they are checked the same way: a
// bearer secret whose SHA-256 is looked up, that expires and can be revoked.
// The secret itself is never stored.
//
// Every row carries a version and an integrity tag (DataProtection) over
// everything that decides what the credential may do: its token hash, user,
// kind, name, role, times, idle limit, MFA state, source and revocation. A
// row whose tag does not match is refused on read (kDataLoss), so someone
// who can write to the database still cannot forge a credential, move one
// to another user or role, extend it or clear its revocation, except by
// putting back a row exactly as it was earlier. The last activity time is
// not covered: the session cache writes it in batches every few seconds,
// and the absolute lifetime, which is, bounds what changing it could gain.
//
// Methods run on a session the caller leased and throw what SOCI throws.
// Stateless apart from the protection it is given; safe to share between
// threads.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/data_protection.h"
#include "storage/sealed_table_checker.h"
#include "util/clock.h"
#include "util/result.h"

namespace th::access {

enum class CredentialKind { kSession, kToken };

struct SessionRecord {
  std::string id;
  std::string token_hash;  // hex SHA-256 of the bearer secret
  std::string user_id;
  CredentialKind kind = CredentialKind::kSession;
  std::string name;  // token name; empty for sessions
  std::string role;
  UnixMicros created_at = 0;
  UnixMicros last_seen_at = 0;
  int idle_timeout_seconds = 0;  // 0 for tokens: no idle limit
  UnixMicros expires_at = 0;     // absolute end of life
  bool mfa_verified = false;
  std::string source_address;
  UnixMicros revoked_at = 0;  // 0 while valid
  std::string revoked_reason;
  std::int64_t version = 1;  // raised by every tagged change

  bool revoked() const { return revoked_at != 0; }
};

class SessionStore {
 public:
  explicit SessionStore(storage::DataProtection& protection) : protection_(protection) {}

  // Stores a new credential at version 1 with its tag.
  void insert(soci::session& session, const SessionRecord& record);

  // kDataLoss when the row fails its integrity check; nullopt when there is
  // no such row.
  Result<std::optional<SessionRecord>> find_by_token_hash(soci::session& session,
                                                          const std::string& token_hash);
  Result<std::optional<SessionRecord>> find_by_id(soci::session& session, const std::string& id);
  // Both kinds, or only one; newest first. Revoked ones only when asked.
  // kDataLoss naming the first row that fails its integrity check.
  Result<std::vector<SessionRecord>> list(soci::session& session, const std::string& user_id,
                                          std::optional<CredentialKind> kind, bool include_revoked);

  // Marks a credential revoked; returns false when it was already revoked or
  // does not exist. A row that fails its integrity check is revoked all the
  // same but keeps its failing tag: it stays refused, and reported by the
  // integrity check, rather than being given a valid tag.
  bool revoke(soci::session& session, const std::string& id, const std::string& reason,
              UnixMicros now);
  // Revokes every live credential of a user (except keep_id, if given) and
  // returns their ids.
  std::vector<std::string> revoke_all_for_user(soci::session& session, const std::string& user_id,
                                               const std::string& reason, UnixMicros now,
                                               const std::string& keep_id = "");
  // The session passed MFA (enrolment during it). kNotFound for no such
  // session, kDataLoss for a row that fails its integrity check.
  Status mark_mfa_verified(soci::session& session, const std::string& id);
  // Activity recorded in batches by the session cache; never moves backwards.
  void record_activity(soci::session& session, const std::string& id, UnixMicros last_seen_at);

  // Tags the rows stored before sessions carried tags; returns how many.
  // Only for the one-time backfill (access/integrity_backfill.h).
  std::uint64_t tag_untagged_rows(soci::session& session);

  // How rows are stored, for the integrity check (storage/sealed_table_checker.h).
  static const storage::SealedTableLayout& layout();

 private:
  Result<std::optional<SessionRecord>> find_one(soci::session& session, const std::string& sql,
                                                const std::string& value);
  bool write_change(soci::session& session, const SessionRecord& changed);
  std::string tag(const SessionRecord& record) const;
  bool verifies(const SessionRecord& record, const std::string& tag) const;

  storage::DataProtection& protection_;
};

std::string_view credential_kind_name(CredentialKind kind);

}  // namespace th::access
