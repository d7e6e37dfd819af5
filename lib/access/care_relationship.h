// CareRelationship: a way, other than membership of the care team, by which
// a staff member comes to care for a patient; for example being the
// practitioner of one of the patient's appointments (lib/scheduling). The
// patient scope treats such a relationship exactly like membership: the
// role still decides what may be done, the relationship only whom for.
//
// Upper layers implement it and register it with PatientScope at start-up,
// so access control need not know their tables. relates() reads on the
// caller's session (inside its transaction, if any) and throws what SOCI
// throws. Implementations are thread-safe.
#pragma once

#include <soci/soci.h>

#include <string>
#include <string_view>

namespace th::access {

class CareRelationship {
 public:
  virtual ~CareRelationship() = default;
  virtual bool relates(soci::session& session, const std::string& patient_id,
                       const std::string& user_id) = 0;
  // What the relationship is, for the audit trail ("appointment").
  virtual std::string_view name() const = 0;
};

}  // namespace th::access
