#include "server/hub/hub_connection.h"

#include <Poco/Exception.h>
#include <spdlog/spdlog.h>

#include <utility>

#include "server/tls_handles.h"

namespace th::server {
namespace {

using realtime::WebSocketMessage;
using realtime::WebSocketOpcode;

// Queued frames are written in batches of about this size: fewer TLS
// records and system calls than one write per frame.
constexpr std::size_t kWriteBatchBytes = 64 * 1024;
constexpr std::size_t kReadChunkBytes = 16 * 1024;

}  // namespace

access::Caller hub_caller(const access::Principal& principal, const HubPeer& peer,
                          const std::string& node) {
  access::Caller caller;
  caller.principal = principal;
  caller.source_address = peer.address;
  caller.user_agent = peer.user_agent;
  caller.request_id = "ws-" + std::to_string(peer.connection_id);
  caller.node = node;
  return caller;
}

HubConnection::HubConnection(Poco::Net::SecureStreamSocket tls, HubPeer peer,
                             const HubLimits& limits, std::string early_input)
    : tls_(std::move(tls)),
      fd_(tls_.impl()->sockfd()),
      peer_(std::move(peer)),
      limits_(limits),
      reader_(realtime::WebSocketRole::kServer, limits.max_message_bytes),
      early_input_(std::move(early_input)) {
  // The HTTP connection's read buffer comes along with the bytes it holds:
  // 16 KiB of capacity, usually around nothing, for as long as the socket
  // stays open unless it is given back here.
  early_input_.shrink_to_fit();
  read_ahead();
}

// Without read-ahead OpenSSL reads a record in two system calls, its header
// and then its body, and never more than one record. Reading ahead, one
// read() takes whatever the kernel holds, and the records beyond the first
// wait in OpenSSL's buffer, which read_available drains before it returns.
void HubConnection::read_ahead() {
  ssl_ = tls_handle_of(fd_);
  if (ssl_ != nullptr) {
    SSL_set_read_ahead(ssl_, 1);
  }
}

bool HubConnection::replies_backlogged() {
  std::lock_guard lock(mutex_);
  return queue_.size() >= limits_.send_queue_messages / 2;
}

// Whether TLS holds input epoll would not report: decrypted bytes not yet
// taken, or (reading ahead) records not yet decrypted.
bool HubConnection::tls_holds_input() {
  if (ssl_ != nullptr) {
    return SSL_has_pending(ssl_) == 1;
  }
  return tls_.available() > 0;
}

void HubConnection::set_wake(WakeLoop wake) {
  std::lock_guard lock(mutex_);
  wake_ = std::move(wake);
}

bool HubConnection::send_text(std::string_view text) {
  return enqueue_frame(realtime::encode_websocket_frame(WebSocketOpcode::kText, text),
                       /*bypass_limit=*/false);
}

void HubConnection::close(std::uint16_t code, std::string_view reason) {
  start_close(code, reason);
}

bool HubConnection::enqueue_frame(std::string frame, bool bypass_limit) {
  WakeLoop wake;
  bool overflow = false;
  {
    std::lock_guard lock(mutex_);
    if (closing_) {
      return false;
    }
    if (!bypass_limit && queue_.size() >= limits_.send_queue_messages) {
      overflow = true;
    } else {
      queue_.push_back(std::move(frame));
      if (!wake_pending_) {
        wake = wake_;
        wake_pending_ = static_cast<bool>(wake_);
      }
    }
  }
  if (overflow) {
    start_close(realtime::kCloseSlowReader, "slow_reader: the send queue is full");
    return false;
  }
  if (wake) {
    wake(*this);
  }
  return true;
}

// The close frame goes after everything queued, and nothing may follow it.
void HubConnection::start_close(std::uint16_t code, std::string_view reason) {
  WakeLoop wake;
  {
    std::lock_guard lock(mutex_);
    if (closing_) {
      return;
    }
    queue_.push_back(realtime::encode_websocket_frame(
        WebSocketOpcode::kClose, realtime::encode_close_payload(code, reason)));
    closing_ = true;
    wake = wake_;
  }
  close_code_ = code;
  close_started_ = Clock::now();
  if (wake) {
    wake(*this);
  }
}

void HubConnection::read_available(const std::function<void(WebSocketMessage&)>& on_message) {
  if (!early_input_.empty()) {
    last_received_ = Clock::now();
    consume(std::exchange(early_input_, std::string()), on_message);
  }
  char buffer[kReadChunkBytes];
  while (!finished_) {
    int received = 0;
    try {
      received = tls_.receiveBytes(buffer, sizeof buffer);
    } catch (const Poco::Exception& failure) {
      spdlog::debug("hub connection {}: read failed: {}", peer_.connection_id, failure.name());
      finish();
      return;
    }
    if (received == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_READ ||
        received == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_WRITE) {
      return;
    }
    if (received <= 0) {
      finish();  // the peer closed the TCP connection
      return;
    }
    last_received_ = Clock::now();
    consume(std::string_view(buffer, static_cast<std::size_t>(received)), on_message);
    // A client that sent many requests at once is answered as they are
    // read, so that its replies never fill the queue on their own: a full
    // queue means a client that does not read (the socket is full too).
    if (replies_backlogged()) {
      flush();
    }
    // The loop's epoll is level-triggered: bytes still in the kernel make
    // it report the socket again, so a short read ends the turn unless TLS
    // holds input already, and no read() is spent learning that nothing
    // more came.
    if (static_cast<std::size_t>(received) < sizeof buffer && !tls_holds_input()) {
      return;
    }
  }
}

// Hands each complete text or binary message to on_message and answers
// control frames.
void HubConnection::consume(std::string_view bytes,
                            const std::function<void(WebSocketMessage&)>& on_message) {
  if (reader_broken_) {
    return;  // after a protocol violation only the close handshake matters
  }
  reader_.feed(bytes);
  while (true) {
    auto next = reader_.next();
    if (!next.ok()) {
      reader_broken_ = true;
      start_close(reader_.close_code(), next.error().message());
      return;
    }
    if (!next->has_value()) {
      return;
    }
    WebSocketMessage& message = **next;
    if (message.opcode == WebSocketOpcode::kText || message.opcode == WebSocketOpcode::kBinary) {
      if (!closing_.load()) {
        on_message(message);
      }
    } else {
      handle_control(message);
    }
  }
}

void HubConnection::handle_control(const WebSocketMessage& message) {
  switch (message.opcode) {
    case WebSocketOpcode::kPing:
      (void)enqueue_frame(realtime::encode_websocket_frame(WebSocketOpcode::kPong, message.payload),
                          /*bypass_limit=*/true);
      break;
    case WebSocketOpcode::kClose: {
      peer_closed_ = true;
      const auto code = realtime::decode_close_code(message.payload);
      const std::uint16_t echoed =
          code.ok() && *code != realtime::kCloseNoStatus ? *code : realtime::kCloseNormal;
      start_close(echoed, "");
      break;
    }
    default:
      break;  // a pong: receiving it already counted as life
  }
}

void HubConnection::flush() {
  while (!finished_) {
    if (inflight_.empty()) {
      std::lock_guard lock(mutex_);
      wake_pending_ = false;
      // The first frame is taken as it is, the others appended to it: the
      // usual single frame is never copied.
      if (!queue_.empty()) {
        inflight_ = std::move(queue_.front());
        queue_.pop_front();
      }
      while (!queue_.empty() && inflight_.size() < kWriteBatchBytes) {
        inflight_ += queue_.front();
        queue_.pop_front();
      }
      if (inflight_.empty()) {
        close_sent_ = closing_;
        break;
      }
    }
    int sent = 0;
    try {
      sent = tls_.sendBytes(inflight_.data(), static_cast<int>(inflight_.size()));
    } catch (const Poco::Exception& failure) {
      spdlog::debug("hub connection {}: write failed: {}", peer_.connection_id, failure.name());
      finish();
      return;
    }
    if (sent <= 0) {
      return;  // the socket is full (or TLS wants to read first): the loop waits
    }
    inflight_.erase(0, static_cast<std::size_t>(sent));
  }
  // A close we answered, or one the client answered, ends the connection.
  if (close_sent_ && (peer_closed_ || reader_broken_)) {
    finish();
  }
}

void HubConnection::tick(Clock::time_point now) {
  if (closing_.load()) {
    if (now - close_started_ > limits_.close_timeout) {
      finish();
    }
    return;
  }
  if (now - last_received_ > 2 * limits_.ping_interval) {
    close_code_ = realtime::kCloseSlowReader;
    finish();  // nothing came back, not even a pong: nobody is there
    return;
  }
  if (now - last_received_ > limits_.ping_interval && ping_sent_at_ < last_received_) {
    ping_sent_at_ = now;
    (void)enqueue_frame(realtime::encode_websocket_frame(WebSocketOpcode::kPing, ""),
                        /*bypass_limit=*/true);
  }
}

void HubConnection::finish() {
  finished_ = true;
}

void HubConnection::close_socket() {
  try {
    tls_.close();
  } catch (const Poco::Exception&) {
    // Closing a connection the peer already dropped: nothing to do.
  }
}

}  // namespace th::server
