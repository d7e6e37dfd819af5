// TlsWebSocketClient: one client WebSocket over TLS, driven by an epoll
// loop that the caller owns. It connects without blocking, runs the TLS
// handshake, sends the upgrade request, checks the 101 answer and then
// exchanges masked text frames, answering the server's pings by itself.
//
// The load generator holds thousands of these on one thread; nothing here
// is safe to share between threads. Failures (a refused connection, a
// broken handshake, a close from the server) end the client: state()
// becomes kClosed and the observer hears why, once.
#pragma once

#include <netinet/in.h>
#include <openssl/ssl.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "realtime/websocket_frame.h"
#include "util/result.h"

namespace th::bench {

class TlsWebSocketClient;

// Masking keys for client frames (RFC 6455 section 5.3), drawn from
// RAND_bytes a few thousand bytes at a time so that a key costs no call.
class MaskSource {
 public:
  [[nodiscard]] std::array<std::uint8_t, 4> next();

 private:
  std::string pool_;
  std::size_t used_ = 0;
};

// What a client tells its owner.
class ClientObserver {
 public:
  virtual ~ClientObserver() = default;
  // The 101 answer arrived: frames may be sent.
  virtual void on_open(TlsWebSocketClient& client) = 0;
  virtual void on_text(TlsWebSocketClient& client, std::string_view text) = 0;
  virtual void on_closed(TlsWebSocketClient& client, std::string_view why) = 0;
};

// The upgrade request a client sends: the request target (path and
// query) and extra header lines without their line ends.
struct UpgradeTarget {
  std::string path;
  std::vector<std::string> headers;
};

class TlsWebSocketClient {
 public:
  enum class State { kIdle, kConnecting, kHandshaking, kUpgrading, kOpen, kClosed };

  // `tag` is the owner's name for the client (an index); `context` and
  // `masks` must outlive it.
  TlsWebSocketClient(int tag, SSL_CTX* context, MaskSource& masks, ClientObserver& observer,
                     UpgradeTarget target);
  ~TlsWebSocketClient();
  TlsWebSocketClient(const TlsWebSocketClient&) = delete;
  TlsWebSocketClient& operator=(const TlsWebSocketClient&) = delete;

  // Starts the TCP connection and registers the socket with `epoll_fd`,
  // its event data being the tag. Fails when no socket can be made.
  [[nodiscard]] Status start(const sockaddr_in& server, int epoll_fd);

  // Runs the state machine on an epoll readiness report.
  void on_ready(std::uint32_t events);

  // Sends one text message (kept in order behind anything not yet written).
  void send_text(std::string_view text);

  int tag() const { return tag_; }
  State state() const { return state_; }
  // Bytes framed and not yet accepted by the TLS layer.
  std::size_t pending_bytes() const { return out_.size() - out_offset_; }

 private:
  void finish_connect();
  void continue_handshake();
  void read_available();
  void take_bytes(std::string_view bytes);
  void take_upgrade_answer(std::string_view bytes);
  void take_frames(std::string_view bytes);
  void flush();
  void update_interest();
  void close(std::string_view why);

  int tag_;
  SSL_CTX* context_;
  MaskSource& masks_;
  ClientObserver& observer_;
  UpgradeTarget target_;
  std::string host_header_;
  std::string accept_key_;

  State state_ = State::kIdle;
  int fd_ = -1;
  int epoll_fd_ = -1;
  std::uint32_t interest_ = 0;
  SSL* ssl_ = nullptr;
  // The TLS layer wants the socket writable before it can go on reading.
  bool read_wants_write_ = false;
  std::string upgrade_answer_;
  std::unique_ptr<realtime::WebSocketFrameReader> reader_;
  std::string out_;
  std::size_t out_offset_ = 0;
};

}  // namespace th::bench
