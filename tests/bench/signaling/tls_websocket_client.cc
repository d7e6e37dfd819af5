#include "tls_websocket_client.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "realtime/websocket_handshake.h"

namespace th::bench {
namespace {

constexpr std::size_t kMaskPoolBytes = 4096;
constexpr std::size_t kReadChunk = 16384;
// Larger than any message either server sends in the benchmark.
constexpr std::size_t kMaxMessageBytes = 1 << 20;
constexpr std::size_t kMaxUpgradeAnswer = 16384;

std::string last_tls_error() {
  const unsigned long code = ERR_get_error();
  if (code == 0) {
    return std::strerror(errno);
  }
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

}  // namespace

std::array<std::uint8_t, 4> MaskSource::next() {
  if (used_ + 4 > pool_.size()) {
    pool_ = crypto::random_bytes(kMaskPoolBytes);
    used_ = 0;
  }
  std::array<std::uint8_t, 4> key{};
  std::memcpy(key.data(), pool_.data() + used_, key.size());
  used_ += key.size();
  return key;
}

TlsWebSocketClient::TlsWebSocketClient(int tag, SSL_CTX* context, MaskSource& masks,
                                       ClientObserver& observer, UpgradeTarget target)
    : tag_(tag),
      context_(context),
      masks_(masks),
      observer_(observer),
      target_(std::move(target)) {}

TlsWebSocketClient::~TlsWebSocketClient() {
  if (ssl_ != nullptr) {
    SSL_free(ssl_);
  }
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

Status TlsWebSocketClient::start(const sockaddr_in& server, int epoll_fd) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    return Error(ErrorCode::kUnavailable, std::string("socket: ") + std::strerror(errno));
  }
  // Signaling messages are small and latency is what is measured: no
  // Nagle delay, as browsers do for WebSockets.
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  epoll_fd_ = epoll_fd;
  char address[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &server.sin_addr, address, sizeof address);
  host_header_ = std::string(address) + ":" + std::to_string(ntohs(server.sin_port));

  state_ = State::kConnecting;
  const int rc = ::connect(fd_, reinterpret_cast<const sockaddr*>(&server), sizeof server);
  if (rc != 0 && errno != EINPROGRESS) {
    return Error(ErrorCode::kUnavailable, std::string("connect: ") + std::strerror(errno));
  }
  epoll_event event{};
  event.events = interest_ = EPOLLOUT;
  event.data.u64 = static_cast<std::uint64_t>(tag_);
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd_, &event) != 0) {
    return Error(ErrorCode::kUnavailable, std::string("epoll_ctl: ") + std::strerror(errno));
  }
  return {};
}

void TlsWebSocketClient::on_ready(std::uint32_t events) {
  if ((events & (EPOLLERR | EPOLLHUP)) != 0 && state_ == State::kConnecting) {
    finish_connect();
    return;
  }
  switch (state_) {
    case State::kConnecting:
      finish_connect();
      break;
    case State::kHandshaking:
      continue_handshake();
      break;
    case State::kUpgrading:
    case State::kOpen:
      if ((events & EPOLLOUT) != 0) {
        flush();
      }
      if (state_ != State::kClosed && ((events & EPOLLIN) != 0 || read_wants_write_)) {
        read_available();
      }
      break;
    case State::kIdle:
    case State::kClosed:
      break;
  }
  if (state_ != State::kClosed) {
    update_interest();
  }
}

void TlsWebSocketClient::finish_connect() {
  int error = 0;
  socklen_t length = sizeof error;
  ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) {
    close(std::string("connect: ") + std::strerror(error));
    return;
  }
  ssl_ = SSL_new(context_);
  SSL_set_fd(ssl_, fd_);
  SSL_set_connect_state(ssl_);
  state_ = State::kHandshaking;
  continue_handshake();
}

void TlsWebSocketClient::continue_handshake() {
  ERR_clear_error();
  const int rc = SSL_do_handshake(ssl_);
  if (rc != 1) {
    const int reason = SSL_get_error(ssl_, rc);
    if (reason == SSL_ERROR_WANT_READ) {
      read_wants_write_ = false;
    } else if (reason == SSL_ERROR_WANT_WRITE) {
      read_wants_write_ = true;
    } else {
      close("tls handshake: " + last_tls_error());
    }
    return;
  }
  read_wants_write_ = false;
  state_ = State::kUpgrading;

  // The opening handshake (RFC 6455 section 4.1), with a fresh key whose
  // accept value the answer must carry.
  const std::string key = crypto::base64_encode(crypto::random_bytes(16));
  accept_key_ = realtime::websocket_accept_key(key);
  std::string request =
      "GET " + target_.path + " HTTP/1.1\r\nHost: " + host_header_ +
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
      "\r\nSec-WebSocket-Version: 13\r\n";
  for (const auto& header : target_.headers) {
    request += header + "\r\n";
  }
  request += "\r\n";
  out_ += request;
  flush();
}

