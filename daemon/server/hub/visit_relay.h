// VisitRelay: visit rooms between daemons that share one PostgreSQL
// database. Every VisitNotice this daemon publishes is announced with
// NOTIFY on kVisitChannel; each daemon LISTENs and hands the others'
// notices to its VisitRooms, which reads the rooms from the database for
// its own sockets. A signaling frame travels inside its notification when
// it fits (PostgreSQL allows 8000 bytes); a larger one is stored briefly in
// the database and the notification names it. A lost notification (a
// listener reconnecting) can lose a signaling frame, which WebRTC clients
// recover from by renegotiating; room state stays right in the database.
//
// Only for PostgreSQL; on SQLite (one daemon) VisitRooms has no remote.
// Thread-safe.
#pragma once

#include "server/hub/notification_loop.h"
#include "server/hub/visit_rooms.h"
#include "storage/database.h"

namespace th::server {

inline constexpr const char* kVisitChannel = "telehealthd_visits";

class VisitRelay final : public VisitNoticeSink {
 public:
  VisitRelay(VisitRooms& local, visits::VisitRoomService& rooms, storage::Database& database,
             storage::DatabaseOptions options, std::string node);
  ~VisitRelay() override;

  void start();
  void stop();

  void announce(const VisitNotice& notice) override;

 private:
  void apply(const std::string& payload);

  VisitRooms& local_;
  visits::VisitRoomService& rooms_;
  storage::Database& database_;
  std::string node_;
  NotificationLoop loop_;
};

}  // namespace th::server
