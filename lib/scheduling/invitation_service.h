// InvitationService: extra participants of a video visit. Up to
// kMaxGuestsPerVisit people (a family member, a caregiver, an interpreter)
// are invited by email to one appointment; each gets a single-use link
// secret (256 random bits, stored hashed) that expires at the visit's end
// plus a configurable grace. Redeeming it gives a short guest session that
// reaches that one visit and nothing else.
//
//   invite    the patient, the practitioner, staff holding schedule.manage
//             (front desk) or clinical staff in the patient's scope; not for
//             a visit that is over, cancelled or past its link grace. The
//             email is queued in the same transaction (InvitationNotices);
//             the secret is in no reply.
//   list      whoever can view the appointment; the invitees' emails are
//             personal data: the listing waits for its audit event.
//   revoke    as invite; also revokes the guest sessions it gave. A
//             cancelled visit revokes all of its invitations in the
//             cancellation's own transaction (the observer below).
//   redeem    anonymous, with the secret from the email. Refusals (unknown,
//             used, revoked, expired) look alike to the caller and are told
//             apart in the audit trail. Single use holds in the database,
//             across daemons.
//
// Every call is audited (invite, revoke, redeem, read), refusals included.
// Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "access/caller.h"
#include "access/guest_credentials.h"
#include "audit/audit_event.h"
#include "scheduling/appointment_access.h"
#include "scheduling/appointment_events.h"
#include "scheduling/appointment_store.h"
#include "scheduling/guest_invitation_store.h"
#include "scheduling/invitation_notices.h"
#include "scheduling/practitioner_store.h"
#include "scheduling/scheduling_settings.h"
#include "storage/database.h"

namespace th::scheduling {

struct NewInvitation {
  std::string email;
  std::string relationship;  // family_member, caregiver or interpreter
};

// A redeemed link: the guest session's secret (shown once) and its grant.
struct GuestSession {
  std::string secret;
  GuestGrant grant;
};

// What a guest may know of their visit: when, and with whom.
struct GuestVisit {
  std::string appointment_id;
  UnixMicros starts_at = 0;
  UnixMicros ends_at = 0;
  std::string practitioner_name;
};

struct InvitationServiceDeps {
  storage::Database& database;
  AppointmentStore& appointments;
  PractitionerStore& practitioners;
  GuestInvitationStore& invitations;
  AppointmentAccess& access;
  audit::AuditSink& audit;
  const Clock& clock;
  const SchedulingSettings& settings;
};

class InvitationService final : public access::GuestCredentials, public AppointmentEvents {
 public:
  explicit InvitationService(InvitationServiceDeps deps) : deps_(deps) {}

  // Where invitation emails go; set once at start-up, before serving. With
  // none set, invitations are stored but no email is sent.
  void set_notices(InvitationNotices* notices) { notices_ = notices; }

  // kNotFound for an appointment the caller cannot see; kPermissionDenied
  // for one they may see but not invite to; kInvalidArgument for a bad
  // email or relationship; kFailedPrecondition for a visit that is over,
  // cancelled, or has kMaxGuestsPerVisit guests already.
  Result<GuestInvitation> invite(const std::string& appointment_id, const NewInvitation& request,
                                 const access::Caller& caller);
  Result<std::vector<GuestInvitation>> list(const std::string& appointment_id,
                                            const access::Caller& caller);
  // kNotFound also for an invitation of another visit; kFailedPrecondition
  // for one revoked already.
  Status revoke(const std::string& appointment_id, const std::string& invitation_id,
                const access::Caller& caller);

  // kUnauthenticated "invalid_guest_link" for every refusal.
  Result<GuestSession> redeem(std::string_view link_secret, const access::Caller& caller);

  // The guest's own visit; audited as a read of the visit's patient.
  Result<GuestVisit> guest_visit(const access::Caller& caller);

  // Whether a live guest session may enter the room of `appointment_id`:
  // the check the real-time hub makes. kUnauthenticated for a dead
  // session, kPermissionDenied for another visit's.
  Result<GuestGrant> grant_for(std::string_view session_secret, const std::string& appointment_id);

  // access::GuestCredentials
  Result<access::Principal> authenticate_guest(std::string_view secret) override;
  Result<access::Principal> authenticate_guest_hash(const std::string& secret_hash) override;

  // AppointmentEvents: a cancelled visit's invitations are revoked with it.
  Status on_change_pending(soci::session& session, const AppointmentChange& change) override;
  void on_change_committed(const AppointmentChange& change) override;

 private:
  Result<Appointment> load_appointment(soci::session& session, const std::string& id);
  // The appointment, once the caller may see it (else kNotFound, as if it
  // did not exist, with `hidden` set) and, when `manage`, may invite to and
  // revoke from it (else kPermissionDenied). Fills the event's patient and,
  // on a refusal, its reason.
  Result<Appointment> guarded_appointment(soci::session& session, const std::string& id,
                                          const access::Caller& caller, bool manage,
                                          audit::AuditEvent& event, bool& hidden);
  Result<AccessDecision> may_invite(soci::session& session, const access::Principal& principal,
                                    const Appointment& appointment);
  std::string practitioner_name(soci::session& session, const std::string& practitioner_id);
  Result<InvitationNotice> notice_for(soci::session& session, const Appointment& appointment,
                                      const GuestInvitation& invitation, const std::string& secret);
  Result<GuestGrant> live_grant(std::string_view session_secret);
  Result<GuestGrant> live_grant_by_hash(const std::string& hash);

  InvitationServiceDeps deps_;
  InvitationNotices* notices_ = nullptr;

  // Invitations revoked by a cancellation, between its pending and
  // committed calls, keyed by appointment id and version.
  std::mutex cancelled_mutex_;
  std::map<std::string, std::vector<std::string>> revoked_by_cancellation_;
};

}  // namespace th::scheduling
