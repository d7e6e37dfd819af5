#include "server/hub/visit_rooms.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "scheduling/visit_state_machine.h"
#include "server/hub/signal_message.h"
#include "server/hub/visit_json.h"
#include "visits/room_rules.h"

namespace th::server {
namespace {

using visits::Participant;
using visits::ParticipantRole;
using visits::ParticipantState;

constexpr auto kSweepInterval = std::chrono::seconds(1);

Poco::JSON::Object::Ptr object() {
  return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

Error bad_payload(std::string_view detail) {
  return Error(ErrorCode::kInvalidArgument, "invalid_payload: " + std::string(detail));
}

// A required, non-empty string field of at most 64 bytes (an id).
Result<std::string> id_field(const Poco::JSON::Object::Ptr& payload, const char* name) {
  const Poco::Dynamic::Var value = payload->get(name);
  if (!value.isString() || value.extract<std::string>().empty() ||
      value.extract<std::string>().size() > 64) {
    return bad_payload(std::string(name) + " must be an id");
  }
  return value.extract<std::string>();
}

Poco::JSON::Object::Ptr room_payload(const std::string& appointment_id) {
  Poco::JSON::Object::Ptr payload = object();
  payload->set("appointment_id", appointment_id);
  return payload;
}

// Whether `viewer` is told about a change of `changed`, which was `before`:
// hosts hear of everyone; patients and guests in the call of those in it,
// and of those who were in it until now.
bool announced_to(const Participant& viewer, const Participant& changed, ParticipantState before) {
  if (viewer.id == changed.id || viewer.state != ParticipantState::kAdmitted) {
    return false;
  }
  if (viewer.role == ParticipantRole::kHost) {
    return true;
  }
  return visits::sees(viewer, changed) || before == ParticipantState::kAdmitted;
}

}  // namespace

// A room's queue position, read once when first needed.
class LazyPosition {
 public:
  LazyPosition(visits::VisitRoomService& rooms, const visits::Room& room)
      : rooms_(rooms), room_(room) {}
  visits::QueuePosition get() {
    if (!read_) {
      auto found = rooms_.position(room_);
      value_ = found.ok() ? *found : visits::QueuePosition{};
      read_ = true;
    }
    return value_;
  }

