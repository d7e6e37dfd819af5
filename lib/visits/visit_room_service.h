// VisitRoomService: the visit rooms of lib/realtime/PROTOCOL.md ("Visits")
// as database state, shared by every daemon: who joins a room and in which
// state, who moves whom (the rules of room_rules.h), where each
// participant's connection is, and the checks signaling relies on.
//
// Who a caller is in a room comes from the appointment and their session:
// the appointment's patient, a guest whose guest session is for this visit,
// or a host (the practitioner, or clinical staff holding the appointment's
// run right). Anyone else learns nothing: kNotFound ("not_found: ...") for
// a room out of their sight, kPermissionDenied ("forbidden: ...") for one
// they may see but not enter or act in, both audited as denials.
//
// The first admission of the patient starts the visit (VisitService::start:
// checked in -> in progress); returning the patient sends it back
// (in progress -> checked in); a transfer moves the checked-in visit to
// another practitioner's queue. Joins, rejoins, guest joins, admissions,
// returns, transfers and screen-share starts are audit events naming the
// appointment's patient, recorded after their transaction commits and
// before the caller is answered (the results below wait for them).
// Signaling content never reaches this service.
//
// Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "access/caller.h"
#include "audit/audit_event.h"
#include "scheduling/appointment_access.h"
#include "scheduling/appointment_store.h"
#include "scheduling/practitioner_store.h"
#include "scheduling/visit_service.h"
#include "storage/database.h"
#include "util/clock.h"
#include "visits/participant.h"
#include "visits/room_rules.h"
#include "visits/room_store.h"
#include "visits/turn_credentials.h"
#include "visits/video_settings.h"

namespace th::visits {

// A room: the essentials of its appointment and every place in it.
struct Room {
  std::string appointment_id;
  std::string patient_id;
  std::string practitioner_id;
  scheduling::AppointmentStatus status = scheduling::AppointmentStatus::kScheduled;
  std::vector<Participant> participants;  // those left included

  const Participant* find(const std::string& participant_id) const;
  const Participant* find_person(const std::string& person) const;
};

// One place that changed, for announcing it.
struct RoomChange {
  Participant participant;  // as it is now
  ParticipantState before = ParticipantState::kLeft;
  // A connection that held the place until a rejoin took it over.
  std::optional<Endpoint> replaced;
};

struct RoomUpdate {
  bool moved = false;
  Room room;  // after the change
  RoomChange change;
};

struct QueuePosition {
  int position = 0;  // 1 for the next patient; 0 once the visit is under way
  std::int64_t estimated_wait_seconds = 0;
};

// The two ends of a signaling message, once allowed: places in the room
// given to route_signal, which must outlive the route (a signal is routed
// per message, so nothing is copied).
struct SignalRoute {
  const Participant& from;
  const Participant& to;
};

struct VisitRoomServiceDeps {
  storage::Database& database;
  scheduling::AppointmentStore& appointments;
  scheduling::PractitionerStore& practitioners;
  scheduling::AppointmentAccess& access;
  scheduling::VisitService& visits;
  VisitRoomStore& rooms;
  audit::AuditSink& audit;
  const Clock& clock;
  const VideoSettings& settings;
};

class VisitRoomService {
 public:
  explicit VisitRoomService(VisitRoomServiceDeps deps) : deps_(deps) {}

  // The caller takes their place in the room through `endpoint`: a new
  // one, or their own again (a rejoin, which moves the place to this
  // connection and names the one it replaced). kPermissionDenied also for
  // a full room, a visit that is over, or a patient who has not checked in.
  Result<RoomUpdate> join(const std::string& appointment_id, const access::Caller& caller,
                          const Endpoint& endpoint);
  // Gives the caller's place up at once.
  Result<RoomUpdate> leave(const std::string& appointment_id, const access::Caller& caller);
  Result<RoomUpdate> admit(const std::string& appointment_id, const std::string& participant_id,
                           const access::Caller& caller);
  Result<RoomUpdate> return_to_waiting(const std::string& appointment_id,
                                       const std::string& participant_id,
                                       const access::Caller& caller);
  // The room after its visit moved to `practitioner_id`'s queue.
  Result<Room> transfer(const std::string& appointment_id, const std::string& practitioner_id,
                        const access::Caller& caller);
  Result<RoomUpdate> screen_share(const std::string& appointment_id, bool active,
                                  const access::Caller& caller);

