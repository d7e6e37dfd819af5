// AccessServices: the access-control stores and services of one daemon,
// built once at start-up and shared by every request thread (each member is
// thread-safe).
#pragma once

#include <memory>

#include "access/authentication_service.h"
#include "access/care_team_store.h"
#include "access/credential_cache.h"
#include "access/directory_service.h"
#include "access/emergency_store.h"
#include "access/patient_scope.h"
#include "access/patient_store.h"
#include "access/role_store.h"
#include "access/security_event_log.h"
#include "access/session_store.h"
#include "access/user_store.h"
#include "audit/audit_event.h"
#include "storage/data_protection.h"
#include "storage/database.h"

namespace th::server {

struct AccessServices {
  AccessServices(storage::Database& database, storage::DataProtection& protection,
                 audit::AuditSink& audit_sink, const Clock& clock,
                 const access::AuthSettings& auth_settings)
      : audit(audit_sink),
        settings(auth_settings),
        users(protection),
        patients(protection),
        roles(protection),
        sessions(protection),
        emergencies(protection),
        events(database.backend()),
        cache(database, users, sessions, roles, events, clock),
        authentication(database, users, sessions, roles, events, cache, audit_sink, clock,
                       auth_settings),
        directory(database, users, patients, roles, care_teams, sessions, emergencies, events,
                  cache, authentication, audit_sink, clock, settings),
        scope(care_teams, emergencies, clock) {}

  audit::AuditSink& audit;
  access::AuthSettings settings;
  access::UserStore users;
  access::PatientStore patients;
  access::RoleStore roles;
  access::CareTeamStore care_teams;
  access::SessionStore sessions;
  access::EmergencyStore emergencies;
  access::SecurityEventLog events;
  access::CredentialCache cache;
  access::AuthenticationService authentication;
  access::DirectoryService directory;
  access::PatientScope scope;
};

}  // namespace th::server
