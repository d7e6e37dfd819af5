// Test helpers shared by the service tests: users and patients inserted
// through the real stores, and callers holding a built-in role's
// permissions. Header-only; each call runs its own write transaction.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "access/builtin_roles.h"
#include "access/caller.h"
#include "access/patient_store.h"
#include "access/user_store.h"
#include "crypto/uuid.h"
#include "storage/database.h"

namespace th::test_support {

// A signed-in user of `role` (a built-in role) with that role's permissions.
inline access::Caller caller_as(const std::string& role, const std::string& user_id,
                                const std::string& patient_id = "") {
  access::Caller caller;
  caller.principal.kind = access::PrincipalKind::kUser;
  caller.principal.user_id = user_id;
  caller.principal.role = role;
  caller.principal.patient_id = patient_id;
  for (const access::RoleDefinition& definition : access::builtin_roles()) {
    if (definition.name == role) {
      for (const std::string_view permission : definition.permissions) {
        caller.principal.permissions.insert(std::string(permission));
      }
    }
  }
  caller.request_id = "test-request";
  return caller;
}

// An active user; a patient user when patient_id is given. Returns the id.
inline std::string insert_user(storage::Database& database, access::UserStore& users,
                               const std::string& role, const std::string& patient_id,
                               UnixMicros now) {
  access::User user;
  user.id = crypto::new_uuid_v4();
  user.username = "user-" + user.id.substr(0, 8);
  user.email = user.username + "@example.org";
  user.role = role;
  user.kind = patient_id.empty() ? access::UserKind::kStaff : access::UserKind::kPatient;
  user.patient_id = patient_id;
  user.created_at = now;
  user.updated_at = now;
  EXPECT_TRUE(database
                  .run_write_transaction(
                      [&](soci::session& session) { return users.insert(session, user); })
                  .ok());
  return user.id;
}

// A patient record living in `state`. Returns the id.
inline std::string insert_patient(storage::Database& database, access::PatientStore& patients,
                                  const std::string& state, UnixMicros now) {
  access::Patient patient;
  patient.id = crypto::new_uuid_v4();
  patient.mrn = "MRN" + patient.id.substr(0, 8);
  patient.given_name = "Robin";
  patient.family_name = "Example";
  patient.birth_date = "1980-04-12";
  patient.sex = "unknown";
  patient.state = state;
  patient.created_at = now;
  patient.updated_at = now;
  EXPECT_TRUE(database
                  .run_write_transaction(
                      [&](soci::session& session) { return patients.insert(session, patient); })
                  .ok());
  return patient.id;
}

}  // namespace th::test_support
