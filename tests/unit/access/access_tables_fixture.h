// AccessTablesTest: the base of tests of the access layer's stored rows. A
// ProtectedTestDatabase with the built-in roles installed, the patient,
// user and emergency-grant stores on its protection, and a scan of those
// tables as `thctl integrity check` runs it. Not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include "../storage/protected_test_database.h"
#include "access/emergency_store.h"
#include "access/patient_store.h"
#include "access/personal_tables.h"
#include "access/role_store.h"
#include "access/user_store.h"

namespace th::access {

class AccessTablesTest : public ::testing::Test {
 protected:
  AccessTablesTest()
      : patients_(db_.protection()), users_(db_.protection()), grants_(db_.protection()) {}

  void SetUp() override {
    ASSERT_TRUE(
        db_.database()
            .run_write_transaction([&](soci::session& session) {
              RoleStore(db_.protection()).install_builtin_roles(session, db_.clock().now_micros());
            })
            .ok());
  }

  storage::IntegrityReport scan() {
    storage::IntegrityScanner scanner(db_.database());
    register_personal_tables(scanner, db_.protection());
    auto report = scanner.scan();
    EXPECT_TRUE(report.ok()) << report.error().message();
    return report.ok() ? *report : storage::IntegrityReport{};
  }

  storage::ProtectedTestDatabase db_;
  PatientStore patients_;
  UserStore users_;
  EmergencyStore grants_;
};

}  // namespace th::access
