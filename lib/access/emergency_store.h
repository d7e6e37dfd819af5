// EmergencyStore: break-glass grants. A grant lets one user reach one
// patient's records outside their care team for a limited time; it records
// the stated reason (sealed) and waits for a compliance review.
//
// Every row carries a version and an integrity tag over every column but
// the id, the version (bound by the tag on its own) and the tag: the sealed
// reason and review comment as stored, who and which patient, when it was
// granted and when it expires, and the review's state, reviewer and time.
// So an SQL edit cannot extend a grant, move it to another user or patient,
// or mark it reviewed; a row whose tag does not match (or is empty, once the
// one-time backfill of access/integrity_backfill.h has run) is refused on
// read with kDataLoss ("emergency grant ID failed its integrity check")
// before its sealed fields are opened.
//
// Methods run on a caller's session; thread-safe.
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
  std::int64_t version = 1;
};

class EmergencyStore {
 public:
  explicit EmergencyStore(storage::DataProtection& protection) : protection_(protection) {}

  Status insert(soci::session& session, const EmergencyGrant& grant);

  // How rows are stored, for the integrity check (storage/sealed_table_checker.h).
  static const storage::SealedTableLayout& layout();

  // Tags every grant whose tag is empty (rows from before tags existed) over
  // what it holds now, returning how many it tagged. Only for the one-time
  // backfill (access/integrity_backfill.h).
  Result<std::uint64_t> tag_untagged_rows(soci::session& session);

  // The grant in force for this user and patient at `now`, if any.
  Result<std::optional<EmergencyGrant>> active(soci::session& session, const std::string& user_id,
                                               const std::string& patient_id, UnixMicros now);
  Result<std::optional<EmergencyGrant>> find(soci::session& session, const std::string& id);
  // All grants, or only those still waiting for review; newest first.
  Result<std::vector<EmergencyGrant>> list(soci::session& session, bool pending_only);
  // kNotFound for no such grant, kFailedPrecondition when it was already
  // reviewed, kDataLoss when it fails its integrity check.
  Status review(soci::session& session, const std::string& id, const std::string& outcome,
                const std::string& reviewer, const std::string& comment, UnixMicros now);

 private:
  struct Sealed {
    std::string reason;
    std::string review_comment;
  };

  Result<Sealed> seal(const EmergencyGrant& grant);
  static storage::StoredFields tagged_fields(const EmergencyGrant& grant, const Sealed& sealed);
  static void read_clear_columns(const soci::row& row, EmergencyGrant& grant);
  Result<EmergencyGrant> decode(const soci::row& row);
  Result<std::vector<EmergencyGrant>> decode_all(soci::rowset<soci::row>& rows);

  storage::DataProtection& protection_;
};

}  // namespace th::access
