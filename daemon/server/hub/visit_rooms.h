// VisitRooms: video visits on the WebSocket hub. It handles the protocol's
// visit types (lib/realtime/PROTOCOL.md, "Visits"):
//   visit.join, visit.leave, visit.admit, visit.return, visit.transfer,
//   visit.screen_share   room moves, through VisitRoomService;
//   signal               offers, answers and candidates between admitted
//                        participants of one room, relayed untouched;
//   ice.refresh          fresh TURN credentials;
//   queue.watch          queue.changed for a practitioner's queue;
// and fans the changes out: room.participant to those who see the
// participant, visit.admitted / returned / transferred / ended to those
// concerned, visit.position to the waiting whenever their practitioner's
// queue changes (it is the QueueEvents publisher), visit.ended when the
// visit completes, is cancelled or marked a no-show (it is an
// AppointmentEvents observer). A closed socket's places go away and, after
// the rejoin grace, are left.
//
// The database holds the rooms; this daemon keeps which of its own
// connections sit in which room, and the last state it read of those rooms
// (updated by every change made here before its maker is answered, and by
// every notice before anyone is told of it), which signaling is checked
// against: at both ends, the sender's daemon and the recipient's. Every change becomes a
// VisitNotice that is applied here and, with several daemons, announced to the others (set_remote),
// each of which applies it to its own sockets, reading the room from the database. Notices are
// applied in order on one worker thread, never on a request thread; a signal between two
// connections of this daemon is delivered at once from the loop thread that received it.
//
// Thread-safe: handlers run on hub loop threads, notices arrive from
// request threads and the relay's thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>

#include "scheduling/appointment_events.h"
#include "scheduling/queue_events.h"
#include "server/hub/hub.h"
#include "server/hub/visit_notice.h"
#include "visits/visit_room_service.h"

namespace th::server {

class LazyPosition;

// Where notices go beyond this daemon (the relay between daemons).
class VisitNoticeSink {
 public:
  virtual ~VisitNoticeSink() = default;
  virtual void announce(const VisitNotice& notice) = 0;
};

class VisitRooms final : public scheduling::QueueEvents, public scheduling::AppointmentEvents {
 public:
  VisitRooms(Hub& hub, visits::VisitRoomService& rooms, std::string node);
  ~VisitRooms() override;

  // Registers the message types with the hub; before hub.start().
  void install();
  // Before start(): the other daemons' relay; none on a single daemon.
  void set_remote(VisitNoticeSink* remote) { remote_ = remote; }
  // Starts the worker, after this daemon's places from a previous run have
  // gone away (their connections ended with it).
  void start();
  void stop();

  // A notice from another daemon, applied in order with this one's.
  void receive(VisitNotice notice);

  // scheduling::QueueEvents
  void queue_changed(const scheduling::QueueChange& change) override;
  // scheduling::AppointmentEvents: a visit that ended closes its room.
  void on_change_committed(const scheduling::AppointmentChange& change) override;

 private:
  using Connections = std::unordered_map<std::uint64_t, std::weak_ptr<HubConnection>>;

  Status join(HubReplyTo& to, const realtime::HubEnvelope& envelope);
  Status leave(HubReplyTo& to, const realtime::HubEnvelope& envelope);
  Status move(HubReplyTo& to, const realtime::HubEnvelope& envelope, visits::RoomMove move);
  Status transfer(HubReplyTo& to, const realtime::HubEnvelope& envelope);
  Status screen_share(HubReplyTo& to, const realtime::HubEnvelope& envelope);
  Status signal(HubReplyTo& to, const realtime::HubEnvelope& envelope);
  Status refresh_ice(HubReplyTo& to, const realtime::HubEnvelope& envelope);
  Status watch_queue(HubReplyTo& to, const realtime::HubEnvelope& envelope);
  void closed(const HubPeer& peer);

  // Applies the notice here (in order, on the worker) and announces it.
  void publish(VisitNotice notice);
  void publish_changes(const std::vector<visits::RoomChange>& changes);
  void post(std::function<void()> job);
  void work();
  void apply(const VisitNotice& notice);
  void apply_room(const VisitNotice& notice);
  // visit.admitted or visit.returned to the participant who was moved.
  void tell_moved(const visits::Room& room, const visits::Participant& moved, VisitNoticeKind kind,
                  LazyPosition& position);
  // visit.ended to one connection of the room, or to all of this daemon's.
  void end_seat(const std::string& appointment_id, std::uint64_t connection_id,
                const std::string& reason);
  void end_room(const std::string& appointment_id, const std::string& reason);
  void apply_queue(const std::string& practitioner_id);
  void deliver_signal(const VisitNotice& notice);
  void sweep();

  // This daemon's connections in a room, and the queues they watch.
  void seat(const std::string& appointment_id, HubConnection& connection);
  void unseat(const std::string& appointment_id, std::uint64_t connection_id);
  std::shared_ptr<HubConnection> seated(const std::string& appointment_id,
                                        std::uint64_t connection_id) const;
  std::vector<std::string> local_rooms() const;
  // The participant's connection when it is one of this daemon's.
  std::shared_ptr<HubConnection> local_connection(const visits::Room& room,
                                                  const visits::Participant& participant) const;
  // The room as last read, or read now.
  Result<std::shared_ptr<const visits::Room>> known_room(const std::string& appointment_id);
  void remember(const visits::Room& room);
  bool local_room(const std::string& appointment_id) const;
  void send(const std::shared_ptr<HubConnection>& connection, std::string_view type,
            Poco::JSON::Object::Ptr payload);

  Hub& hub_;
  visits::VisitRoomService& rooms_;
  std::string node_;
  VisitNoticeSink* remote_ = nullptr;

  mutable std::mutex seats_mutex_;
  std::unordered_map<std::string, Connections> seats_;  // by appointment id
  std::unordered_map<std::uint64_t, std::set<std::string>> seated_in_;
  std::unordered_map<std::string, Connections> watchers_;  // by practitioner id
  std::unordered_map<std::uint64_t, std::set<std::string>> watching_;

  mutable std::mutex rooms_mutex_;  // never held with seats_mutex_
  std::unordered_map<std::string, std::shared_ptr<const visits::Room>> known_;

  std::mutex jobs_mutex_;
  std::condition_variable jobs_ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace th::server
