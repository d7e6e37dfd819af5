#include "access/security_event_log.h"

#include "storage/row_values.h"

namespace th::access {
namespace {

std::string kind_name(SecurityEventKind kind) {
  switch (kind) {
    case SecurityEventKind::kSessionRevoked:
      return "session_revoked";
    case SecurityEventKind::kUserChanged:
      return "user_changed";
    case SecurityEventKind::kRoleChanged:
      return "role_changed";
  }
  return "user_changed";
}

SecurityEventKind parse_kind(const std::string& name) {
  if (name == "session_revoked") {
    return SecurityEventKind::kSessionRevoked;
  }
  if (name == "role_changed") {
    return SecurityEventKind::kRoleChanged;
  }
  return SecurityEventKind::kUserChanged;
}

}  // namespace

void SecurityEventLog::append(soci::session& session, SecurityEventKind kind,
                              const std::string& subject_id, UnixMicros now) {
  const std::string name = kind_name(kind);
  session << "INSERT INTO security_events (kind, subject_id, created_at) "
             "VALUES (:kind, :subject, :now)",
      soci::use(name), soci::use(subject_id), soci::use(now);
  if (backend_ == storage::Backend::kPostgresql) {
    // Delivered when the transaction commits, and only then.
    const std::string channel = kSecurityChannel;
    session << "SELECT pg_notify(:channel, '')", soci::use(channel);
  }
}

std::vector<SecurityEvent> SecurityEventLog::read_after(soci::session& session,
                                                        std::int64_t after_id) {
  std::vector<SecurityEvent> events;
  const long long after = after_id;
  soci::rowset<soci::row> rows =
      (session.prepare << "SELECT id, kind, subject_id FROM security_events WHERE id > :after "
                          "ORDER BY id LIMIT 1000",
       soci::use(after));
  for (const soci::row& row : rows) {
    events.push_back(SecurityEvent{storage::column_int64(row, 0),
                                   parse_kind(row.get<std::string>(1)), row.get<std::string>(2)});
  }
  return events;
}

std::int64_t SecurityEventLog::last_id(soci::session& session) {
  long long id = 0;
  soci::indicator indicator = soci::i_ok;
  session << "SELECT MAX(id) FROM security_events", soci::into(id, indicator);
  return indicator == soci::i_ok ? id : 0;
}

}  // namespace th::access
