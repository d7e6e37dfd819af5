// SecurityEventLog: the changes every daemon sharing the database must learn
// of at once (a session revoked, a user disabled, a role changed), so that
// caches of credentials can be dropped without a database round trip per
// request. Rows only grow; each daemon remembers the last id it applied.
// On PostgreSQL, append() also sends NOTIFY on kSecurityChannel, so waiting
// daemons wake immediately; polling remains the fallback.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <string>
#include <vector>

#include "storage/database_url.h"
#include "util/clock.h"

namespace th::access {

inline constexpr const char* kSecurityChannel = "telehealthd_security";

enum class SecurityEventKind {
  kSessionRevoked,  // subject: session or token id
  kUserChanged,     // subject: user id (disabled, locked, role or password changed)
  kRoleChanged,     // subject: role name
};

struct SecurityEvent {
  std::int64_t id = 0;
  SecurityEventKind kind = SecurityEventKind::kSessionRevoked;
  std::string subject_id;
};

class SecurityEventLog {
 public:
  explicit SecurityEventLog(storage::Backend backend) : backend_(backend) {}

  // Appends inside the caller's transaction, so the event exists exactly
  // when the change it announces does.
  void append(soci::session& session, SecurityEventKind kind, const std::string& subject_id,
              UnixMicros now);

  std::vector<SecurityEvent> read_after(soci::session& session, std::int64_t after_id);
  std::int64_t last_id(soci::session& session);

 private:
  storage::Backend backend_;
};

}  // namespace th::access
