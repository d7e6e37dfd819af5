// SessionStore: sign-in sessions and service tokens, which share one table
// (kind "session" or "token") because they are checked the same way: a
// bearer secret whose SHA-256 is looked up, that expires and can be revoked.
// The secret itself is never stored.
//
// Methods run on a session the caller leased and throw what SOCI throws.
// Stateless; safe to share between threads.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

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

  bool revoked() const { return revoked_at != 0; }
};

class SessionStore {
 public:
  void insert(soci::session& session, const SessionRecord& record);
  std::optional<SessionRecord> find_by_token_hash(soci::session& session,
                                                  const std::string& token_hash);
  std::optional<SessionRecord> find_by_id(soci::session& session, const std::string& id);
  // Both kinds, or only one; newest first. Revoked ones only when asked.
  std::vector<SessionRecord> list(soci::session& session, const std::string& user_id,
                                  std::optional<CredentialKind> kind, bool include_revoked);

  // Marks a credential revoked; returns false when it was already revoked or
  // does not exist.
  bool revoke(soci::session& session, const std::string& id, const std::string& reason,
              UnixMicros now);
  // Revokes every live credential of a user (except keep_id, if given) and
  // returns their ids.
  std::vector<std::string> revoke_all_for_user(soci::session& session, const std::string& user_id,
                                               const std::string& reason, UnixMicros now,
                                               const std::string& keep_id = "");
  // Activity recorded in batches by the session cache; never moves backwards.
  void record_activity(soci::session& session, const std::string& id, UnixMicros last_seen_at);
};

std::string_view credential_kind_name(CredentialKind kind);

}  // namespace th::access