  // Whether the caller, through `endpoint`, may signal `to_participant` in
  // `room` (as recently read: signaling is too frequent to read the room
  // for each message): both admitted. Refusals are audited; nothing of the
  // signal is.
  Result<SignalRoute> route_signal(const Room& room, const std::string& to_participant,
                                   const access::Caller& caller, const Endpoint& endpoint);
  // The same for `principal`, with the caller made only for a refusal's
  // audit event: copying a principal for every relayed message is most of
  // the cost of the check.
  Result<SignalRoute> route_signal(const Room& room, const std::string& to_participant,
                                   const access::Principal& principal, const Endpoint& endpoint,
                                   const std::function<access::Caller()>& caller);
  // The caller's own present place, for ice.refresh.
  Result<Participant> own_place(const std::string& appointment_id, const access::Caller& caller);

  // Staff who may read the practitioner's queue may watch it.
  Status may_watch_queue(const std::string& practitioner_id, const access::Caller& caller);

  // The places held through a connection that closed go away (their grace
  // starts); the changes made.
  Result<std::vector<RoomChange>> disconnected(const Endpoint& endpoint);
  // Every present place held through `node` goes away: its connections
  // ended with the process that held them (called when a daemon starts).
  Result<std::vector<RoomChange>> node_restarted(const std::string& node);
  // Away places whose grace ran out are left; the changes made (each by
  // exactly one daemon, whichever ran first).
  Result<std::vector<RoomChange>> expire_away();

  // The visit ended (completed, cancelled, marked a no-show): every place
  // still present is left.
  Result<std::vector<RoomChange>> close_room(const std::string& appointment_id);

  // A signaling frame too large for a notification, held for the daemon
  // that delivers it (purged after a minute); and taking it, once.
  Result<std::string> hold_signal(const std::string& frame);
  Result<std::optional<std::string>> take_signal(const std::string& id);

  // The room as stored (no audit: ids and states only).
  Result<Room> room(const std::string& appointment_id);
  // Where the room's visit stands in its practitioner's queue.
  Result<QueuePosition> position(const Room& room);
  // ICE servers with fresh TURN credentials for a participant.
  IceConfig ice_for(const std::string& participant_id) const;
  const VideoSettings& settings() const { return deps_.settings; }

 private:
  struct Entered;
  Result<Entered> enter(soci::session& session, const std::string& appointment_id,
                        const access::Caller& caller, audit::AuditEvent& event, bool& hidden);
  struct MoveRequest {
    const std::string& appointment_id;
    const std::string& participant_id;
    RoomMove move;
    const access::Caller& caller;
  };
  Result<RoomUpdate> move_other(const MoveRequest& request);
  Result<RoomUpdate> plan_move(soci::session& session, const MoveRequest& request,
                               audit::AuditEvent& event, bool& hidden);
  Status follow_visit(const RoomUpdate& planned, const MoveRequest& request);
  Result<RoomUpdate> move_own(const std::string& appointment_id, const access::Caller& caller,
                              const std::string& action,
                              const std::function<Result<Participant>(const Participant&)>& change);
  Result<std::vector<RoomChange>> go_away(const std::vector<Participant>& places,
                                          soci::session& session);
  std::string display_name(soci::session& session, ParticipantRole role,
                           const access::Principal& principal);
  Error refuse(audit::AuditEvent event, const Error& failure, bool hidden);

  VisitRoomServiceDeps deps_;
};

// The person key of a caller: their user id, or their guest session.
std::string person_of(const access::Principal& principal);

}  // namespace th::visits
