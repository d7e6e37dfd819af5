#include "visits/visit_room_service.h"

#include "crypto/uuid.h"
#include "scheduling/scheduling_audit.h"
#include "scheduling/visit_state_machine.h"

namespace th::visits {
namespace {

using scheduling::AppointmentRight;
using scheduling::AppointmentStatus;

constexpr const char* kResource = "visit_room";

Error not_found(const std::string& appointment_id) {
  return Error(ErrorCode::kNotFound, "not_found: no visit room '" + appointment_id + "'");
}

Error forbidden(std::string_view why) {
  return Error(ErrorCode::kPermissionDenied, "forbidden: " + std::string(why));
}

// The reason an audit event gives for a refusal: the message without its
// protocol code.
std::string reason_of(const Error& error) {
  const std::string& message = error.message();
  const auto colon = message.find(": ");
  return colon == std::string::npos ? message : message.substr(colon + 2);
}

// A refusal of the visit service (audited there) as the protocol's error
// codes: a move its state machine or rights do not allow is forbidden.
Error in_protocol_terms(const Error& error) {
  switch (error.code()) {
    case ErrorCode::kNotFound:
      return Error(ErrorCode::kNotFound, "not_found: " + reason_of(error));
    case ErrorCode::kPermissionDenied:
    case ErrorCode::kFailedPrecondition:
      return Error(ErrorCode::kPermissionDenied, "forbidden: " + reason_of(error));
    default:
      return error;
  }
}

Room room_of(const scheduling::Appointment& appointment, std::vector<Participant> participants) {
  Room room;
  room.appointment_id = appointment.id;
  room.patient_id = appointment.patient_id;
  room.practitioner_id = appointment.practitioner_id;
  room.status = appointment.status;
  room.participants = std::move(participants);
  return room;
}

}  // namespace

const Participant* Room::find(const std::string& participant_id) const {
  for (const Participant& participant : participants) {
    if (participant.id == participant_id) {
      return &participant;
    }
  }
  return nullptr;
}

const Participant* Room::find_person(const std::string& person) const {
  for (const Participant& participant : participants) {
    if (participant.person == person) {
      return &participant;
    }
  }
  return nullptr;
}

std::string person_of(const access::Principal& principal) {
  if (principal.kind == access::PrincipalKind::kGuest) {
    return guest_person(principal.session_id);
  }
  return user_person(principal.user_id);
}

// What entering a room established: the appointment, the caller's role in
// it and the room's places.
struct VisitRoomService::Entered {
  scheduling::Appointment appointment;
  ParticipantRole role = ParticipantRole::kPatient;
  std::vector<Participant> places;
};

// Hidden first, then refused, as for appointments: a caller who may not
// see the visit learns nothing about it, not even that it exists.
Result<VisitRoomService::Entered> VisitRoomService::enter(soci::session& session,
                                                          const std::string& appointment_id,
                                                          const access::Caller& caller,
                                                          audit::AuditEvent& event, bool& hidden) {
  auto found = deps_.appointments.find(session, appointment_id);
  if (!found.ok()) {
    return found.error();
  }
  if (!found->has_value()) {
    hidden = true;
    event.reason = "no such visit";
    return not_found(appointment_id);
  }
  Entered entered;
  entered.appointment = std::move(**found);
  event.patient_id = entered.appointment.patient_id;
  const access::Principal& principal = caller.principal;

  if (principal.kind == access::PrincipalKind::kGuest) {
    if (principal.guest_appointment_id != appointment_id) {
      hidden = true;
      event.reason = "a guest session of another visit";
      return not_found(appointment_id);
    }
    entered.role = ParticipantRole::kGuest;
  } else if (scheduling::AppointmentAccess::is_patient(principal)) {
    if (principal.patient_id != entered.appointment.patient_id) {
      hidden = true;
      event.reason = "patients reach only their own visits";
      return not_found(appointment_id);
    }
    entered.role = ParticipantRole::kPatient;
  } else {
    auto visible =
        deps_.access.decide(session, principal, entered.appointment, AppointmentRight::kView);
    if (!visible.ok()) {
      return visible.error();
    }
    if (!visible->allowed) {
      hidden = true;
      event.reason = visible->reason;
      return not_found(appointment_id);
    }
    auto runs =
        deps_.access.decide(session, principal, entered.appointment, AppointmentRight::kRun);
    if (!runs.ok()) {
      return runs.error();
    }
    if (!runs->allowed) {
      event.reason = runs->reason;
      return forbidden("only the practitioner and clinical staff who may run the visit host it");
    }
    event.emergency = runs->emergency;
    entered.role = ParticipantRole::kHost;
  }

  auto places = deps_.rooms.list(session, appointment_id);
  if (!places.ok()) {
    return places.error();
  }
  entered.places = std::move(*places);
  return entered;
}

// Records a failed attempt, marked as a refusal when it was one, and hands
// the failure back.
Error VisitRoomService::refuse(audit::AuditEvent event, const Error& failure, bool hidden) {
  scheduling::mark_failure(event, failure, hidden);
  if (event.reason.empty() || event.reason == error_code_name(failure.code())) {
    event.reason = reason_of(failure);
  }
  (void)deps_.audit.record(std::move(event));
  return failure;
}

std::string VisitRoomService::display_name(soci::session& session, ParticipantRole role,
                                           const access::Principal& principal) {
  switch (role) {
    case ParticipantRole::kPatient:
      return "Patient";
    case ParticipantRole::kGuest:
      return "Guest";
    case ParticipantRole::kHost:
      break;
  }
  const auto practitioner = deps_.practitioners.find(session, principal.user_id);
  if (practitioner && !practitioner->display_name.empty()) {
    return practitioner->display_name;
  }
  return "Clinician";
}

Result<RoomUpdate> VisitRoomService::join(const std::string& appointment_id,
                                          const access::Caller& caller, const Endpoint& endpoint) {
  audit::AuditEvent event = caller.event("join", kResource, appointment_id);
  bool hidden = false;
  const UnixMicros now = deps_.clock.now_micros();
  const std::string person = person_of(caller.principal);
  auto joined =
      deps_.database.run_write_transaction([&](soci::session& session) -> Result<RoomUpdate> {
        auto entered = enter(session, appointment_id, caller, event, hidden);
        if (!entered.ok()) {
          return entered.error();
        }
        const AppointmentStatus status = entered->appointment.status;
        if (scheduling::is_final(status)) {
          return forbidden("the visit is over");
        }
        if (entered->role == ParticipantRole::kPatient && status != AppointmentStatus::kCheckedIn &&
            status != AppointmentStatus::kInProgress) {
          return forbidden("check in before joining the visit");
        }
        TH_RETURN_IF_ERROR(
            room_has_space(entered->places, person, deps_.settings.max_participants));

        std::optional<Participant> existing;
        for (const Participant& place : entered->places) {
          if (place.person == person) {
            existing = place;
          }
        }
        RoomUpdate update;
        Participant& place = update.change.participant;
        if (existing) {
          place = *existing;
          update.change.before = existing->state;
          if (existing->present() && existing->state != ParticipantState::kAway &&
              existing->endpoint != endpoint) {
            update.change.replaced = existing->endpoint;
          }
        } else {
          place.id = crypto::new_uuid_v4();
          place.appointment_id = appointment_id;
          place.person = person;
          place.joined_at = now;
        }
        place.role = entered->role;
        place.state = state_on_join(entered->role, existing);
        place.away_from = ParticipantState::kWaiting;
        place.away_since = 0;
        place.screen_sharing = false;
        place.endpoint = endpoint;
        place.updated_at = now;
        place.display_name = display_name(session, entered->role, caller.principal);
        if (existing) {
          deps_.rooms.update(session, place);
        } else {
          deps_.rooms.insert(session, place);
        }
        update.moved = true;

        // The audit trail tells a guest's join and a rejoin from a first join.
        if (existing && existing->present()) {
          event.action = "rejoin";
        } else if (entered->role == ParticipantRole::kGuest) {
          event.action = "guest_join";
        }
        auto places = deps_.rooms.list(session, appointment_id);
        if (!places.ok()) {
          return places.error();
        }
        update.room = room_of(entered->appointment, std::move(*places));
        return update;
      });
  if (!joined.ok()) {
    return refuse(std::move(event), joined.error(), hidden);
  }
  TH_RETURN_IF_ERROR(deps_.audit.record(std::move(event)));
  return joined;
}

Result<RoomUpdate> VisitRoomService::move_own(
    const std::string& appointment_id, const access::Caller& caller, const std::string& action,
    const std::function<Result<Participant>(const Participant&)>& change) {
  audit::AuditEvent event = caller.event(action, kResource, appointment_id);
  bool hidden = false;
  const std::string person = person_of(caller.principal);
  auto moved =
      deps_.database.run_write_transaction([&](soci::session& session) -> Result<RoomUpdate> {
        auto entered = enter(session, appointment_id, caller, event, hidden);
        if (!entered.ok()) {
          return entered.error();
        }
        Room room = room_of(entered->appointment, std::move(entered->places));
        const Participant* own = room.find_person(person);
        if (own == nullptr || !own->present()) {
          return forbidden("join the room first");
        }
        auto after = change(*own);
        if (!after.ok()) {
          return after.error();
        }
        RoomUpdate update;
        update.change.before = own->state;
        update.moved = after->state != own->state || after->screen_sharing != own->screen_sharing;
        update.change.participant = *after;
        if (update.moved) {
          update.change.participant.updated_at = deps_.clock.now_micros();
          deps_.rooms.update(session, update.change.participant);
          for (Participant& participant : room.participants) {
            if (participant.id == after->id) {
              participant = update.change.participant;
            }
          }
        }
        update.room = std::move(room);
        return update;
      });
  if (!moved.ok()) {
    return refuse(std::move(event), moved.error(), hidden);
  }
  return moved;
}

Result<RoomUpdate> VisitRoomService::leave(const std::string& appointment_id,
                                           const access::Caller& caller) {
  return move_own(appointment_id, caller, "leave",
                  [](const Participant& own) -> Result<Participant> {
                    auto state = state_after(own, RoomMove::kLeave, own);
                    if (!state.ok()) {
                      return state.error();
                    }
                    Participant after = own;
                    after.state = *state;
                    after.screen_sharing = false;
                    return after;
                  });
}

Result<RoomUpdate> VisitRoomService::screen_share(const std::string& appointment_id, bool active,
                                                  const access::Caller& caller) {
  auto update = move_own(appointment_id, caller, "screen_share",
                         [active](const Participant& own) -> Result<Participant> {
                           TH_RETURN_IF_ERROR(may_share_screen(own));
                           Participant after = own;
                           after.screen_sharing = active;
                           return after;
                         });
  if (!update.ok()) {
    return update.error();
  }
  // Starting to share is on record; stopping is not.
  if (update->moved && active) {
    audit::AuditEvent event = caller.event("screen_share", kResource, appointment_id);
    event.patient_id = update->room.patient_id;
    TH_RETURN_IF_ERROR(deps_.audit.record(std::move(event)));
  }
  return update;
}

// The move as the rules allow it now, not written yet.
Result<RoomUpdate> VisitRoomService::plan_move(soci::session& session, const MoveRequest& request,
                                               audit::AuditEvent& event, bool& hidden) {
  auto entered = enter(session, request.appointment_id, request.caller, event, hidden);
  if (!entered.ok()) {
    return entered.error();
  }
  Room room = room_of(entered->appointment, std::move(entered->places));
  const Participant* actor = room.find_person(person_of(request.caller.principal));
  const Participant* target = room.find(request.participant_id);
  if (actor == nullptr) {
    return forbidden("only a host in the call moves participants");
  }
  if (target == nullptr) {
    return Error(ErrorCode::kNotFound, "not_found: no such participant in this room");
  }
  auto state = state_after(*actor, request.move, *target);
  if (!state.ok()) {
    return state.error();
  }
  RoomUpdate update;
  update.change.before = target->state;
  update.change.participant = *target;
  update.change.participant.state = *state;
  update.moved = *state != target->state;
  update.room = std::move(room);
  return update;
}

// The visit's own status follows the patient: admitted starts it, returned
// sends it back. The visit service audits these as appointment changes.
Status VisitRoomService::follow_visit(const RoomUpdate& planned, const MoveRequest& request) {
  if (!planned.moved || planned.change.participant.role != ParticipantRole::kPatient) {
    return ok_status();
  }
  const AppointmentStatus status = planned.room.status;
  Result<scheduling::AppointmentView> moved = scheduling::AppointmentView{};
  if (request.move == RoomMove::kAdmit && status == AppointmentStatus::kCheckedIn) {
    moved = deps_.visits.start(request.appointment_id, request.caller);
  } else if (request.move == RoomMove::kReturn && status == AppointmentStatus::kInProgress) {
    moved = deps_.visits.return_to_waiting(request.appointment_id, request.caller);
  }
  if (!moved.ok()) {
    return moved.error();
  }
  return ok_status();
}

// Admit and return. The rules are checked once before the visit's status
// moves (so a refused move changes nothing) and again in the transaction
// that moves the place.
Result<RoomUpdate> VisitRoomService::move_other(const MoveRequest& request) {
  audit::AuditEvent event = request.caller.event(std::string(room_move_name(request.move)),
                                                 kResource, request.appointment_id);
  bool hidden = false;
  auto planned = deps_.database.run(
      [&](soci::session& session) { return plan_move(session, request, event, hidden); });
  if (!planned.ok()) {
    return refuse(std::move(event), planned.error(), hidden);
  }
  if (Status followed = follow_visit(*planned, request); !followed.ok()) {
    return in_protocol_terms(refuse(std::move(event), followed.error(), false));
  }

  auto done =
      deps_.database.run_write_transaction([&](soci::session& session) -> Result<RoomUpdate> {
        auto update = plan_move(session, request, event, hidden);
        if (!update.ok() || !update->moved) {
          return update;
        }
        Participant& place = update->change.participant;
        place.updated_at = deps_.clock.now_micros();
        if (place.state != ParticipantState::kAdmitted) {
          place.screen_sharing = false;
        }
        deps_.rooms.update(session, place);
        for (Participant& participant : update->room.participants) {
          if (participant.id == place.id) {
            participant = place;
          }
        }
        return update;
      });
  if (!done.ok()) {
    return refuse(std::move(event), done.error(), hidden);
  }
  TH_RETURN_IF_ERROR(deps_.audit.record(std::move(event)));
  return done;
}

Result<RoomUpdate> VisitRoomService::admit(const std::string& appointment_id,
                                           const std::string& participant_id,
                                           const access::Caller& caller) {
  return move_other(MoveRequest{appointment_id, participant_id, RoomMove::kAdmit, caller});
}

Result<RoomUpdate> VisitRoomService::return_to_waiting(const std::string& appointment_id,
                                                       const std::string& participant_id,
                                                       const access::Caller& caller) {
  return move_other(MoveRequest{appointment_id, participant_id, RoomMove::kReturn, caller});
}

// The visit service checks the run right and the status, and audits the
// transfer as an appointment change naming the patient.
Result<Room> VisitRoomService::transfer(const std::string& appointment_id,
                                        const std::string& practitioner_id,
                                        const access::Caller& caller) {
  if (caller.principal.kind == access::PrincipalKind::kGuest ||
      scheduling::AppointmentAccess::is_patient(caller.principal)) {
    audit::AuditEvent event = caller.event("transfer", kResource, appointment_id);
    const Error refused = forbidden("only a host transfers a visit");
    return refuse(std::move(event), refused, false);
  }
  auto moved = deps_.visits.transfer(appointment_id, practitioner_id, caller);
  if (!moved.ok()) {
    return in_protocol_terms(moved.error());
  }
  return room(appointment_id);
}

Result<SignalRoute> VisitRoomService::route_signal(const Room& room,
                                                   const std::string& to_participant,
                                                   const access::Caller& caller,
                                                   const Endpoint& endpoint) {
  return route_signal(room, to_participant, caller.principal, endpoint,
                      [&caller] { return caller; });
}

Result<SignalRoute> VisitRoomService::route_signal(const Room& room,
                                                   const std::string& to_participant,
                                                   const access::Principal& principal,
                                                   const Endpoint& endpoint,
                                                   const std::function<access::Caller()>& caller) {
  const Participant* from = room.find_person(person_of(principal));
  const Participant* to = room.find(to_participant);
  Status allowed = ok_status();
  if (from == nullptr || from->endpoint != endpoint) {
    allowed = forbidden("this connection holds no place in the room");
  } else if (to == nullptr) {
    allowed = forbidden("the recipient is not in the call");
  } else {
    allowed = may_signal(*from, *to);
  }
  if (allowed.ok()) {
    return SignalRoute{*from, *to};
  }
  // Refusals only are audited, naming the visit's patient.
  audit::AuditEvent event = caller().event("signal", kResource, room.appointment_id);
  event.patient_id = room.patient_id;
  return refuse(std::move(event), allowed.error(), false);
}

Result<Participant> VisitRoomService::own_place(const std::string& appointment_id,
                                                const access::Caller& caller) {
  const std::string person = person_of(caller.principal);
  auto place = deps_.database.run([&](soci::session& session) -> Result<Participant> {
    auto found = deps_.rooms.find_person(session, appointment_id, person);
    if (!found.ok()) {
      return found.error();
    }
    if (!found->has_value() || !(*found)->present()) {
      return forbidden("join the room first");
    }
    return **found;
  });
  if (place.ok() || place.error().code() != ErrorCode::kPermissionDenied) {
    return place;
  }
  audit::AuditEvent event = caller.event("ice_refresh", kResource, appointment_id);
  return refuse(std::move(event), place.error(), false);
}

Status VisitRoomService::may_watch_queue(const std::string& practitioner_id,
                                         const access::Caller& caller) {
  const access::Principal& principal = caller.principal;
  if (principal.kind != access::PrincipalKind::kGuest &&
      !scheduling::AppointmentAccess::is_patient(principal) &&
      principal.has_permission("appointment.read")) {
    auto known = deps_.database.run([&](soci::session& session) {
      return deps_.practitioners.find(session, practitioner_id).has_value();
    });
    if (!known.ok()) {
      return known.error();
    }
    if (*known) {
      return ok_status();
    }
    audit::AuditEvent event = caller.event("watch", "queue", practitioner_id);
    const Error missing(ErrorCode::kNotFound, "not_found: no practitioner of that id");
    return refuse(std::move(event), missing, true);
  }
  audit::AuditEvent event = caller.event("watch", "queue", practitioner_id);
  const Error refused = forbidden("only staff who may read the queue watch it");
  return refuse(std::move(event), refused, false);
}

Result<std::vector<RoomChange>> VisitRoomService::go_away(const std::vector<Participant>& places,
                                                          soci::session& session) {
  const UnixMicros now = deps_.clock.now_micros();
  std::vector<RoomChange> changes;
  for (const Participant& place : places) {
    auto state = state_after(place, RoomMove::kDisconnect, place);
    if (!state.ok() || *state == place.state) {
      continue;
    }
    RoomChange change;
    change.before = place.state;
    change.participant = place;
    change.participant.away_from = place.state;
    change.participant.state = *state;
    change.participant.away_since = now;
    change.participant.screen_sharing = false;
    change.participant.updated_at = now;
    deps_.rooms.update(session, change.participant);
    changes.push_back(std::move(change));
  }
  return changes;
}

Result<std::vector<RoomChange>> VisitRoomService::disconnected(const Endpoint& endpoint) {
  return deps_.database.run_write_transaction(
      [&](soci::session& session) -> Result<std::vector<RoomChange>> {
        auto places = deps_.rooms.on_endpoint(session, endpoint);
        if (!places.ok()) {
          return places.error();
        }
        return go_away(*places, session);
      });
}

Result<std::vector<RoomChange>> VisitRoomService::node_restarted(const std::string& node) {
  return deps_.database.run_write_transaction(
      [&](soci::session& session) -> Result<std::vector<RoomChange>> {
        auto places = deps_.rooms.on_node(session, node);
        if (!places.ok()) {
          return places.error();
        }
        return go_away(*places, session);
      });
}

Result<std::vector<RoomChange>> VisitRoomService::expire_away() {
  const UnixMicros now = deps_.clock.now_micros();
  const UnixMicros cutoff =
      now - static_cast<UnixMicros>(deps_.settings.rejoin_grace_seconds) * 1'000'000;
  return deps_.database.run_write_transaction(
      [&](soci::session& session) -> Result<std::vector<RoomChange>> {
        auto places = deps_.rooms.away_since_before(session, cutoff);
        if (!places.ok()) {
          return places.error();
        }
        std::vector<RoomChange> changes;
        for (const Participant& place : *places) {
          if (!grace_over(place, now, deps_.settings.rejoin_grace_seconds)) {
            continue;
          }
          RoomChange change;
          change.before = place.state;
          change.participant = place;
          change.participant.state = ParticipantState::kLeft;
          change.participant.updated_at = now;
          if (deps_.rooms.update_if_unchanged(session, change.participant, place.state,
                                              place.updated_at)) {
            changes.push_back(std::move(change));
          }
        }
        // Oversized signaling frames are delivered within moments or never.
        deps_.rooms.purge_signals(session, now - 60 * 1'000'000LL);
        return changes;
      });
}

Result<std::vector<RoomChange>> VisitRoomService::close_room(const std::string& appointment_id) {
  const UnixMicros now = deps_.clock.now_micros();
  return deps_.database.run_write_transaction(
      [&](soci::session& session) -> Result<std::vector<RoomChange>> {
        auto places = deps_.rooms.list(session, appointment_id);
        if (!places.ok()) {
          return places.error();
        }
        std::vector<RoomChange> changes;
        for (const Participant& place : *places) {
          if (!place.present()) {
            continue;
          }
          RoomChange change;
          change.before = place.state;
          change.participant = place;
          change.participant.state = ParticipantState::kLeft;
          change.participant.screen_sharing = false;
          change.participant.updated_at = now;
          deps_.rooms.update(session, change.participant);
          changes.push_back(std::move(change));
        }
        return changes;
      });
}

Result<std::string> VisitRoomService::hold_signal(const std::string& frame) {
  const std::string id = crypto::new_uuid_v4();
  const Status held = deps_.database.run([&](soci::session& session) {
    deps_.rooms.put_signal(session, id, frame, deps_.clock.now_micros());
  });
  if (!held.ok()) {
    return held.error();
  }
  return id;
}

Result<std::optional<std::string>> VisitRoomService::take_signal(const std::string& id) {
  return deps_.database.run_write_transaction(
      [&](soci::session& session) { return deps_.rooms.take_signal(session, id); });
}

Result<Room> VisitRoomService::room(const std::string& appointment_id) {
  return deps_.database.run([&](soci::session& session) -> Result<Room> {
    auto appointment = deps_.appointments.find(session, appointment_id);
    if (!appointment.ok()) {
      return appointment.error();
    }
    if (!appointment->has_value()) {
      return not_found(appointment_id);
    }
    auto places = deps_.rooms.list(session, appointment_id);
    if (!places.ok()) {
      return places.error();
    }
    return room_of(**appointment, std::move(*places));
  });
}

Result<QueuePosition> VisitRoomService::position(const Room& room) {
  if (room.status != AppointmentStatus::kCheckedIn) {
    return QueuePosition{};
  }
  auto places = deps_.visits.places(room.practitioner_id);
  if (!places.ok()) {
    return places.error();
  }
  for (const scheduling::QueuePlace& place : *places) {
    if (place.appointment.id == room.appointment_id) {
      return QueuePosition{place.position, place.estimated_wait_seconds};
    }
  }
  return QueuePosition{};
}

IceConfig VisitRoomService::ice_for(const std::string& participant_id) const {
  return ice_config_for(deps_.settings, participant_id, deps_.clock.now_micros());
}

}  // namespace th::visits
