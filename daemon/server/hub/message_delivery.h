// MessageDelivery: secure messaging on the WebSocket hub. It handles the
// protocol's messaging types (lib/realtime/PROTOCOL.md):
//   subscribe      {cursors: {conversation_id: seq, ...}}: everything after
//                  each cursor, then live messages of those conversations;
//   message.send   {conversation_id, body, client_ref}: posts a message;
//   message.read   {conversation_id, seq}: moves the read mark (receipts);
// and, as the service's MessageEvents observer, delivers new messages and
// read receipts to every open connection of every member.
//
// Each connection keeps, per conversation, the last sequence number it was
// given. A message is delivered only when it is the next one; a gap (a
// message committed by a concurrent sender, or sent while the client was
// catching up) is filled from the database first, so every connection gets
// each message exactly once and in order, whichever path it came by. All
// reads go through MessagingService as the receiving user, so they are
// scope-checked and audited like any read.
//
// Thread-safe: called from request threads and hub loop threads.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "messaging/messaging_service.h"
#include "server/hub/hub.h"

namespace th::server {

class MessageDelivery final : public messaging::MessageEvents {
 public:
  MessageDelivery(Hub& hub, messaging::MessagingService& messaging, std::string node);

  // Registers the message types with the hub; before hub.start().
  void install();

  void message_posted(const messaging::Conversation& conversation,
                      const std::vector<std::string>& member_ids,
                      const messaging::Message& message) override;
  void message_read(const messaging::Conversation& conversation,
                    const std::vector<std::string>& member_ids, const std::string& reader_id,
                    std::int64_t seq) override;

 private:
  // What one connection has been given.
  struct Feed {
    std::mutex mutex;  // held while a conversation's messages are fetched and queued
    std::unordered_map<std::string, std::int64_t> delivered;
  };

  std::shared_ptr<Feed> feed_of(std::uint64_t connection_id);
  // Sends the connection everything of the conversation after its cursor,
  // up to `through` (0: all there is). kNotFound when out of reach.
  Status catch_up(HubConnection& connection, const access::Principal& principal,
                  const std::string& conversation_id, std::int64_t through, bool& more);
  Status subscribe(HubReplyTo& to, const realtime::HubEnvelope& envelope);
  Status send(HubReplyTo& to, const realtime::HubEnvelope& envelope);
  Status mark_read(HubReplyTo& to, const realtime::HubEnvelope& envelope);

  Hub& hub_;
  messaging::MessagingService& messaging_;
  std::string node_;
  std::mutex feeds_mutex_;
  std::unordered_map<std::uint64_t, std::shared_ptr<Feed>> feeds_;
};

// The protocol's JSON of a message.
Poco::JSON::Object::Ptr message_json(const messaging::Message& message);

// The "attachments" of a message.send payload or a REST post: a list of
// document ids, none when absent; kInvalidArgument when it is not a list of
// strings.
Result<std::vector<std::string>> attachment_ids(const Poco::JSON::Object::Ptr& object);

}  // namespace th::server
