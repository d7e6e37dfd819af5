#include "server/hub/message_delivery.h"

#include <spdlog/spdlog.h>

namespace th::server {
namespace {

constexpr std::size_t kCatchUpBatch = 500;

Poco::JSON::Object::Ptr object() {
  return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

Error invalid_payload(std::string_view detail) {
  return Error(ErrorCode::kInvalidArgument, "invalid_payload: " + std::string(detail));
}

Result<std::string> payload_string(const Poco::JSON::Object::Ptr& payload, const char* name) {
  const Poco::Dynamic::Var value = payload->get(name);
  if (!value.isString() || value.extract<std::string>().empty()) {
    return invalid_payload(std::string(name) + " is required");
  }
  return value.extract<std::string>();
}

Result<std::int64_t> payload_seq(const Poco::JSON::Object::Ptr& payload, const char* name) {
  const Poco::Dynamic::Var value = payload->get(name);
  if (!value.isInteger() || value.convert<std::int64_t>() < 0) {
    return invalid_payload(std::string(name) + " must be a non-negative integer");
  }
  return value.convert<std::int64_t>();
}

}  // namespace

Poco::JSON::Object::Ptr message_json(const messaging::Message& message) {
  Poco::JSON::Object::Ptr json = object();
  json->set("conversation_id", message.conversation_id);
  json->set("seq", message.seq);
  json->set("id", message.id);
  json->set("sender_id", message.sender_id);
  json->set("sent_at", message.sent_at);
  json->set("body", message.body);
  json->set("client_ref", message.client_ref);
  Poco::JSON::Array::Ptr attachments = new Poco::JSON::Array;
  for (const std::string& id : message.attachments) {
    attachments->add(id);
  }
  json->set("attachments", attachments);
  return json;
}

Result<std::vector<std::string>> attachment_ids(const Poco::JSON::Object::Ptr& object) {
  std::vector<std::string> ids;
  if (!object->has("attachments")) {
    return ids;
  }
  const Poco::JSON::Array::Ptr list = object->getArray("attachments");
  if (list.isNull() || list->size() > messaging::kMaxAttachments) {
    return invalid_payload("attachments must be a list of at most 5 document ids");
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Poco::Dynamic::Var id = list->get(static_cast<unsigned>(i));
    if (!id.isString()) {
      return invalid_payload("attachments must be document ids");
    }
    ids.push_back(id.extract<std::string>());
  }
  return ids;
}

MessageDelivery::MessageDelivery(Hub& hub, messaging::MessagingService& messaging, std::string node)
    : hub_(hub), messaging_(messaging), node_(std::move(node)) {}

void MessageDelivery::install() {
  hub_.handle(
      "subscribe",
      [this](HubReplyTo& to, const realtime::HubEnvelope& envelope) {
        return subscribe(to, envelope);
      },
      /*activity=*/false);
  hub_.handle("message.send", [this](HubReplyTo& to, const realtime::HubEnvelope& envelope) {
    return send(to, envelope);
  });
  hub_.handle("message.read", [this](HubReplyTo& to, const realtime::HubEnvelope& envelope) {
    return mark_read(to, envelope);
  });
  hub_.on_closed([this](const HubPeer& peer) {
    std::lock_guard lock(feeds_mutex_);
    feeds_.erase(peer.connection_id);
  });
}

std::shared_ptr<MessageDelivery::Feed> MessageDelivery::feed_of(std::uint64_t connection_id) {
  std::lock_guard lock(feeds_mutex_);
  auto& feed = feeds_[connection_id];
  if (!feed) {
    feed = std::make_shared<Feed>();
  }
  return feed;
}

// Caller holds nothing; takes the feed's lock for the whole fetch and
// queueing, so two deliveries to one connection cannot interleave.
Status MessageDelivery::catch_up(HubConnection& connection, const access::Principal& principal,
                                 const std::string& conversation_id, std::int64_t through,
                                 bool& more) {
  const std::shared_ptr<Feed> feed = feed_of(connection.peer().connection_id);
  std::lock_guard lock(feed->mutex);
  std::int64_t& cursor = feed->delivered[conversation_id];
  more = false;
  if (through > 0 && through <= cursor) {
    return ok_status();  // already given
  }
  messaging::MessageRange range;
  range.after = cursor;
  range.limit = kCatchUpBatch;
  auto messages =
      messaging_.history(conversation_id, range, hub_caller(principal, connection.peer(), node_));
  if (!messages.ok()) {
    return messages.error();
  }
  for (const messaging::Message& message : *messages) {
    if (!connection.send_text(
            realtime::encode_hub_envelope("message", "", message_json(message)))) {
      return ok_status();  // the connection is closing; it resumes from its cursor later
    }
    cursor = message.seq;
  }
  more = messages->size() == kCatchUpBatch;
  return ok_status();
}

Status MessageDelivery::subscribe(HubReplyTo& to, const realtime::HubEnvelope& envelope) {
  const Poco::JSON::Object::Ptr cursors = envelope.payload->getObject("cursors");
  if (cursors.isNull() || cursors->size() > messaging::kMaxMembers * 20) {
    return invalid_payload("cursors must be an object of conversation ids and sequence numbers");
  }
  Poco::JSON::Object::Ptr reached = object();
  Poco::JSON::Array::Ptr more = new Poco::JSON::Array;
  for (const auto& [conversation_id, value] : *cursors) {
    if (!value.isInteger() || value.convert<std::int64_t>() < 0) {
      return invalid_payload("each cursor must be a non-negative integer");
    }
    {
      const std::shared_ptr<Feed> feed = feed_of(to.peer().connection_id);
      std::lock_guard lock(feed->mutex);
      feed->delivered[conversation_id] = value.convert<std::int64_t>();
    }
    bool truncated = false;
    TH_RETURN_IF_ERROR(catch_up(to.connection(), to.principal(), conversation_id, 0, truncated));
    if (truncated) {
      more->add(conversation_id);
    }
    const std::shared_ptr<Feed> feed = feed_of(to.peer().connection_id);
    std::lock_guard lock(feed->mutex);
    reached->set(conversation_id, feed->delivered[conversation_id]);
  }
  Poco::JSON::Object::Ptr payload = object();
  payload->set("cursors", reached);
  payload->set("more", more);
  to.reply("subscribed", payload);
  return ok_status();
}

Status MessageDelivery::send(HubReplyTo& to, const realtime::HubEnvelope& envelope) {
  auto conversation_id = payload_string(envelope.payload, "conversation_id");
  auto body = payload_string(envelope.payload, "body");
  if (!conversation_id.ok()) {
    return conversation_id.error();
  }
  if (!body.ok()) {
    return body.error();
  }
  const std::string client_ref = envelope.payload->optValue<std::string>("client_ref", "");
  auto attachments = attachment_ids(envelope.payload);
  if (!attachments.ok()) {
    return attachments.error();
  }
  auto posted = messaging_.send(*conversation_id, *body, client_ref,
                                hub_caller(to.principal(), to.peer(), node_), *attachments);
  if (!posted.ok()) {
    return posted.error();
  }
  Poco::JSON::Object::Ptr payload = object();
  payload->set("conversation_id", posted->message.conversation_id);
  payload->set("seq", posted->message.seq);
  payload->set("id", posted->message.id);
  payload->set("duplicate", posted->duplicate);
  to.reply("message.sent", payload);
  return ok_status();
}

Status MessageDelivery::mark_read(HubReplyTo& to, const realtime::HubEnvelope& envelope) {
  auto conversation_id = payload_string(envelope.payload, "conversation_id");
  auto seq = payload_seq(envelope.payload, "seq");
  if (!conversation_id.ok()) {
    return conversation_id.error();
  }
  if (!seq.ok()) {
    return seq.error();
  }
  auto moved =
      messaging_.mark_read(*conversation_id, *seq, hub_caller(to.principal(), to.peer(), node_));
  if (!moved.ok()) {
    return moved.error();
  }
  Poco::JSON::Object::Ptr payload = object();
  payload->set("moved", *moved);
  to.reply("message.read", payload);
  return ok_status();
}

// Each connection takes the new message through catch_up, which sends it
// only if it is the next one and fills any gap before it first.
void MessageDelivery::message_posted(const messaging::Conversation& conversation,
                                     const std::vector<std::string>& member_ids,
                                     const messaging::Message& message) {
  for (const auto& connection : hub_.connections_of(member_ids)) {
    auto principal = hub_.current_principal(connection->peer());
    if (!principal.ok()) {
      continue;  // the session ended; its socket is about to close
    }
    {
      // A connection that never named this conversation starts from the
      // message before this one rather than from the beginning.
      const std::shared_ptr<Feed> feed = feed_of(connection->peer().connection_id);
      std::lock_guard lock(feed->mutex);
      if (feed->delivered.find(conversation.id) == feed->delivered.end()) {
        feed->delivered[conversation.id] = message.seq - 1;
      }
    }
    bool more = false;
    const Status delivered = catch_up(*connection, *principal, conversation.id, message.seq, more);
    if (!delivered.ok() && delivered.error().code() != ErrorCode::kNotFound) {
      spdlog::warn("hub: live delivery to connection {} failed: {}",
                   connection->peer().connection_id, delivered.error().message());
    }
  }
}

void MessageDelivery::message_read(const messaging::Conversation& conversation,
                                   const std::vector<std::string>& member_ids,
                                   const std::string& reader_id, std::int64_t seq) {
  Poco::JSON::Object::Ptr payload = object();
  payload->set("conversation_id", conversation.id);
  payload->set("user_id", reader_id);
  payload->set("seq", seq);
  (void)hub_.send_to_users(member_ids, realtime::encode_hub_envelope("receipt", "", payload));
}

}  // namespace th::server
