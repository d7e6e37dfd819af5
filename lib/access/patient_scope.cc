#include "access/patient_scope.h"

namespace th::access {

Result<ScopeDecision> PatientScope::decide(soci::session& session, const Principal& principal,
                                           const std::string& patient_id, PatientDataKind kind,
                                           std::string_view clinical_permission) {
  ScopeDecision decision;
  if (!principal.patient_id.empty()) {
    decision.allowed = principal.patient_id == patient_id;
    decision.denial_reason = "patients reach only their own record";
    return decision;
  }
  if (kind == PatientDataKind::kDemographics && principal.has_permission("patient.demographics")) {
    decision.allowed = true;
    return decision;
  }
  if (!principal.has_permission(clinical_permission)) {
    decision.denial_reason = "the role does not allow clinical access";
    return decision;
  }
  if (care_teams_.is_member(session, patient_id, principal.user_id)) {
    decision.allowed = true;
    return decision;
  }
  for (CareRelationship* relationship : relationships_) {
    if (relationship->relates(session, patient_id, principal.user_id)) {
      decision.allowed = true;
      decision.relationship = std::string(relationship->name());
      return decision;
    }
  }
  auto grant = emergencies_.active(session, principal.user_id, patient_id, clock_.now_micros());
  if (!grant.ok()) {
    return grant.error();
  }
  if (grant->has_value()) {
    decision.allowed = true;
    decision.emergency = true;
    decision.grant_id = (*grant)->id;
    return decision;
  }
  decision.denial_reason = "not on the patient's care team";
  return decision;
}

}  // namespace th::access