void TlsWebSocketClient::read_available() {
  char chunk[kReadChunk];
  while (state_ != State::kClosed) {
    ERR_clear_error();
    const int n = SSL_read(ssl_, chunk, sizeof chunk);
    if (n > 0) {
      read_wants_write_ = false;
      take_bytes(std::string_view(chunk, static_cast<std::size_t>(n)));
      continue;
    }
    const int reason = SSL_get_error(ssl_, n);
    if (reason == SSL_ERROR_WANT_READ) {
      read_wants_write_ = false;
      return;
    }
    if (reason == SSL_ERROR_WANT_WRITE) {
      read_wants_write_ = true;
      return;
    }
    close(reason == SSL_ERROR_ZERO_RETURN ? "closed by the server" : "read: " + last_tls_error());
  }
}

void TlsWebSocketClient::take_bytes(std::string_view bytes) {
  if (state_ == State::kUpgrading) {
    take_upgrade_answer(bytes);
  } else {
    take_frames(bytes);
  }
}

void TlsWebSocketClient::take_upgrade_answer(std::string_view bytes) {
  upgrade_answer_.append(bytes);
  const auto end = upgrade_answer_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (upgrade_answer_.size() > kMaxUpgradeAnswer) {
      close("upgrade answer too long");
    }
    return;
  }
  const std::string head = upgrade_answer_.substr(0, end);
  if (head.rfind("HTTP/1.1 101", 0) != 0) {
    close("upgrade refused: " + head.substr(0, head.find("\r\n")));
    return;
  }
  if (head.find(accept_key_) == std::string::npos) {
    close("upgrade answer without the expected Sec-WebSocket-Accept");
    return;
  }
  const std::string rest = upgrade_answer_.substr(end + 4);
  upgrade_answer_.clear();
  upgrade_answer_.shrink_to_fit();
  reader_ = std::make_unique<realtime::WebSocketFrameReader>(realtime::WebSocketRole::kClient,
                                                             kMaxMessageBytes);
  state_ = State::kOpen;
  observer_.on_open(*this);
  if (state_ == State::kOpen && !rest.empty()) {
    take_frames(rest);
  }
}

void TlsWebSocketClient::take_frames(std::string_view bytes) {
  using realtime::WebSocketOpcode;
  reader_->feed(bytes);
  while (state_ == State::kOpen) {
    auto message = reader_->next();
    if (!message.ok()) {
      close("broken frame from the server: " + message.error().message());
      return;
    }
    if (!message.value()) {
      return;
    }
    const auto& frame = *message.value();
    switch (frame.opcode) {
      case WebSocketOpcode::kText:
        observer_.on_text(*this, frame.payload);
        break;
      case WebSocketOpcode::kPing:
        out_ += realtime::encode_websocket_frame(WebSocketOpcode::kPong, frame.payload, true,
                                                 masks_.next());
        flush();
        break;
      case WebSocketOpcode::kClose:
        close("close frame from the server");
        return;
      default:
        break;
    }
  }
}

void TlsWebSocketClient::send_text(std::string_view text) {
  if (state_ != State::kOpen) {
    return;
  }
  const bool backed_up = pending_bytes() > 0;
  out_ +=
      realtime::encode_websocket_frame(realtime::WebSocketOpcode::kText, text, true, masks_.next());
  // Written at once, one TLS record a message as a browser writes them,
  // unless earlier bytes are still waiting for the socket.
  if (!backed_up) {
    flush();
  }
  if (state_ != State::kClosed) {
    update_interest();
  }
}

void TlsWebSocketClient::flush() {
  while (out_offset_ < out_.size()) {
    ERR_clear_error();
    const int n =
        SSL_write(ssl_, out_.data() + out_offset_, static_cast<int>(out_.size() - out_offset_));
    if (n > 0) {
      out_offset_ += static_cast<std::size_t>(n);
      continue;
    }
    const int reason = SSL_get_error(ssl_, n);
    if (reason == SSL_ERROR_WANT_WRITE || reason == SSL_ERROR_WANT_READ) {
      break;
    }
    close("write: " + last_tls_error());
    return;
  }
  if (out_offset_ == out_.size()) {
    out_.clear();
    out_offset_ = 0;
  } else if (out_offset_ > kReadChunk) {
    out_.erase(0, out_offset_);
    out_offset_ = 0;
  }
}

void TlsWebSocketClient::update_interest() {
  std::uint32_t wanted = EPOLLIN;
  if (state_ == State::kConnecting || read_wants_write_ || out_offset_ < out_.size()) {
    wanted |= EPOLLOUT;
  }
  if (wanted == interest_) {
    return;
  }
  epoll_event event{};
  event.events = interest_ = wanted;
  event.data.u64 = static_cast<std::uint64_t>(tag_);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd_, &event);
}

void TlsWebSocketClient::close(std::string_view why) {
  if (state_ == State::kClosed) {
    return;
  }
  state_ = State::kClosed;
  if (fd_ >= 0) {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd_, nullptr);
  }
  observer_.on_closed(*this, why);
}

}  // namespace th::bench