 private:
  visits::VisitRoomService& rooms_;
  const visits::Room& room_;
  bool read_ = false;
  visits::QueuePosition value_;
};

namespace {

bool waiting_guest_or_patient(const Participant& participant) {
  return participant.state == ParticipantState::kWaiting &&
         participant.role != ParticipantRole::kHost;
}

}  // namespace

VisitRooms::VisitRooms(Hub& hub, visits::VisitRoomService& rooms, std::string node)
    : hub_(hub), rooms_(rooms), node_(std::move(node)) {}

VisitRooms::~VisitRooms() {
  stop();
}

void VisitRooms::install() {
  const auto bind =
      [this](Status (VisitRooms::*handler)(HubReplyTo&, const realtime::HubEnvelope&)) {
        return [this, handler](HubReplyTo& to, const realtime::HubEnvelope& envelope) {
          return (this->*handler)(to, envelope);
        };
      };
  hub_.handle("visit.join", bind(&VisitRooms::join));
  hub_.handle("visit.leave", bind(&VisitRooms::leave));
  hub_.handle("visit.admit", [this](HubReplyTo& to, const realtime::HubEnvelope& envelope) {
    return move(to, envelope, visits::RoomMove::kAdmit);
  });
  hub_.handle("visit.return", [this](HubReplyTo& to, const realtime::HubEnvelope& envelope) {
    return move(to, envelope, visits::RoomMove::kReturn);
  });
  hub_.handle("visit.transfer", bind(&VisitRooms::transfer));
  hub_.handle("visit.screen_share", bind(&VisitRooms::screen_share));
  hub_.handle("signal", bind(&VisitRooms::signal), /*activity=*/true, HubPayload::kScanned);
  // Clients refresh credentials by themselves: not the user's activity.
  hub_.handle("ice.refresh", bind(&VisitRooms::refresh_ice), /*activity=*/false);
  hub_.handle("queue.watch", bind(&VisitRooms::watch_queue), /*activity=*/false);
  hub_.on_closed([this](const HubPeer& peer) { closed(peer); });
}

void VisitRooms::start() {
  auto changes = rooms_.node_restarted(node_);
  if (changes.ok()) {
    publish_changes(*changes);
  } else {
    spdlog::warn("visit rooms: could not release this daemon's earlier places: {}",
                 changes.error().message());
  }
  worker_ = std::thread([this] { work(); });
}

void VisitRooms::stop() {
  {
    std::lock_guard lock(jobs_mutex_);
    stopping_ = true;
  }
  jobs_ready_.notify_all();
  if (worker_.joinable()) {
    worker_.join();
  }
}

// ---- handlers (hub loop threads) ----

Status VisitRooms::join(HubReplyTo& to, const realtime::HubEnvelope& envelope) {
  auto appointment_id = id_field(envelope.payload, "appointment_id");
  if (!appointment_id.ok()) {
    return appointment_id.error();
  }
  const visits::Endpoint endpoint{node_, to.peer().connection_id};
  auto joined =
      rooms_.join(*appointment_id, hub_caller(to.principal(), to.peer(), node_), endpoint);
  if (!joined.ok()) {
    return joined.error();
  }
  seat(*appointment_id, to.connection());
  remember(joined->room);
  const Participant& place = joined->change.participant;

  Poco::JSON::Object::Ptr payload = room_payload(*appointment_id);
  payload->set("participant_id", place.id);
  payload->set("state", std::string(visits::participant_state_name(place.state)));
  visits::QueuePosition position;
  if (place.state == ParticipantState::kWaiting) {
    auto found = rooms_.position(joined->room);
    position = found.ok() ? *found : visits::QueuePosition{};
  }
  add_position(*payload, position);
  if (place.state == ParticipantState::kAdmitted) {
    payload->set("participants", participants_json(joined->room, place));
    payload->set("ice", ice_json(rooms_.ice_for(place.id)));
  }
  to.reply("visit.joined", payload);

  VisitNotice notice;
  notice.appointment_id = *appointment_id;
  notice.participant_id = place.id;
  notice.before = joined->change.before;
  notice.replaced = joined->change.replaced;
  publish(std::move(notice));
  return ok_status();
}

Status VisitRooms::leave(HubReplyTo& to, const realtime::HubEnvelope& envelope) {
  auto appointment_id = id_field(envelope.payload, "appointment_id");
  if (!appointment_id.ok()) {
    return appointment_id.error();
  }
  auto left = rooms_.leave(*appointment_id, hub_caller(to.principal(), to.peer(), node_));
  if (!left.ok()) {
    return left.error();
  }
  remember(left->room);
  unseat(*appointment_id, to.peer().connection_id);
  Poco::JSON::Object::Ptr payload = room_payload(*appointment_id);
  payload->set("moved", left->moved);
  to.reply("visit.left", payload);
  if (left->moved) {
    publish_changes({left->change});
  }
  return ok_status();
}

Status VisitRooms::move(HubReplyTo& to, const realtime::HubEnvelope& envelope,
                        visits::RoomMove move) {
  auto appointment_id = id_field(envelope.payload, "appointment_id");
  auto participant_id = id_field(envelope.payload, "participant_id");
  if (!appointment_id.ok() || !participant_id.ok()) {
    return appointment_id.ok() ? participant_id.error() : appointment_id.error();
  }
  const access::Caller caller = hub_caller(to.principal(), to.peer(), node_);
  auto moved = move == visits::RoomMove::kAdmit
                   ? rooms_.admit(*appointment_id, *participant_id, caller)
                   : rooms_.return_to_waiting(*appointment_id, *participant_id, caller);
  if (!moved.ok()) {
    return moved.error();
  }
  remember(moved->room);
  Poco::JSON::Object::Ptr payload = object();
  payload->set("moved", moved->moved);
  to.reply(move == visits::RoomMove::kAdmit ? "visit.admit" : "visit.return", payload);
  if (moved->moved) {
    VisitNotice notice;
    notice.kind =
        move == visits::RoomMove::kAdmit ? VisitNoticeKind::kAdmitted : VisitNoticeKind::kReturned;
    notice.appointment_id = *appointment_id;
    notice.participant_id = *participant_id;
    notice.before = moved->change.before;
    publish(std::move(notice));
  }
  return ok_status();
}

Status VisitRooms::transfer(HubReplyTo& to, const realtime::HubEnvelope& envelope) {
  auto appointment_id = id_field(envelope.payload, "appointment_id");
  auto practitioner_id = id_field(envelope.payload, "practitioner_id");
  if (!appointment_id.ok() || !practitioner_id.ok()) {
    return appointment_id.ok() ? practitioner_id.error() : appointment_id.error();
  }
  auto room = rooms_.transfer(*appointment_id, *practitioner_id,
                              hub_caller(to.principal(), to.peer(), node_));
  if (!room.ok()) {
    return room.error();
  }
  remember(*room);
  Poco::JSON::Object::Ptr payload = object();
  payload->set("moved", true);
  to.reply("visit.transfer", payload);
  VisitNotice notice;
  notice.kind = VisitNoticeKind::kTransferred;
  notice.appointment_id = *appointment_id;
  notice.detail = *practitioner_id;
  publish(std::move(notice));
  return ok_status();
}

Status VisitRooms::screen_share(HubReplyTo& to, const realtime::HubEnvelope& envelope) {
  auto appointment_id = id_field(envelope.payload, "appointment_id");
  if (!appointment_id.ok()) {
    return appointment_id.error();
  }
  const Poco::Dynamic::Var active = envelope.payload->get("active");
  if (!active.isBoolean()) {
    return bad_payload("active must be true or false");
  }
  auto shared = rooms_.screen_share(*appointment_id, active.convert<bool>(),
                                    hub_caller(to.principal(), to.peer(), node_));
  if (!shared.ok()) {
    return shared.error();
  }
  remember(shared->room);
  Poco::JSON::Object::Ptr payload = object();
  payload->set("moved", shared->moved);
  to.reply("visit.screen_share", payload);
  if (shared->moved) {
    publish_changes({shared->change});
  }
  return ok_status();
}

// The frame is built once, here, and travels as is: the recipient's daemon
// only queues it. Its data is never logged, nor parsed: it is relayed as
// the bytes it came in (signal_message.h).
Status VisitRooms::signal(HubReplyTo& to, const realtime::HubEnvelope& envelope) {
  auto signal = read_signal(envelope);
  if (!signal.ok()) {
    return signal.error();
  }
  auto room = known_room(signal->appointment_id);
  if (!room.ok()) {
    return room.error();
  }
  const visits::Endpoint endpoint{node_, to.peer().connection_id};
  auto route = rooms_.route_signal(**room, signal->to, to.principal(), endpoint,
                                   [&] { return hub_caller(to.principal(), to.peer(), node_); });
  if (!route.ok()) {
    return route.error();
  }

  std::string frame = signal_frame(*signal, route->from.id);
  const visits::Endpoint& recipient = route->to.endpoint;
  if (recipient.node == node_) {
    // Routed through the room just read: its admission needs no second look.
    if (const auto connection = seated(signal->appointment_id, recipient.connection_id)) {
      (void)connection->send_text(frame);
    }
    return ok_status();
  }
  if (remote_ != nullptr) {
    VisitNotice notice;
    notice.kind = VisitNoticeKind::kSignal;
    notice.node = node_;
    notice.appointment_id = signal->appointment_id;
    notice.participant_id = route->to.id;
    notice.to = recipient;
    notice.frame = std::move(frame);
    remote_->announce(notice);
  }
  return ok_status();
}

Status VisitRooms::refresh_ice(HubReplyTo& to, const realtime::HubEnvelope& envelope) {
  auto appointment_id = id_field(envelope.payload, "appointment_id");
  if (!appointment_id.ok()) {
    return appointment_id.error();
  }
  auto place = rooms_.own_place(*appointment_id, hub_caller(to.principal(), to.peer(), node_));
  if (!place.ok()) {
    return place.error();
  }
  Poco::JSON::Object::Ptr payload = ice_json(rooms_.ice_for(place->id));
  payload->set("appointment_id", *appointment_id);
  to.reply("ice.servers", payload);
  return ok_status();
}

Status VisitRooms::watch_queue(HubReplyTo& to, const realtime::HubEnvelope& envelope) {
  auto practitioner_id = id_field(envelope.payload, "practitioner_id");
  if (!practitioner_id.ok()) {
    return practitioner_id.error();
  }
  TH_RETURN_IF_ERROR(
      rooms_.may_watch_queue(*practitioner_id, hub_caller(to.principal(), to.peer(), node_)));
  {
    std::lock_guard lock(seats_mutex_);
    const std::uint64_t id = to.peer().connection_id;
    watchers_[*practitioner_id][id] = to.connection().shared_from_this();
    watching_[id].insert(*practitioner_id);
  }
  Poco::JSON::Object::Ptr payload = object();
  payload->set("practitioner_id", *practitioner_id);
  to.reply("queue.watching", payload);
  return ok_status();
}

// The places go away on the worker: a socket closing never waits for the
// database.
void VisitRooms::closed(const HubPeer& peer) {
  const std::uint64_t id = peer.connection_id;
  std::set<std::string> rooms;
  {
    std::lock_guard lock(seats_mutex_);
    if (const auto found = seated_in_.find(id); found != seated_in_.end()) {
      rooms = found->second;
    }
    if (const auto found = watching_.find(id); found != watching_.end()) {
      for (const std::string& practitioner_id : found->second) {
        watchers_[practitioner_id].erase(id);
        if (watchers_[practitioner_id].empty()) {
          watchers_.erase(practitioner_id);
        }
      }
      watching_.erase(found);
    }
  }
  for (const std::string& appointment_id : rooms) {
    unseat(appointment_id, id);
  }
  if (rooms.empty()) {
    return;
  }
  const visits::Endpoint endpoint{node_, peer.connection_id};
  post([this, endpoint] {
    auto changes = rooms_.disconnected(endpoint);
    if (!changes.ok()) {
      spdlog::warn("visit rooms: connection {} closed, its places stay: {}", endpoint.connection_id,
                   changes.error().message());
      return;
    }
    publish_changes(*changes);
  });
}

// ---- events from the scheduling services (request threads) ----

void VisitRooms::queue_changed(const scheduling::QueueChange& change) {
  VisitNotice notice;
  notice.kind = VisitNoticeKind::kQueue;
  notice.appointment_id = change.appointment_id;
  notice.detail = change.practitioner_id;
  publish(std::move(notice));
}

void VisitRooms::on_change_committed(const scheduling::AppointmentChange& change) {
  if (!scheduling::is_final(change.appointment.status) ||
      scheduling::is_final(change.previous_status)) {
    return;
  }
  const std::string appointment_id = change.appointment.id;
  const std::string reason(scheduling::appointment_status_name(change.appointment.status));
  post([this, appointment_id, reason] {
    auto closed = rooms_.close_room(appointment_id);
    if (!closed.ok()) {
      spdlog::warn("visit rooms: room {} could not be closed: {}", appointment_id,
                   closed.error().message());
    }
    VisitNotice notice;
    notice.kind = VisitNoticeKind::kEnded;
    notice.appointment_id = appointment_id;
    notice.detail = reason;
    publish(std::move(notice));
  });
}

// ---- notices ----

void VisitRooms::publish(VisitNotice notice) {
  notice.node = node_;
  if (remote_ != nullptr) {
    remote_->announce(notice);
  }
  post([this, notice = std::move(notice)] { apply(notice); });
}

void VisitRooms::publish_changes(const std::vector<visits::RoomChange>& changes) {
  for (const visits::RoomChange& change : changes) {
    VisitNotice notice;
    notice.appointment_id = change.participant.appointment_id;
    notice.participant_id = change.participant.id;
    notice.before = change.before;
    notice.replaced = change.replaced;
    publish(std::move(notice));
  }
}

void VisitRooms::receive(VisitNotice notice) {
  post([this, notice = std::move(notice)] { apply(notice); });
}

void VisitRooms::post(std::function<void()> job) {
  {
    std::lock_guard lock(jobs_mutex_);
    jobs_.push_back(std::move(job));
  }
  jobs_ready_.notify_one();
}

void VisitRooms::work() {
  auto next_sweep = std::chrono::steady_clock::now() + kSweepInterval;
  for (;;) {
    std::deque<std::function<void()>> jobs;
    {
      std::unique_lock lock(jobs_mutex_);
      jobs_ready_.wait_until(lock, next_sweep, [this] { return stopping_ || !jobs_.empty(); });
      // Stopping, what is queued is still applied (the places of the
      // connections the hub just closed go away).
      if (stopping_ && jobs_.empty()) {
        return;
      }
      jobs.swap(jobs_);
    }
    for (auto& job : jobs) {
      try {
        job();
      } catch (const std::exception& failure) {
        spdlog::error("visit rooms: a change could not be applied: {}", failure.what());
      }
    }
    if (std::chrono::steady_clock::now() >= next_sweep) {
      sweep();
      next_sweep = std::chrono::steady_clock::now() + kSweepInterval;
    }
  }
}

void VisitRooms::sweep() {
  auto expired = rooms_.expire_away();
  if (!expired.ok()) {
    spdlog::warn("visit rooms: away places could not be expired: {}", expired.error().message());
    return;
  }
  publish_changes(*expired);
}

void VisitRooms::apply(const VisitNotice& notice) {
  switch (notice.kind) {
    case VisitNoticeKind::kSignal:
      deliver_signal(notice);
      return;
    case VisitNoticeKind::kQueue:
      apply_queue(notice.detail);
      return;
    case VisitNoticeKind::kRoomChanged:
    case VisitNoticeKind::kAdmitted:
    case VisitNoticeKind::kReturned:
    case VisitNoticeKind::kTransferred:
    case VisitNoticeKind::kEnded:
      apply_room(notice);
      return;
  }
}

void VisitRooms::apply_room(const VisitNotice& notice) {
  if (notice.replaced && notice.replaced->node == node_) {
    end_seat(notice.appointment_id, notice.replaced->connection_id, "replaced");
  }
  if (notice.kind == VisitNoticeKind::kEnded) {
    end_room(notice.appointment_id, notice.detail);
    return;
  }
  auto room = rooms_.room(notice.appointment_id);
  if (!room.ok()) {
    spdlog::warn("visit rooms: room {} could not be read: {}", notice.appointment_id,
                 room.error().message());
    return;
  }
  remember(*room);
  LazyPosition position(rooms_, *room);
  if (notice.kind == VisitNoticeKind::kTransferred) {
    for (const Participant& viewer : room->participants) {
      if (waiting_guest_or_patient(viewer)) {
        Poco::JSON::Object::Ptr payload = room_payload(room->appointment_id);
        payload->set("practitioner_id", notice.detail);
        add_position(*payload, position.get());
        send(local_connection(*room, viewer), "visit.transferred", payload);
      }
    }
    return;
  }
  const Participant* changed = room->find(notice.participant_id);
  if (changed == nullptr) {
    return;
  }
  // The participant moved hears of it first: someone just admitted must
  // know before the others' offers reach them.
  tell_moved(*room, *changed, notice.kind, position);
  for (const Participant& viewer : room->participants) {
    if (announced_to(viewer, *changed, notice.before)) {
      Poco::JSON::Object::Ptr payload = room_payload(room->appointment_id);
      payload->set("participant", participant_json(*changed));
      send(local_connection(*room, viewer), "room.participant", payload);
    }
  }
}

void VisitRooms::tell_moved(const visits::Room& room, const Participant& moved,
                            VisitNoticeKind kind, LazyPosition& position) {
  if (kind == VisitNoticeKind::kAdmitted && moved.state == ParticipantState::kAdmitted) {
    Poco::JSON::Object::Ptr payload = room_payload(room.appointment_id);
    payload->set("participant_id", moved.id);
    payload->set("participants", participants_json(room, moved));
    payload->set("ice", ice_json(rooms_.ice_for(moved.id)));
    send(local_connection(room, moved), "visit.admitted", payload);
  } else if (kind == VisitNoticeKind::kReturned && moved.state == ParticipantState::kWaiting) {
    Poco::JSON::Object::Ptr payload = room_payload(room.appointment_id);
    add_position(*payload, position.get());
    send(local_connection(room, moved), "visit.returned", payload);
  }
}

void VisitRooms::end_seat(const std::string& appointment_id, std::uint64_t connection_id,
                          const std::string& reason) {
  if (auto connection = seated(appointment_id, connection_id)) {
    Poco::JSON::Object::Ptr payload = room_payload(appointment_id);
    payload->set("reason", reason);
    send(connection, "visit.ended", payload);
    unseat(appointment_id, connection_id);
  }
}

void VisitRooms::end_room(const std::string& appointment_id, const std::string& reason) {
  std::vector<std::uint64_t> ids;
  {
    std::lock_guard lock(seats_mutex_);
    if (const auto found = seats_.find(appointment_id); found != seats_.end()) {
      for (const auto& [id, connection] : found->second) {
        ids.push_back(id);
      }
    }
  }
  for (const std::uint64_t id : ids) {
    end_seat(appointment_id, id, reason);
  }
}

std::shared_ptr<HubConnection> VisitRooms::local_connection(const visits::Room& room,
                                                            const Participant& participant) const {
  if (participant.endpoint.node != node_ || !participant.present()) {
    return nullptr;
  }
  return seated(room.appointment_id, participant.endpoint.connection_id);
}

// Watchers re-read the queue; the waiting of this daemon whose visit is in
// that queue are told their new place.
void VisitRooms::apply_queue(const std::string& practitioner_id) {
  std::vector<std::shared_ptr<HubConnection>> watchers;
  {
    std::lock_guard lock(seats_mutex_);
    if (const auto found = watchers_.find(practitioner_id); found != watchers_.end()) {
      for (const auto& [id, weak] : found->second) {
        if (auto connection = weak.lock()) {
          watchers.push_back(std::move(connection));
        }
      }
    }
  }
  for (const auto& connection : watchers) {
    Poco::JSON::Object::Ptr payload = object();
    payload->set("practitioner_id", practitioner_id);
    send(connection, "queue.changed", payload);
  }

  for (const std::string& appointment_id : local_rooms()) {
    auto room = rooms_.room(appointment_id);
    if (!room.ok()) {
      continue;
    }
    remember(*room);
    if (room->practitioner_id != practitioner_id) {
      continue;
    }
    LazyPosition position(rooms_, *room);
    for (const Participant& viewer : room->participants) {
      const auto connection = local_connection(*room, viewer);
      if (connection && waiting_guest_or_patient(viewer)) {
        Poco::JSON::Object::Ptr payload = room_payload(appointment_id);
        add_position(*payload, position.get());
        send(connection, "visit.position", payload);
      }
    }
  }
}

void VisitRooms::deliver_signal(const VisitNotice& notice) {
  if (notice.to.node != node_) {
    return;
  }
  const auto connection = seated(notice.appointment_id, notice.to.connection_id);
  if (!connection) {
    return;  // the recipient went away meanwhile
  }
  // Checked again at this end: the recipient may have left the call since
  // the sender's daemon looked.
  auto room = known_room(notice.appointment_id);
  const Participant* recipient = room.ok() ? (*room)->find(notice.participant_id) : nullptr;
  if (recipient == nullptr || recipient->state != ParticipantState::kAdmitted ||
      recipient->endpoint != notice.to) {
    return;
  }
  if (notice.stored_id.empty()) {
    (void)connection->send_text(notice.frame);
    return;
  }
  auto frame = rooms_.take_signal(notice.stored_id);
  if (frame.ok() && frame->has_value()) {
    (void)connection->send_text(**frame);
  }
}

// ---- this daemon's connections ----

void VisitRooms::seat(const std::string& appointment_id, HubConnection& connection) {
  std::lock_guard lock(seats_mutex_);
  const std::uint64_t id = connection.peer().connection_id;
  seats_[appointment_id][id] = connection.shared_from_this();
  seated_in_[id].insert(appointment_id);
}

void VisitRooms::unseat(const std::string& appointment_id, std::uint64_t connection_id) {
  bool emptied = false;
  {
    std::lock_guard lock(seats_mutex_);
    if (const auto found = seats_.find(appointment_id); found != seats_.end()) {
      found->second.erase(connection_id);
      if (found->second.empty()) {
        seats_.erase(found);
        emptied = true;
      }
    }
    if (const auto found = seated_in_.find(connection_id); found != seated_in_.end()) {
      found->second.erase(appointment_id);
      if (found->second.empty()) {
        seated_in_.erase(found);
      }
    }
  }
  // A room none of this daemon's connections sit in is not kept.
  if (emptied) {
    std::lock_guard lock(rooms_mutex_);
    known_.erase(appointment_id);
  }
}

Result<std::shared_ptr<const visits::Room>> VisitRooms::known_room(
    const std::string& appointment_id) {
  {
    std::lock_guard lock(rooms_mutex_);
    if (const auto found = known_.find(appointment_id); found != known_.end()) {
      return found->second;
    }
  }
  auto room = rooms_.room(appointment_id);
  if (!room.ok()) {
    return room.error();
  }
  auto shared = std::make_shared<const visits::Room>(std::move(*room));
  if (!local_room(appointment_id)) {
    return shared;
  }
  std::lock_guard lock(rooms_mutex_);
  known_[appointment_id] = shared;
  return shared;
}

void VisitRooms::remember(const visits::Room& room) {
  if (!local_room(room.appointment_id)) {
    return;
  }
  auto shared = std::make_shared<const visits::Room>(room);
  std::lock_guard lock(rooms_mutex_);
  known_[room.appointment_id] = std::move(shared);
}

bool VisitRooms::local_room(const std::string& appointment_id) const {
  std::lock_guard lock(seats_mutex_);
  return seats_.find(appointment_id) != seats_.end();
}

std::shared_ptr<HubConnection> VisitRooms::seated(const std::string& appointment_id,
                                                  std::uint64_t connection_id) const {
  std::lock_guard lock(seats_mutex_);
  const auto room = seats_.find(appointment_id);
  if (room == seats_.end()) {
    return nullptr;
  }
  const auto found = room->second.find(connection_id);
  return found == room->second.end() ? nullptr : found->second.lock();
}

std::vector<std::string> VisitRooms::local_rooms() const {
  std::lock_guard lock(seats_mutex_);
  std::vector<std::string> ids;
  ids.reserve(seats_.size());
  for (const auto& [appointment_id, connections] : seats_) {
    ids.push_back(appointment_id);
  }
  return ids;
}

void VisitRooms::send(const std::shared_ptr<HubConnection>& connection, std::string_view type,
                      Poco::JSON::Object::Ptr payload) {
  if (connection) {
    (void)connection->send_text(realtime::encode_hub_envelope(type, "", payload));
  }
}

}  // namespace th::server
