// EmergencyStore: break-glass grants. A grant lets one user reach one
// patient's records outside their care team for a limited time; it records
// the stated reason (sealed) and waits for a compliance review.
// Methods run on a caller's session; thread-safe.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "storage/data_protection.h"
#include "storage/sealed_table_checker.h"
#include "util/clock.h"
#include "util/result.h"

namespace th::access {

struct EmergencyGrant {
  std::string id;
  std::string user_id;
  std::string patient_id;
  std::string reason;
  UnixMicros granted_at = 0;
  UnixMicros expires_at = 0;
  std::string review_state = "pending";  // pending, justified, unjustified
  std::string reviewed_by;
  UnixMicros reviewed_at = 0;
  std::string review_comment;
};

class EmergencyStore {
 public:
  explicit EmergencyStore(storage::DataProtection& protection) : protection_(protection) {}

  Status insert(soci::session& session, const EmergencyGrant& grant);

  // How rows are stored, for the integrity check: the reason and the review
  // comment are sealed; grants carry no integrity tag.
  static const storage::SealedTableLayout& layout();

  // The grant in force for this user and patient at `now`, if any.
  Result<std::optional<EmergencyGrant>> active(soci::session& session, const std::string& user_id,
                                               const std::string& patient_id, UnixMicros now);
  Result<std::optional<EmergencyGrant>> find(soci::session& session, const std::string& id);
  // All grants, or only those still waiting for review; newest first.
  Result<std::vector<EmergencyGrant>> list(soci::session& session, bool pending_only);
  // kFailedPrecondition when the grant was already reviewed.
  Status review(soci::session& session, const std::string& id, const std::string& outcome,
                const std::string& reviewer, const std::string& comment, UnixMicros now);

 private:
  Result<EmergencyGrant> decode(const soci::row& row);
  Result<std::vector<EmergencyGrant>> decode_all(soci::rowset<soci::row>& rows);

  storage::DataProtection& protection_;
};

}  // namespace th::access
