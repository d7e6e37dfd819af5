// Hub: the daemon's WebSocket connections after their upgrade, spread over
// a few event-loop threads (HubIoLoop), and the envelope level of the
// real-time protocol (lib/realtime/PROTOCOL.md): hello, ping, error
// frames, the session checks, and dispatch of every other message type to
// the handler registered for it.
//
// What the hub enforces for every connection:
//   - the session it was opened with stays valid (a signed-in user's, or an
//     invited guest's): checked once a second, and
//     a session that was revoked, expired or reached its idle timeout closes
//     the socket with code 4401;
//   - only messages a user sends count as activity for the idle timeout;
//     pings, pongs and hello do not;
//   - malformed JSON, unknown types, handler refusals: an error frame and an
//     audited denial; after HubLimits::max_protocol_errors of them the
//     connection is closed (1008).
//
// Handlers are registered before start(); they run on a loop thread, must
// not block for long, and may call any HubFanout method. Thread-safe after
// start().
#pragma once

#include <Poco/Net/SecureStreamSocket.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "access/credential_cache.h"
#include "access/guest_credentials.h"
#include "audit/audit_event.h"
#include "realtime/hub_envelope.h"
#include "server/hub/hub_connection.h"
#include "server/hub/hub_fanout.h"
#include "server/hub/hub_io_loop.h"
#include "server/hub/hub_limits.h"

namespace th::server {

// A handler's view of the connection a message came from.
class HubReplyTo {
 public:
  // `principal` is shared, not copied: it is checked on every message.
  HubReplyTo(HubConnection& connection, std::string ref,
             std::shared_ptr<const access::Principal> principal)
      : connection_(connection), ref_(std::move(ref)), principal_(std::move(principal)) {}
  const HubPeer& peer() const { return connection_.peer(); }
  HubConnection& connection() { return connection_; }
  // The session's principal as of this message (permissions current).
  const access::Principal& principal() const { return *principal_; }
  // The id of the message being answered ("" when it had none).
  const std::string& ref() const { return ref_; }
  // Sends an envelope of `type` whose payload gets "ref" added.
  void reply(std::string_view type, Poco::JSON::Object::Ptr payload);

 private:
  HubConnection& connection_;
  std::string ref_;
  std::shared_ptr<const access::Principal> principal_;
};

// Handles one message type. An error becomes an error frame answering the
// message: its message's first word is the protocol error code
// ("forbidden: ...", "invalid_payload: ..."). The hub audits refusals of
// bad input; kPermissionDenied and kNotFound are the services' refusals,
// which they audit themselves.
using HubHandler = std::function<Status(HubReplyTo&, const realtime::HubEnvelope&)>;

// The form a handler gets its message's payload in: parsed into Poco
// objects (HubEnvelope::payload), or only scanned and validated, as byte
// ranges of the message (HubEnvelope::payload_json), for a handler on the
// hot path that relays most of what it gets as it came.
enum class HubPayload { kParsed, kScanned };

class Hub final : public HubFanout {
 public:
  struct Services {
    access::CredentialCache* credentials = nullptr;
    // Guest sessions of visit invitations; none: guests are not served.
    access::GuestCredentials* guests = nullptr;
    audit::AuditSink* audit = nullptr;
    std::string node;
  };

  static Result<std::unique_ptr<Hub>> create(const HubLimits& limits, Services services);
  ~Hub() override;

  // `activity`: whether receiving this type counts as the user doing
  // something, for the idle timeout (false for what clients send by
  // themselves, such as a resubscription after reconnecting). Every
  // message is validated by the strict scan first (scan_hub_envelope), in
  // whichever form its handler takes the payload.
  void handle(std::string type, HubHandler handler, bool activity = true,
              HubPayload form = HubPayload::kParsed);
  // Before start(): told when a connection has closed, on a loop thread.
  void on_closed(std::function<void(const HubPeer&)> listener);
  void start();
  // Closes every connection (1001) and stops the loops.
  void stop();

  // Any thread: takes over an upgraded TLS socket, already non-blocking,
  // with the bytes the client sent after its upgrade request (read before
  // the hand-over), which are read as the connection's first input.
  void accept(Poco::Net::SecureStreamSocket tls, HubPeer peer, std::string early_input);

  std::size_t send_to_users(const std::vector<std::string>& user_ids,
                            std::string_view text) override;

  // The open connections of the users, for delivery that depends on each
  // connection's own state.
  std::vector<std::shared_ptr<HubConnection>> connections_of(
      const std::vector<std::string>& user_ids) const;

  // The current principal of a connection's session; an error once the
  // session ended.
  Result<access::Principal> current_principal(const HubPeer& peer) const;

  std::size_t connection_count() const;
  const HubLimits& limits() const { return limits_; }
  std::uint64_t next_connection_id() { return ++connection_ids_; }

 private:
  Hub(const HubLimits& limits, Services services);
  void on_message(HubConnection& connection, realtime::WebSocketMessage& message);
  void on_tick(HubConnection& connection);
  void on_finished(HubConnection& connection);
  void refuse(HubConnection& connection, const Error& error, const std::string& ref,
              std::string_view fallback_code, bool audited = false);
  void audit_denial(const HubPeer& peer, std::string_view reason);
  void send_hello(HubConnection& connection);
  // The session's principal now, through the credential cache or, for a
  // guest, the guest credentials; `activity` as for handle(). `held`, the
  // connection's own hold on its credential, is given on its loop thread.
  Result<std::shared_ptr<const access::Principal>> principal_now(
      const HubPeer& peer, bool activity, access::CredentialCache::Held* held = nullptr) const;
  Status answer_hello(HubReplyTo& to, const realtime::HubEnvelope& envelope);

  HubLimits limits_;
  Services services_;
  std::vector<std::unique_ptr<HubIoLoop>> loops_;
  std::atomic<std::size_t> next_loop_{0};
  std::atomic<std::uint64_t> connection_ids_{0};
  struct Registered {
    HubHandler handler;
    bool activity = true;
    HubPayload form = HubPayload::kParsed;
  };
  std::map<std::string, Registered, std::less<>> handlers_;
  std::vector<std::function<void(const HubPeer&)>> closed_listeners_;

  mutable std::shared_mutex users_mutex_;
  std::unordered_map<std::string, std::vector<std::weak_ptr<HubConnection>>> by_user_;
};

}  // namespace th::server
