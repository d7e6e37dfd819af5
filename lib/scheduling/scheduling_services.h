// SchedulingServices: the scheduling stores and services of one daemon,
// wired together, built once at start-up over the access-control stores and
// shared by every request thread (each member is thread-safe). Building it
// registers the appointment relationship with the patient scope, so it must
// happen before requests are served; observers and queue publishers are
// added to `observers` at the same time (the invitation service is one:
// a cancelled visit revokes its guests' links).
#pragma once

#include "access/patient_scope.h"
#include "access/patient_store.h"
#include "access/user_store.h"
#include "audit/audit_event.h"
#include "scheduling/appointment_access.h"
#include "scheduling/appointment_relationship.h"
#include "scheduling/appointment_service.h"
#include "scheduling/appointment_store.h"
#include "scheduling/appointment_updater.h"
#include "scheduling/availability_store.h"
#include "scheduling/guest_invitation_store.h"
#include "scheduling/invitation_service.h"
#include "scheduling/practitioner_store.h"
#include "scheduling/schedule_calendar.h"
#include "scheduling/schedule_service.h"
#include "scheduling/scheduling_observers.h"
#include "scheduling/scheduling_settings.h"
#include "scheduling/visit_service.h"
#include "scheduling/visit_type_store.h"
#include "storage/data_protection.h"
#include "storage/database.h"

namespace th::scheduling {

struct SchedulingServices {
  SchedulingServices(storage::Database& database, storage::DataProtection& protection,
                     access::UserStore& users, access::PatientStore& patients,
                     access::PatientScope& scope, audit::AuditSink& audit, const Clock& clock,
                     SchedulingSettings scheduling_settings)
      : settings(scheduling_settings),
        appointments(protection),
        calendar(availability),
        relationship(appointments),
        access(scope),
        updater(database, appointments, access, observers, audit, clock),
        schedule({database, practitioners, visit_types, availability, appointments, calendar, users,
                  patients, audit, clock, settings}),
        bookings({database, appointments, practitioners, visit_types, calendar, patients, access,
                  updater, observers, audit, clock, settings}),
        visits({database, appointments, practitioners, access, updater, audit, clock, settings}),
        invitation_store(protection),
        invitations({database, appointments, practitioners, invitation_store, access, audit, clock,
                     settings}) {
    scope.add_relationship(relationship);
    observers.add(invitations);
  }
  SchedulingServices(const SchedulingServices&) = delete;
  SchedulingServices& operator=(const SchedulingServices&) = delete;

  SchedulingSettings settings;
  SchedulingObservers observers;
  PractitionerStore practitioners;
  VisitTypeStore visit_types;
  AvailabilityStore availability;
  AppointmentStore appointments;
  ScheduleCalendar calendar;
  AppointmentRelationship relationship;
  AppointmentAccess access;
  AppointmentUpdater updater;
  ScheduleService schedule;
  AppointmentService bookings;
  VisitService visits;
  GuestInvitationStore invitation_store;
  InvitationService invitations;
};

}  // namespace th::scheduling
