// PatientScope: "minimum necessary" decisions about one patient's data.
//
//   - a patient reaches only their own record;
//   - clinical content needs patient.read AND membership of the patient's
//     care team (or a care relationship registered with add_relationship(),
//     such as being the practitioner of one of their appointments), or an
//     emergency grant in force (which marks the access);
//   - demographics need patient.demographics (front desk, billing), or the
//     clinical right above;
//   - other clinical data kept per patient (documents) takes the same
//     relationship check under its own permission (document.read,
//     document.write) in place of patient.read.
// The role check (does the principal hold the permission at all) is the
// router's; this is the relationship check that follows it.
// Relationships are registered at start-up, before the scope is shared;
// after that it is read-only and thread-safe.
#pragma once

#include <soci/soci.h>

#include <string>
#include <vector>

#include "access/care_relationship.h"
#include "access/care_team_store.h"
#include "access/emergency_store.h"
#include "access/principal.h"
#include "util/clock.h"
#include "util/result.h"

namespace th::access {

enum class PatientDataKind { kClinical, kDemographics };

struct ScopeDecision {
  bool allowed = false;
  bool emergency = false;     // allowed only through a break-glass grant
  std::string grant_id;       // that grant
  std::string relationship;   // the CareRelationship that allowed it, when one did
  std::string denial_reason;  // for the audit trail when not allowed
};

class PatientScope {
 public:
  PatientScope(CareTeamStore& care_teams, EmergencyStore& emergencies, const Clock& clock)
      : care_teams_(care_teams), emergencies_(emergencies), clock_(clock) {}

  // Also counts `relationship` as membership of the care team. Not
  // thread-safe: call during start-up only. The relationship must outlive
  // the scope.
  void add_relationship(CareRelationship& relationship) { relationships_.push_back(&relationship); }

  // `clinical_permission` is the right a clinical access needs besides the
  // relationship: patient.read for the record itself.
  Result<ScopeDecision> decide(soci::session& session, const Principal& principal,
                               const std::string& patient_id, PatientDataKind kind,
                               std::string_view clinical_permission = "patient.read");

 private:
  CareTeamStore& care_teams_;
  EmergencyStore& emergencies_;
  const Clock& clock_;
  std::vector<CareRelationship*> relationships_;
};

}  // namespace th::access
