// SchedulingFixture: the scheduling services over a fresh SQLite database
// file with the project's schema, a manual clock, values stored in the clear
// (PlainProtection) and an audit sink that keeps what it is given. Staff,
// patients and practitioners are inserted through the real stores. The
// clock starts on Monday 2 March 2026 at 08:00 UTC.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../storage/plain_protection.h"
#include "../support/test_people.h"
#include "access/builtin_roles.h"
#include "access/care_team_store.h"
#include "access/emergency_store.h"
#include "access/patient_scope.h"
#include "access/patient_store.h"
#include "access/role_store.h"
#include "access/user_store.h"
#include "crypto/uuid.h"
#include "scheduling/scheduling_services.h"
#include "storage/database.h"
#include "storage/migration.h"

namespace th::scheduling {

inline UnixMicros at(std::string_view rfc3339) {
  auto parsed = parse_rfc3339(rfc3339);
  EXPECT_TRUE(parsed.ok()) << rfc3339;
  return parsed.ok() ? *parsed : 0;
}

class RecordingAuditSink final : public audit::AuditSink {
 public:
  Status record(audit::AuditEvent event) override {
    std::lock_guard lock(mutex_);
    if (failing_) {
      return Error(ErrorCode::kUnavailable, "audit log unavailable");
    }
    events_.push_back(std::move(event));
    return ok_status();
  }
  std::vector<audit::AuditEvent> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  void set_failing(bool failing) {
    std::lock_guard lock(mutex_);
    failing_ = failing;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<audit::AuditEvent> events_;
  bool failing_ = false;
};

class SchedulingFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "th_sched_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
    storage::DatabaseOptions options;
    options.url = "sqlite://" + directory_ + "/telehealth.db";
    options.pool_size = 8;
    options.acquire_timeout_ms = 20000;
    auto opened = storage::Database::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    database_ = std::move(*opened);
    ASSERT_TRUE(storage::migrate(*database_, storage::schema_migrations(), clock_).ok());
    ASSERT_TRUE(
        database_
            ->run_write_transaction([&](soci::session& session) {
              access::RoleStore(protection_).install_builtin_roles(session, clock_.now_micros());
            })
            .ok());
    services_ = std::make_unique<SchedulingServices>(*database_, protection_, users_, patients_,
                                                     scope_, audit_, clock_, settings_);
  }

  void TearDown() override {
    services_.reset();
    database_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }

  std::string add_user(const std::string& role, const std::string& patient_id = "") {
    return test_support::insert_user(*database_, users_, role, patient_id, clock_.now_micros());
  }

  std::string add_patient(const std::string& state) {
    return test_support::insert_patient(*database_, patients_, state, clock_.now_micros());
  }

  // A clinician licensed in `states`, available Monday to Friday 09:00 to
  // 17:00 in `zone`, with 20-minute slots.
  std::string add_practitioner(const std::string& states = "OR,WA",
                               const std::string& zone = "UTC") {
    const std::string id = add_user("clinician");
    Practitioner profile;
    profile.npi = next_npi();
    profile.license_states = parse_license_states(states);
    profile.time_zone = zone;
    profile.slot_minutes = 20;
    EXPECT_TRUE(services_->schedule.put_practitioner(id, profile, operator_caller()).ok());
    std::vector<WeeklyRule> rules;
    for (int day = 1; day <= 5; ++day) {
      rules.push_back(WeeklyRule{day, 9 * 60, 17 * 60});
    }
    EXPECT_TRUE(
        services_->schedule.set_weekly_rules(id, rules, std::nullopt, operator_caller()).ok());
    return id;
  }

  static access::Caller caller_as(const std::string& role, const std::string& user_id,
                                  const std::string& patient_id = "") {
    return test_support::caller_as(role, user_id, patient_id);
  }

  static access::Caller operator_caller() {
    access::Caller caller;
    caller.principal = access::make_local_operator(0);
    return caller;
  }

  access::Caller front_desk() { return caller_as("front_desk", front_desk_id_); }

  BookingRequest booking(const std::string& practitioner, const std::string& patient,
                         std::string_view start, const std::string& type = "follow_up") {
    BookingRequest request;
    request.practitioner_id = practitioner;
    request.patient_id = patient;
    request.visit_type = type;
    request.starts_at = at(start);
    request.reason = "persistent cough";
    return request;
  }

  std::string next_npi() {
    // A fresh valid NPI: a counter's nine digits and the check digit that fits.
    for (;;) {
      const std::string body = std::to_string(100000000 + npi_counter_++);
      for (char check = '0'; check <= '9'; ++check) {
        if (is_valid_npi(body + check)) {
          return body + check;
        }
      }
    }
  }

  ManualClock clock_{at("2026-03-02T08:00:00Z")};
  storage::PlainProtection protection_;
  RecordingAuditSink audit_;
  access::UserStore users_{protection_};
  access::PatientStore patients_{protection_};
  access::CareTeamStore care_teams_;
  access::EmergencyStore emergencies_{protection_};
  access::PatientScope scope_{care_teams_, emergencies_, clock_};
  SchedulingSettings settings_;
  std::string directory_;
  std::unique_ptr<storage::Database> database_;
  std::unique_ptr<SchedulingServices> services_;
  std::string front_desk_id_ = "front-desk-user";
  int npi_counter_ = 0;
};

}  // namespace th::scheduling
