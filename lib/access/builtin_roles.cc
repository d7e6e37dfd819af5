#include "access/builtin_roles.h"

namespace th::access {
namespace {

constexpr int kStaffIdleSeconds = 15 * 60;
constexpr int kPatientIdleSeconds = 30 * 60;

}  // namespace

const std::vector<RoleDefinition>& builtin_roles() {
  static const std::vector<RoleDefinition> roles = {
      {"patient",
       "A patient: their own record, visits and messages",
       {"patient.read", "appointment.read", "appointment.write", "message.read", "message.send",
        "document.read", "document.write"},
       false,
       kPatientIdleSeconds},
      {"clinician",
       "A licensed practitioner: clinical records of patients on their care team",
       {"patient.read", "patient.write", "patient.demographics", "note.read", "note.write",
        "note.sign", "message.read", "message.send", "document.read", "document.write",
        "appointment.read", "appointment.write", "schedule.manage", "emergency.access"},
       true,
       kStaffIdleSeconds},
      {"nurse",
       "Nursing staff: clinical records of patients on their care team, no signing",
       {"patient.read", "patient.write", "patient.demographics", "note.read", "note.write",
        "message.read", "message.send", "document.read", "document.write", "appointment.read",
        "appointment.write", "emergency.access"},
       true,
       kStaffIdleSeconds},
      {"front_desk",
       "Reception: demographics and schedules, no clinical content",
       {"patient.demographics", "patient.write", "appointment.read", "appointment.write",
        "schedule.manage"},
       true,
       kStaffIdleSeconds},
      {"billing",
       "Billing staff: demographics and claims, no clinical notes",
       {"patient.demographics", "billing.read", "billing.export"},
       true,
       kStaffIdleSeconds},
      {"compliance_officer",
       "Compliance: the audit trail, emergency-access review, breaches and agreements",
       {"audit.read", "audit.verify", "emergency.review", "breach.manage", "baa.manage",
        "integrity.check"},
       true,
       kStaffIdleSeconds},
      {"admin",
       "Administration: people, roles, care teams, sessions and tokens; no clinical data",
       {"user.manage", "role.manage", "careteam.manage", "session.manage", "token.manage",
        "system.status", "system.manage", "keys.manage"},
       true,
       kStaffIdleSeconds},
  };
  return roles;
}

}  // namespace th::access
