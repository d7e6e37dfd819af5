// MessageRelay: messaging between daemons that share one PostgreSQL
// database. Every post and read mark is delivered to this daemon's own
// sockets at once (MessageDelivery) and announced with NOTIFY on the
// channel kMessageChannel; each daemon LISTENs on it and delivers what
// others announced to its own sockets. A notification holds ids and a
// sequence number only ("m NODE CONVERSATION SEQ", "r NODE CONVERSATION
// USER SEQ"); the messages themselves are read from the database, through
// each connection's cursor, so a lost or repeated notification can delay a
// delivery until the next one or a reconnect, but never duplicate or
// reorder it.
//
// Only for PostgreSQL; on SQLite (one daemon) MessageDelivery is the
// observer by itself. The listening runs on a thread of its own, which
// reconnects after losing its connection. Thread-safe.
#pragma once

#include "messaging/message_events.h"
#include "messaging/messaging_service.h"
#include "server/hub/message_delivery.h"
#include "server/hub/notification_loop.h"
#include "storage/database.h"

namespace th::server {

inline constexpr const char* kMessageChannel = "telehealthd_messages";

class MessageRelay final : public messaging::MessageEvents {
 public:
  MessageRelay(MessageDelivery& local, messaging::MessagingService& messaging,
               storage::Database& database, storage::DatabaseOptions options, std::string node);
  ~MessageRelay() override;

  void start();
  void stop();

  void message_posted(const messaging::Conversation& conversation,
                      const std::vector<std::string>& member_ids,
                      const messaging::Message& message) override;
  void message_read(const messaging::Conversation& conversation,
                    const std::vector<std::string>& member_ids, const std::string& reader_id,
                    std::int64_t seq) override;

 private:
  void announce(const std::string& payload);
  void apply(const std::string& payload);

  MessageDelivery& local_;
  messaging::MessagingService& messaging_;
  storage::Database& database_;
  std::string node_;
  NotificationLoop loop_;
};

}  // namespace th::server
