#include "server/hub/message_relay.h"

#include <spdlog/spdlog.h>

#include <sstream>

#include "storage/notification_listener.h"

namespace th::server {

MessageRelay::MessageRelay(MessageDelivery& local, messaging::MessagingService& messaging,
                           storage::Database& database, storage::DatabaseOptions options,
                           std::string node)
    : local_(local),
      messaging_(messaging),
      database_(database),
      node_(std::move(node)),
      loop_(std::move(options), kMessageChannel,
            [this](const std::string& payload) { apply(payload); }) {}

MessageRelay::~MessageRelay() {
  stop();
}

void MessageRelay::start() {
  loop_.start();
}

void MessageRelay::stop() {
  loop_.stop();
}

void MessageRelay::message_posted(const messaging::Conversation& conversation,
                                  const std::vector<std::string>& member_ids,
                                  const messaging::Message& message) {
  local_.message_posted(conversation, member_ids, message);
  announce("m " + node_ + " " + conversation.id + " " + std::to_string(message.seq));
}

void MessageRelay::message_read(const messaging::Conversation& conversation,
                                const std::vector<std::string>& member_ids,
                                const std::string& reader_id, std::int64_t seq) {
  local_.message_read(conversation, member_ids, reader_id, seq);
  announce("r " + node_ + " " + conversation.id + " " + reader_id + " " + std::to_string(seq));
}

// A failed announcement delays other daemons' delivery until their clients'
// next message or reconnect; the message itself is stored either way.
void MessageRelay::announce(const std::string& payload) {
  const Status sent = database_.run(
      [&](soci::session& session) { storage::notify(session, kMessageChannel, payload); });
  if (!sent.ok()) {
    spdlog::warn("could not announce a message to the other daemons: {}", sent.error().message());
  }
}

// Own announcements were delivered here already.
void MessageRelay::apply(const std::string& payload) {
  std::istringstream words(payload);
  std::string kind, node, conversation_id;
  words >> kind >> node >> conversation_id;
  if (node == node_ || conversation_id.empty()) {
    return;
  }
  auto target = messaging_.delivery_target(conversation_id);
  if (!target.ok()) {
    spdlog::debug("message relay: conversation {}: {}", conversation_id, target.error().message());
    return;
  }
  if (kind == "m") {
    messaging::Message message;
    message.conversation_id = conversation_id;
    words >> message.seq;
    local_.message_posted(target->first, target->second, message);
  } else if (kind == "r") {
    std::string reader;
    std::int64_t seq = 0;
    words >> reader >> seq;
    local_.message_read(target->first, target->second, reader, seq);
  }
}

}  // namespace th::server
