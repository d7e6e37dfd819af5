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
      options_(std::move(options)),
      node_(std::move(node)) {}

MessageRelay::~MessageRelay() {
  stop();
}

void MessageRelay::start() {
  thread_ = std::thread([this] { listen(); });
}

void MessageRelay::stop() {
  stopping_ = true;
  if (thread_.joinable()) {
    thread_.join();
  }
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

void MessageRelay::listen() {
  std::unique_ptr<storage::NotificationListener> listener;
  while (!stopping_) {
    if (!listener) {
      auto opened = storage::NotificationListener::open(options_, kMessageChannel);
      if (!opened.ok()) {
        spdlog::warn("message relay: {}; retrying", opened.error().message());
        std::this_thread::sleep_for(std::chrono::seconds(1));
        continue;
      }
      listener = std::move(*opened);
    }
    auto payloads = listener->wait(std::chrono::milliseconds(250));
    if (!payloads.ok()) {
      spdlog::warn("message relay: {}; reconnecting", payloads.error().message());
      listener.reset();
      continue;
    }
    for (const std::string& payload : *payloads) {
      try {
        apply(payload);
      } catch (const std::exception& failure) {
        spdlog::error("message relay: a notification could not be applied: {}", failure.what());
      }
    }
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
