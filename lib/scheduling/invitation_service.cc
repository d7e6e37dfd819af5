#include "scheduling/invitation_service.h"

#include <algorithm>

#include "access/credential_cache.h"
#include "crypto/constant_time.h"
#include "crypto/random.h"
#include "crypto/uuid.h"
#include "scheduling/scheduling_audit.h"

namespace th::scheduling {
namespace {

constexpr std::string_view kResource = "visit_invitation";
constexpr std::string_view kCancelledReason = "visit cancelled";

// Every refusal of a link reads the same to the caller: whether a link
// exists, was used or was revoked is for the audit trail alone.
Error invalid_link() {
  return Error(ErrorCode::kUnauthenticated, "invalid_guest_link: this guest link is not valid");
}

Error no_appointment(const std::string& id) {
  return Error(ErrorCode::kNotFound, "no appointment '" + id + "'");
}

bool visit_is_over(const Appointment& appointment) {
  return appointment.status == AppointmentStatus::kCompleted ||
         appointment.status == AppointmentStatus::kCancelled ||
         appointment.status == AppointmentStatus::kNoShow;
}

constexpr bool kManageGuests = true;
constexpr bool kViewOnly = false;

UnixMicros minutes(int count) {
  return static_cast<UnixMicros>(count) * 60 * 1'000'000;
}

}  // namespace

// ---- helpers ----

Result<Appointment> InvitationService::load_appointment(soci::session& session,
                                                        const std::string& id) {
  auto stored = deps_.appointments.find(session, id);
  if (!stored.ok()) {
    return stored.error();
  }
  if (!stored->has_value()) {
    return no_appointment(id);
  }
  return std::move(**stored);
}

// The patient, the front desk (schedule.manage), the practitioner, or
// clinical staff in the patient's scope: the rights to manage the visit or
// to run it.
Result<AccessDecision> InvitationService::may_invite(soci::session& session,
                                                     const access::Principal& principal,
                                                     const Appointment& appointment) {
  auto manage = deps_.access.decide(session, principal, appointment, AppointmentRight::kManage);
  if (!manage.ok() || manage->allowed) {
    return manage;
  }
  if (AppointmentAccess::is_patient(principal)) {
    return manage;
  }
  auto run = deps_.access.decide(session, principal, appointment, AppointmentRight::kRun);
  if (run.ok() && !run->allowed) {
    run->reason = "inviting guests needs schedule.manage or the patient's clinical scope";
  }
  return run;
}

Result<Appointment> InvitationService::guarded_appointment(soci::session& session,
                                                           const std::string& id,
                                                           const access::Caller& caller,
                                                           bool manage, audit::AuditEvent& event,
                                                           bool& hidden) {
  auto appointment = load_appointment(session, id);
  if (!appointment.ok()) {
    return appointment.error();
  }
  event.patient_id = appointment->patient_id;
  auto view = deps_.access.decide(session, caller.principal, *appointment, AppointmentRight::kView);
  if (!view.ok()) {
    return view.error();
  }
  if (!view->allowed) {
    hidden = true;
    event.reason = view->reason;
    return no_appointment(id);
  }
  if (!manage) {
    return appointment;
  }
  auto decision = may_invite(session, caller.principal, *appointment);
  if (!decision.ok()) {
    return decision.error();
  }
  if (!decision->allowed) {
    event.reason = decision->reason;
    return Error(ErrorCode::kPermissionDenied, decision->reason);
  }
  return appointment;
}

// The practitioner's name as reminders give it: their profile's display
// name, or "your clinician".
std::string InvitationService::practitioner_name(soci::session& session,
                                                 const std::string& practitioner_id) {
  const auto practitioner = deps_.practitioners.find(session, practitioner_id);
  return practitioner && !practitioner->display_name.empty() ? practitioner->display_name
                                                             : std::string("your clinician");
}

Result<InvitationNotice> InvitationService::notice_for(soci::session& session,
                                                       const Appointment& appointment,
                                                       const GuestInvitation& invitation,
                                                       const std::string& secret) {
  InvitationNotice notice;
  notice.invitation_id = invitation.id;
  notice.appointment_id = appointment.id;
  notice.patient_id = appointment.patient_id;
  notice.relationship = invitation.relationship;
  notice.recipient = invitation.email;
  notice.link_secret = secret;
  notice.starts_at = appointment.starts_at;
  notice.ends_at = appointment.ends_at;
  notice.expires_at = invitation.expires_at;
  notice.practitioner_id = appointment.practitioner_id;
  notice.practitioner_name = practitioner_name(session, appointment.practitioner_id);
  const auto practitioner = deps_.practitioners.find(session, appointment.practitioner_id);
  notice.practitioner_time_zone = practitioner ? practitioner->time_zone : "UTC";
  return notice;
}

// ---- invite, list, revoke ----

Result<GuestInvitation> InvitationService::invite(const std::string& appointment_id,
                                                  const NewInvitation& request,
                                                  const access::Caller& caller) {
  audit::AuditEvent event = caller.event("invite", std::string(kResource));
  bool hidden = false;
  auto relationship = parse_guest_relationship(request.relationship);
  const Status valid =
      relationship.ok() ? validate_guest_email(request.email) : Status(relationship.error());
  if (!valid.ok()) {
    mark_failure(event, valid.error(), false);
    (void)deps_.audit.record(std::move(event));
    return valid.error();
  }

  const UnixMicros now = deps_.clock.now_micros();
  auto invited =
      deps_.database.run_write_transaction([&](soci::session& session) -> Result<GuestInvitation> {
        // Lock the appointment's row first (a write that changes nothing), so
        // that invitations racing for its last guest place run one at a time.
        session << "UPDATE appointments SET id = id WHERE id = :id", soci::use(appointment_id);
        auto appointment =
            guarded_appointment(session, appointment_id, caller, kManageGuests, event, hidden);
        if (!appointment.ok()) {
          return appointment.error();
        }
        const UnixMicros expires_at =
            appointment->ends_at + minutes(deps_.settings.guest_link_grace_minutes);
        if (visit_is_over(*appointment) || now >= expires_at) {
          return Error(ErrorCode::kFailedPrecondition, "the visit is over or cancelled");
        }
        auto existing = deps_.invitations.list_for_appointment(session, appointment_id);
        if (!existing.ok()) {
          return existing.error();
        }
        const auto places = std::ranges::count_if(
            *existing, [&](const GuestInvitation& other) { return other.holds_place_at(now); });
        if (places >= kMaxGuestsPerVisit) {
          return Error(ErrorCode::kFailedPrecondition,
                       "a visit takes at most " + std::to_string(kMaxGuestsPerVisit) + " guests");
        }

        GuestInvitation invitation;
        invitation.id = crypto::new_uuid_v4();
        invitation.appointment_id = appointment_id;
        invitation.patient_id = appointment->patient_id;
        invitation.relationship = *relationship;
        invitation.email = request.email;
        invitation.expires_at = expires_at;
        invitation.created_by = actor_of(caller);
        invitation.created_at = now;
        const std::string secret = crypto::random_token();
        TH_RETURN_IF_ERROR(
            deps_.invitations.insert(session, invitation, access::hash_bearer_secret(secret)));
        if (notices_ != nullptr) {
          auto notice = notice_for(session, *appointment, invitation, secret);
          if (!notice.ok()) {
            return notice.error();
          }
          TH_RETURN_IF_ERROR(notices_->queue(session, *notice));
        }
        return invitation;
      });
  if (!invited.ok()) {
    mark_failure(event, invited.error(), hidden);
    (void)deps_.audit.record(std::move(event));
    return invited.error();
  }
  event.resource_id = invited->id;
  event.reason = "relationship " + std::string(guest_relationship_name(invited->relationship));
  TH_RETURN_IF_ERROR(deps_.audit.record(std::move(event)));
  if (notices_ != nullptr) {
    notices_->after_commit();
  }
  return invited;
}

Result<std::vector<GuestInvitation>> InvitationService::list(const std::string& appointment_id,
                                                             const access::Caller& caller) {
  audit::AuditEvent event = caller.event("search", std::string(kResource));
  bool hidden = false;
  auto listed =
      deps_.database.run([&](soci::session& session) -> Result<std::vector<GuestInvitation>> {
        auto appointment =
            guarded_appointment(session, appointment_id, caller, kViewOnly, event, hidden);
        if (!appointment.ok()) {
          return appointment.error();
        }
        return deps_.invitations.list_for_appointment(session, appointment_id);
      });
  if (!listed.ok()) {
    mark_failure(event, listed.error(), hidden);
    (void)deps_.audit.record(std::move(event));
    return listed.error();
  }
  event.resource_id = appointment_id;
  TH_RETURN_IF_ERROR(deps_.audit.record(std::move(event)));
  return listed;
}

Status InvitationService::revoke(const std::string& appointment_id,
                                 const std::string& invitation_id, const access::Caller& caller) {
  audit::AuditEvent event = caller.event("revoke", std::string(kResource), invitation_id);
  bool hidden = false;
  const UnixMicros now = deps_.clock.now_micros();
  const Status revoked =
      deps_.database.run_write_transaction([&](soci::session& session) -> Status {
        auto appointment =
            guarded_appointment(session, appointment_id, caller, kManageGuests, event, hidden);
        if (!appointment.ok()) {
          return appointment.error();
        }
        auto invitation = deps_.invitations.find(session, invitation_id);
        if (!invitation.ok()) {
          return invitation.error();
        }
        if (!invitation->has_value() || (*invitation)->appointment_id != appointment_id) {
          return Error(ErrorCode::kNotFound, "no invitation '" + invitation_id + "' to this visit");
        }
        if (!deps_.invitations.revoke(session, invitation_id, actor_of(caller), "revoked", now)) {
          return Error(ErrorCode::kFailedPrecondition, "the invitation was revoked already");
        }
        return notices_ != nullptr ? notices_->withdraw(session, invitation_id) : ok_status();
      });
  if (!revoked.ok()) {
    mark_failure(event, revoked.error(), hidden);
    (void)deps_.audit.record(std::move(event));
    return revoked;
  }
  (void)deps_.audit.record(std::move(event));
  return ok_status();
}

// ---- redeem and the guest session ----

Result<GuestSession> InvitationService::redeem(std::string_view link_secret,
                                               const access::Caller& caller) {
  audit::AuditEvent event = caller.event("redeem", std::string(kResource));
  const UnixMicros now = deps_.clock.now_micros();
  const std::string hash = access::hash_bearer_secret(link_secret);
  std::string refusal;  // why, for the audit trail; empty on success
  GuestSession guest;
  auto redeemed = deps_.database.run_write_transaction([&](soci::session& session) -> Status {
    refusal.clear();
    auto found = deps_.invitations.find_by_secret_hash(session, hash);
    if (!found.ok()) {
      return found.error();
    }
    if (!found->has_value() || !crypto::constant_time_equal((*found)->secret_hash, hash)) {
      refusal = "unknown link";
      return invalid_link();
    }
    const GuestInvitation& invitation = (*found)->record;
    event.resource_id = invitation.id;
    event.patient_id = invitation.patient_id;
    if (invitation.status != InvitationStatus::kPending) {
      refusal = invitation.status == InvitationStatus::kRedeemed ? "already redeemed" : "revoked";
      return invalid_link();
    }
    if (now >= invitation.expires_at) {
      refusal = "expired";
      return invalid_link();
    }
    auto appointment = load_appointment(session, invitation.appointment_id);
    if (!appointment.ok()) {
      return appointment.error();
    }
    if (visit_is_over(*appointment)) {
      refusal = "visit over or cancelled";
      return invalid_link();
    }
    // Single use, decided by the database: of two racing redemptions only
    // one moves the row out of pending.
    if (!deps_.invitations.claim_redemption(session, invitation.id, now)) {
      refusal = "already redeemed";
      return invalid_link();
    }
    guest.secret = std::string(access::kGuestSessionPrefix) + crypto::random_token();
    guest.grant.session_id = crypto::new_uuid_v4();
    guest.grant.invitation_id = invitation.id;
    guest.grant.appointment_id = invitation.appointment_id;
    guest.grant.relationship = invitation.relationship;
    guest.grant.created_at = now;
    guest.grant.expires_at =
        std::min(invitation.expires_at, now + minutes(deps_.settings.guest_session_minutes));
    deps_.invitations.insert_grant(session, guest.grant, access::hash_bearer_secret(guest.secret));
    return ok_status();
  });
  if (!redeemed.ok()) {
    event.outcome = refusal.empty() ? audit::AuditOutcome::kError : audit::AuditOutcome::kDenied;
    event.reason =
        refusal.empty() ? std::string(error_code_name(redeemed.error().code())) : refusal;
    (void)deps_.audit.record(std::move(event));
    return redeemed.error();
  }
  event.session_id = guest.grant.session_id;
  event.reason = "guest session " + guest.grant.session_id;
  // The session secret leaves only once the redemption is on record.
  TH_RETURN_IF_ERROR(deps_.audit.record(std::move(event)));
  return guest;
}

Result<GuestGrant> InvitationService::live_grant(std::string_view session_secret) {
  if (!session_secret.starts_with(access::kGuestSessionPrefix)) {
    return Error(ErrorCode::kUnauthenticated, "invalid_token: not a guest session");
  }
  return live_grant_by_hash(access::hash_bearer_secret(session_secret));
}

Result<GuestGrant> InvitationService::live_grant_by_hash(const std::string& hash) {
  const UnixMicros now = deps_.clock.now_micros();
  return deps_.database.run([&](soci::session& session) -> Result<GuestGrant> {
    auto found = deps_.invitations.find_grant_by_secret_hash(session, hash);
    if (!found || !crypto::constant_time_equal(found->secret_hash, hash)) {
      return Error(ErrorCode::kUnauthenticated, "invalid_token: unknown guest session");
    }
    if (found->record.revoked_at != 0) {
      return Error(ErrorCode::kUnauthenticated, "session_revoked: the invitation was revoked");
    }
    if (now >= found->record.expires_at) {
      return Error(ErrorCode::kUnauthenticated, "session_expired: the guest session has ended");
    }
    return found->record;
  });
}

Result<access::Principal> InvitationService::authenticate_guest(std::string_view secret) {
  if (!secret.starts_with(access::kGuestSessionPrefix)) {
    return Error(ErrorCode::kUnauthenticated, "invalid_token: not a guest session");
  }
  return authenticate_guest_hash(access::hash_bearer_secret(secret));
}

Result<access::Principal> InvitationService::authenticate_guest_hash(
    const std::string& secret_hash) {
  auto grant = live_grant_by_hash(secret_hash);
  if (!grant.ok()) {
    return grant.error();
  }
  access::Principal principal;
  principal.kind = access::PrincipalKind::kGuest;
  principal.role = "guest";
  principal.session_id = grant->session_id;
  principal.guest_appointment_id = grant->appointment_id;
  return principal;
}

Result<GuestGrant> InvitationService::grant_for(std::string_view session_secret,
                                                const std::string& appointment_id) {
  auto grant = live_grant(session_secret);
  if (!grant.ok()) {
    return grant.error();
  }
  if (grant->appointment_id != appointment_id) {
    return Error(ErrorCode::kPermissionDenied, "this guest session is for another visit");
  }
  return grant;
}

Result<GuestVisit> InvitationService::guest_visit(const access::Caller& caller) {
  const std::string& id = caller.principal.guest_appointment_id;
  audit::AuditEvent event = caller.event("read", "guest_visit", id);
  if (caller.principal.kind != access::PrincipalKind::kGuest || id.empty()) {
    return Error(ErrorCode::kPermissionDenied, "guest_only: this is for invited guests");
  }
  auto visit = deps_.database.run([&](soci::session& session) -> Result<GuestVisit> {
    auto appointment = load_appointment(session, id);
    if (!appointment.ok()) {
      return appointment.error();
    }
    event.patient_id = appointment->patient_id;
    GuestVisit found;
    found.appointment_id = id;
    found.starts_at = appointment->starts_at;
    found.ends_at = appointment->ends_at;
    found.practitioner_name = practitioner_name(session, appointment->practitioner_id);
    return found;
  });
  if (!visit.ok()) {
    mark_failure(event, visit.error(), false);
    (void)deps_.audit.record(std::move(event));
    return visit.error();
  }
  TH_RETURN_IF_ERROR(deps_.audit.record(std::move(event)));
  return visit;
}

// ---- cancellation ----

Status InvitationService::on_change_pending(soci::session& session,
                                            const AppointmentChange& change) {
  if (change.kind != AppointmentChangeKind::kCancelled) {
    return ok_status();
  }
  const std::string by =
      change.actor_user_id.empty() ? std::string("local_operator") : change.actor_user_id;
  std::vector<std::string> revoked = deps_.invitations.revoke_all_for_appointment(
      session, change.appointment.id, by, std::string(kCancelledReason), change.at);
  if (notices_ != nullptr) {
    for (const std::string& id : revoked) {
      TH_RETURN_IF_ERROR(notices_->withdraw(session, id));
    }
  }
  const std::string key = change.appointment.id + ":" + std::to_string(change.appointment.version);
  std::lock_guard lock(cancelled_mutex_);
  if (revoked.empty()) {
    revoked_by_cancellation_.erase(key);  // a retried transaction may have found some before
  } else {
    revoked_by_cancellation_[key] = std::move(revoked);
  }
  return ok_status();
}

void InvitationService::on_change_committed(const AppointmentChange& change) {
  if (change.kind != AppointmentChangeKind::kCancelled) {
    return;
  }
  std::vector<std::string> revoked;
  {
    const std::string key =
        change.appointment.id + ":" + std::to_string(change.appointment.version);
    std::lock_guard lock(cancelled_mutex_);
    const auto found = revoked_by_cancellation_.find(key);
    if (found == revoked_by_cancellation_.end()) {
      return;
    }
    revoked = std::move(found->second);
    revoked_by_cancellation_.erase(found);
  }
  for (const std::string& id : revoked) {
    audit::AuditEvent event;
    event.actor_user_id = change.actor_user_id;
    event.actor_kind = change.actor_user_id.empty() ? "local_operator" : "user";
    event.action = "revoke";
    event.resource_type = std::string(kResource);
    event.resource_id = id;
    event.patient_id = change.appointment.patient_id;
    event.reason = std::string(kCancelledReason);
    (void)deps_.audit.record(std::move(event));
  }
}

}  // namespace th::scheduling
