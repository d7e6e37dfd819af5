// HubConnection: one upgraded WebSocket connection over TLS, owned by the
// hub event loop (HubIoLoop) that watches its socket.
//
// Reading, writing and the TLS state belong to the loop thread: only it
// calls the methods marked "loop thread". Any thread may queue a message
// (send_text) or ask for the connection to close (close); the loop is woken
// to do the writing. The send queue is bounded: a client that does not read
// fast enough is disconnected (close code 4408) instead of growing memory
// or delaying anyone else.
#pragma once

#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "access/caller.h"
#include "access/credential_cache.h"
#include "access/principal.h"
#include "realtime/websocket_frame.h"
#include "server/hub/hub_limits.h"

namespace th::server {

// Who is on the other end, fixed at the upgrade.
struct HubPeer {
  std::uint64_t connection_id = 0;
  access::Principal principal;
  std::string token_hash;  // of the session's bearer secret, to re-check it
  std::string address;
  std::string user_agent;
};

// The caller a service sees for something done over a connection, acting as
// `principal` (the session's current one).
access::Caller hub_caller(const access::Principal& principal, const HubPeer& peer,
                          const std::string& node);

class HubConnection : public std::enable_shared_from_this<HubConnection> {
 public:
  using Clock = std::chrono::steady_clock;

  // The loop thread is told to look at a connection that has new output.
  using WakeLoop = std::function<void(HubConnection&)>;

  // `early_input`: bytes received on the socket before the hub took it,
  // read before anything else.
  HubConnection(Poco::Net::SecureStreamSocket tls, HubPeer peer, const HubLimits& limits,
                std::string early_input = "");

  int fd() const { return fd_; }
  const HubPeer& peer() const { return peer_; }

  // Any thread. Set by the loop that adopts the connection.
  void set_wake(WakeLoop wake);

  // Any thread. Queues one text message. False when the connection is
  // closing or its queue is full; a full queue starts the close (4408).
  bool send_text(std::string_view text);

  // Any thread. Sends a close frame after what is queued and drops the
  // connection once the client answers, or after the close timeout.
  void close(std::uint16_t code, std::string_view reason);

  // Loop thread. Reads what the socket has, handing each complete text or
  // binary message to on_message. Answers pings and close frames itself.
  void read_available(const std::function<void(realtime::WebSocketMessage&)>& on_message);

  // Loop thread. Writes queued frames until done or the socket is full.
  void flush();

  // Loop thread. Pings a quiet client, drops a dead one, ends a close that
  // took too long.
  void tick(Clock::time_point now);

  // Loop thread. Whether the loop must wait for the socket to be writable.
  bool wants_write() const { return !inflight_.empty(); }

  // Loop thread. True once the connection is over; the loop then stops
  // watching the socket and calls close_socket().
  bool finished() const { return finished_; }

  // Loop thread, after the socket left the loop's watch list (closing first
  // would let the descriptor be reused while still watched).
  void close_socket();

  // Loop thread. The session's credential as last checked, so that checking
  // it again for the next message costs no lookup.
  access::CredentialCache::Held& held_credential() { return held_credential_; }

  // Loop thread. Counts one protocol error; returns how many so far.
  int note_protocol_error() { return ++protocol_errors_; }

  // The close code sent (or 0 while open), for logs.
  std::uint16_t close_code() const { return close_code_.load(); }

 private:
  bool enqueue_frame(std::string frame, bool bypass_limit);
  void start_close(std::uint16_t code, std::string_view reason);
  void consume(std::string_view bytes,
               const std::function<void(realtime::WebSocketMessage&)>& on_message);
  void handle_control(const realtime::WebSocketMessage& message);
  void finish();
  void read_ahead();
  bool tls_holds_input();
  bool replies_backlogged();

  Poco::Net::SecureStreamSocket tls_;
  int fd_;
  // The socket's OpenSSL connection (server/tls_handles.h), reading ahead;
  // null if unknown, and then the socket reads record by record.
  SSL* ssl_ = nullptr;
  HubPeer peer_;
  HubLimits limits_;
  realtime::WebSocketFrameReader reader_;
  std::string early_input_;  // loop thread only, consumed by the first read

  std::mutex mutex_;  // guards the members below, up to inflight_
  std::deque<std::string> queue_;
  // Set under mutex_ (nothing is queued after the close frame); read
  // without it by the loop thread, which only needs to see it eventually.
  std::atomic<bool> closing_ = false;
  WakeLoop wake_;
  // The loop was woken for this connection and has not flushed it since:
  // more frames queued meanwhile need no wake of their own.
  bool wake_pending_ = false;

  // Loop thread only. The bytes being written: OpenSSL requires a retried
  // write to pass the same buffer, so it is not touched until written.
  std::string inflight_;
  bool close_sent_ = false;
  bool peer_closed_ = false;
  bool reader_broken_ = false;
  bool finished_ = false;
  int protocol_errors_ = 0;
  access::CredentialCache::Held held_credential_;
  Clock::time_point last_received_ = Clock::now();
  Clock::time_point ping_sent_at_{};
  Clock::time_point close_started_{};
  std::atomic<std::uint16_t> close_code_{0};
};

}  // namespace th::server
