// SignalingDialect: how one signaling server is spoken to, so that a single
// load generator measures both telehealthd and the PeerJS server: the
// upgrade request each client sends, the envelope a relayed message travels
// in, and the heartbeat an idle client sends.
//
//   PeerJS     wss://HOST/PATH/peerjs?key=peerjs&id=ID&token=TOKEN; the
//              server greets with {"type":"OPEN"}; a client sends
//              {"type":"OFFER"|"ANSWER"|"CANDIDATE","dst":ID,"payload":...}
//              and the server relays it to ID with "src" added; an idle
//              client sends {"type":"HEARTBEAT"} (no reply).
//   telehealthd wss://HOST/api/v1/ws with a bearer token; the server greets
//              with "hello"; admitted participants of a visit room send
//              "signal" naming the appointment and the receiving
//              participant; an idle client sends "ping" (answered "pong").
//              Joining and admission come first (lib/realtime/PROTOCOL.md,
//              "Visits"): see RoomSetup.
//
// Dialects hold no state; safe to share between threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "signal_payload.h"
#include "tls_websocket_client.h"

namespace th::bench {

// One client of the benchmark as the server knows it.
struct Participant {
  // PeerJS: the id the client registers with. telehealthd: unused.
  std::string peer_id;
  // PeerJS: the client's own token. telehealthd: the bearer token.
  std::string token;
  // telehealthd: the visit room and, once joined, the participant id.
  std::string appointment_id;
  std::string participant_id;
  // telehealthd: joins admitted (the practitioner or clinical staff).
  bool host = false;
};

class SignalingDialect {
 public:
  virtual ~SignalingDialect() = default;
  [[nodiscard]] virtual UpgradeTarget upgrade(const Participant& who) const = 0;
  // The message that asks the server to relay `payload` to `to`.
  [[nodiscard]] virtual std::string relay(const Participant& to, SignalKind kind,
                                          std::string_view payload) const = 0;

  const std::string& heartbeat() const { return heartbeat_; }
  // Whether the server's greeting says the client is registered.
  bool is_greeting(std::string_view text) const {
    return text.find(greeting_) != std::string_view::npos;
  }
  // Whether clients must join a visit room before they may signal.
  bool needs_room_setup() const { return needs_room_setup_; }

 protected:
  // `greeting` is a piece of text only the server's greeting holds.
  SignalingDialect(std::string heartbeat, std::string greeting, bool needs_room_setup)
      : heartbeat_(std::move(heartbeat)),
        greeting_(std::move(greeting)),
        needs_room_setup_(needs_room_setup) {}

 private:
  std::string heartbeat_;
  std::string greeting_;
  bool needs_room_setup_;
};

// `path` is the server's mount path ("/bench"); the socket is PATH/peerjs.
[[nodiscard]] std::unique_ptr<SignalingDialect> make_peerjs_dialect(std::string path);
[[nodiscard]] std::unique_ptr<SignalingDialect> make_telehealthd_dialect();

}  // namespace th::bench
