#include "server/hub/hub.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace th::server {
namespace {

using realtime::HubEnvelope;

Poco::JSON::Object::Ptr object() {
  return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

// The reason word of a credential error ("session_revoked: ...").
std::string reason_word(const Error& error) {
  const std::string& message = error.message();
  return message.substr(0, message.find(':'));
}

}  // namespace

void HubReplyTo::reply(std::string_view type, Poco::JSON::Object::Ptr payload) {
  if (payload.isNull()) {
    payload = object();
  }
  payload->set("ref", ref_);
  (void)connection_.send_text(realtime::encode_hub_envelope(type, "", payload));
}

Result<std::unique_ptr<Hub>> Hub::create(const HubLimits& limits, Services services) {
  std::unique_ptr<Hub> hub(new Hub(limits, std::move(services)));
  Hub* self = hub.get();
  HubLoopHandlers handlers;
  handlers.on_message = [self](HubConnection& connection, realtime::WebSocketMessage& message) {
    self->on_message(connection, message);
  };
  handlers.on_tick = [self](HubConnection& connection) { self->on_tick(connection); };
  handlers.on_finished = [self](HubConnection& connection) { self->on_finished(connection); };
  for (int i = 0; i < std::max(1, limits.io_threads); ++i) {
    auto loop = HubIoLoop::create(handlers, limits.batch_window);
    if (!loop.ok()) {
      return loop.error().with_context("start the websocket hub");
    }
    hub->loops_.push_back(std::move(*loop));
  }
  hub->handle(
      "hello",
      [self](HubReplyTo& to, const HubEnvelope& envelope) {
        return self->answer_hello(to, envelope);
      },
      /*activity=*/false);
  return hub;
}

Hub::Hub(const HubLimits& limits, Services services)
    : limits_(limits), services_(std::move(services)) {}

Hub::~Hub() {
  stop();
}

void Hub::handle(std::string type, HubHandler handler, bool activity, HubPayload form) {
  handlers_[std::move(type)] = Registered{std::move(handler), activity, form};
}

void Hub::on_closed(std::function<void(const HubPeer&)> listener) {
  closed_listeners_.push_back(std::move(listener));
}

void Hub::start() {
  for (auto& loop : loops_) {
    loop->start();
  }
}

void Hub::stop() {
  for (auto& loop : loops_) {
    loop->stop();
  }
}

void Hub::accept(Poco::Net::SecureStreamSocket tls, HubPeer peer, std::string early_input) {
  auto connection = std::make_shared<HubConnection>(std::move(tls), std::move(peer), limits_,
                                                    std::move(early_input));
  // Guests have no user id: they are reached through their visit room only.
  if (!connection->peer().principal.user_id.empty()) {
    std::unique_lock lock(users_mutex_);
    by_user_[connection->peer().principal.user_id].push_back(connection);
  }
  send_hello(*connection);
  const std::size_t index = next_loop_++ % loops_.size();
  loops_[index]->adopt(std::move(connection));
}

// The first frame on every connection says what the server speaks and the
// limits the client must stay within.
void Hub::send_hello(HubConnection& connection) {
  Poco::JSON::Object::Ptr payload = object();
  payload->set("protocol", realtime::kHubProtocolVersion);
  payload->set("connection_id", std::to_string(connection.peer().connection_id));
  payload->set("user_id", connection.peer().principal.user_id);
  payload->set("max_message_bytes", static_cast<std::uint64_t>(limits_.max_message_bytes));
  payload->set("ping_interval_seconds", static_cast<std::int64_t>(limits_.ping_interval.count()));
  (void)connection.send_text(realtime::encode_hub_envelope("hello", "", payload));
}

Status Hub::answer_hello(HubReplyTo& to, const HubEnvelope& envelope) {
  const Poco::Dynamic::Var protocol = envelope.payload->get("protocol");
  if (!protocol.isEmpty() &&
      (!protocol.isInteger() || protocol.convert<int>() != realtime::kHubProtocolVersion)) {
    return Error(ErrorCode::kInvalidArgument,
                 "unsupported_protocol: this server speaks protocol version " +
                     std::to_string(realtime::kHubProtocolVersion));
  }
  Poco::JSON::Object::Ptr payload = object();
  payload->set("protocol", realtime::kHubProtocolVersion);
  to.reply("hello", payload);
  return ok_status();
}

std::vector<std::shared_ptr<HubConnection>> Hub::connections_of(
    const std::vector<std::string>& user_ids) const {
  std::vector<std::shared_ptr<HubConnection>> targets;
  std::shared_lock lock(users_mutex_);
  for (const std::string& user_id : user_ids) {
    const auto found = by_user_.find(user_id);
    if (found == by_user_.end()) {
      continue;
    }
    for (const auto& weak : found->second) {
      if (auto connection = weak.lock()) {
        targets.push_back(std::move(connection));
      }
    }
  }
  return targets;
}

Result<access::Principal> Hub::current_principal(const HubPeer& peer) const {
  auto principal = principal_now(peer, false);
  if (!principal.ok()) {
    return principal.error();
  }
  return **principal;
}

Result<std::shared_ptr<const access::Principal>> Hub::principal_now(
    const HubPeer& peer, bool activity, access::CredentialCache::Held* held) const {
  if (peer.principal.kind != access::PrincipalKind::kGuest) {
    if (held != nullptr) {
      return services_.credentials->share_token_hash(peer.token_hash, activity, *held);
    }
    return services_.credentials->share_token_hash(peer.token_hash, activity);
  }
  if (services_.guests == nullptr) {
    return Error(ErrorCode::kUnauthenticated, "invalid_token: guest sessions are not served");
  }
  auto guest = services_.guests->authenticate_guest_hash(peer.token_hash);
  if (!guest.ok()) {
    return guest.error();
  }
  return std::make_shared<const access::Principal>(std::move(*guest));
}

std::size_t Hub::send_to_users(const std::vector<std::string>& user_ids, std::string_view text) {
  std::size_t queued = 0;
  for (const auto& connection : connections_of(user_ids)) {
    queued += connection->send_text(std::string(text)) ? 1 : 0;
  }
  return queued;
}

std::size_t Hub::connection_count() const {
  std::size_t count = 0;
  for (const auto& loop : loops_) {
    count += loop->connection_count();
  }
  return count;
}

void Hub::on_message(HubConnection& connection, realtime::WebSocketMessage& message) {
  if (message.opcode != realtime::WebSocketOpcode::kText) {
    refuse(connection,
           Error(ErrorCode::kInvalidArgument,
                 "invalid_envelope: the protocol uses text messages only"),
           "", realtime::kHubErrorInvalidEnvelope);
    return;
  }
  auto envelope = realtime::scan_hub_envelope(message.payload);
  if (!envelope.ok()) {
    refuse(connection, envelope.error(), "", realtime::kHubErrorInvalidEnvelope);
    return;
  }
  if (envelope->type == "ping") {
    // The reply names nobody: the connection's own principal serves, unowned.
    const std::shared_ptr<const access::Principal> unowned(std::shared_ptr<void>(),
                                                           &connection.peer().principal);
    HubReplyTo(connection, envelope->id, unowned).reply("pong", object());
    return;  // liveness only: not activity
  }
  const auto handler = handlers_.find(envelope->type);
  if (handler == handlers_.end()) {
    refuse(connection,
           Error(ErrorCode::kInvalidArgument, "unknown_type: no message type of that name"),
           envelope->id, realtime::kHubErrorUnknownType);
    return;
  }
  if (handler->second.form == HubPayload::kParsed) {
    envelope = realtime::parse_hub_envelope(message.payload);
    if (!envelope.ok()) {
      refuse(connection, envelope.error(), "", realtime::kHubErrorInvalidEnvelope);
      return;
    }
  }

  // What the user sends counts for the idle timeout; and nothing is handled
  // for a session that ended meanwhile.
  auto principal =
      principal_now(connection.peer(), handler->second.activity, &connection.held_credential());
  if (!principal.ok()) {
    connection.close(realtime::kCloseSessionEnded, reason_word(principal.error()));
    return;
  }
  HubReplyTo to(connection, envelope->id, std::move(*principal));
  Status handled = ok_status();
  try {
    handled = handler->second.handler(to, *envelope);
  } catch (const std::exception& failure) {
    spdlog::error("hub connection {}: handler for a message failed: {}",
                  connection.peer().connection_id, failure.what());
    handled = Error(ErrorCode::kInternal, "internal: the message could not be handled");
  }
  if (!handled.ok()) {
    const ErrorCode code = handled.error().code();
    refuse(connection, handled.error(), envelope->id, realtime::kHubErrorInternal,
           code == ErrorCode::kPermissionDenied || code == ErrorCode::kNotFound);
  }
}

// Error frame; denials (bad input, no access) are audited, and a client
// that keeps causing them is disconnected.
void Hub::refuse(HubConnection& connection, const Error& error, const std::string& ref,
                 std::string_view fallback_code, bool audited) {
  (void)connection.send_text(realtime::encode_hub_error(error, ref, fallback_code));
  const ErrorCode code = error.code();
  if (code == ErrorCode::kUnavailable || code == ErrorCode::kInternal) {
    return;
  }
  if (!audited) {
    audit_denial(connection.peer(), reason_word(error));
  }
  if (connection.note_protocol_error() >= limits_.max_protocol_errors) {
    connection.close(realtime::kClosePolicyViolation, "too many refused messages");
  }
}

void Hub::audit_denial(const HubPeer& peer, std::string_view reason) {
  if (services_.audit == nullptr) {
    return;
  }
  audit::AuditEvent event =
      hub_caller(peer.principal, peer, services_.node)
          .event("access", "websocket_message", std::to_string(peer.connection_id));
  event.outcome = audit::AuditOutcome::kDenied;
  event.reason = std::string(reason);
  (void)services_.audit->record(std::move(event));
}

void Hub::on_tick(HubConnection& connection) {
  auto principal = principal_now(connection.peer(), false, &connection.held_credential());
  if (!principal.ok() && principal.error().code() == ErrorCode::kUnauthenticated) {
    connection.close(realtime::kCloseSessionEnded, reason_word(principal.error()));
  }
}

void Hub::on_finished(HubConnection& connection) {
  for (const auto& listener : closed_listeners_) {
    listener(connection.peer());
  }
  std::unique_lock lock(users_mutex_);
  const auto found = by_user_.find(connection.peer().principal.user_id);
  if (found == by_user_.end()) {
    return;
  }
  auto& list = found->second;
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](const std::weak_ptr<HubConnection>& weak) {
                              const auto alive = weak.lock();
                              return !alive || alive.get() == &connection;
                            }),
             list.end());
  if (list.empty()) {
    by_user_.erase(found);
  }
}

}  // namespace th::server
