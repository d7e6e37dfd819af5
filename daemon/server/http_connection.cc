#include "server/http_connection.h"

#include <Poco/Exception.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <ostream>

#include "http/chunked_output.h"

namespace th::server {
namespace {

constexpr std::size_t kReadChunkBytes = 16 * 1024;
// Small answers go out as one write, head and body together: one TLS
// record and one system call.
constexpr std::size_t kJoinedWriteBytes = 16 * 1024;

Error too_large(std::size_t limit) {
  return Error(ErrorCode::kResourceExhausted,
               "request body exceeds the limit of " + std::to_string(limit) + " bytes");
}

}  // namespace

HttpConnection::HttpConnection(std::uint64_t id, Poco::Net::StreamSocket socket, bool tls,
                               std::string peer_address, int epoll_fd,
                               const ConnectionLimits& limits, const std::atomic<bool>& draining)
    : id_(id),
      socket_(std::move(socket)),
      fd_(socket_.impl()->sockfd()),
      tls_(tls),
      peer_address_(std::move(peer_address)),
      limits_(limits),
      epoll_fd_(epoll_fd),
      draining_(draining),
      request_started_(Clock::now()) {}

bool HttpConnection::claim() {
  State parked = State::kParked;
  return state_.compare_exchange_strong(parked, State::kBusy, std::memory_order_acquire);
}

bool HttpConnection::park() {
  std::lock_guard lock(epoll_mutex_);
  if (closed_) {
    return false;
  }
  const bool idle = served_any_ && input_.empty();
  const Clock::time_point deadline =
      idle ? Clock::now() + limits_.keep_alive_timeout : request_started_ + limits_.header_deadline;
  idle_.store(idle, std::memory_order_relaxed);
  deadline_.store(deadline.time_since_epoch().count(), std::memory_order_relaxed);
  state_.store(State::kParked, std::memory_order_release);
  // Level-triggered: input already waiting in the kernel is reported at once.
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  event.data.u64 = id_;
  const bool armed =
      ::epoll_ctl(epoll_fd_, watched_ ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd_, &event) == 0;
  watched_ = watched_ || armed;
  return armed;
}

void HttpConnection::unwatch() {
  if (watched_) {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd_, nullptr);
    watched_ = false;
  }
}

bool HttpConnection::closable(Clock::time_point now, bool idle_only) const {
  return state_.load(std::memory_order_acquire) == State::kParked && due(now, idle_only);
}

bool HttpConnection::due(Clock::time_point now, bool idle_only) const {
  if (idle_only) {
    return idle_.load(std::memory_order_relaxed);
  }
  return now.time_since_epoch().count() > deadline_.load(std::memory_order_relaxed);
}

HttpConnection::Input HttpConnection::receive() {
  while (true) {
    auto parsed = http::parse_request_head(input_, limits_.max_header_bytes);
    if (!parsed.ok()) {
      head_ = http::RequestHead{};  // the answer must not follow the previous request's
      malformed_ = parsed.error();
      return Input::kMalformed;
    }
    if (parsed->has_value()) {
      begin_request(std::move(**parsed));
      return Input::kRequest;
    }
    const bool between_requests = input_.empty();
    std::size_t received = 0;
    const Io io = read_some(received);
    if (io == Io::kClosed) {
      return Input::kClosed;
    }
    if (io != Io::kDone) {
      return Input::kWait;
    }
    if (between_requests && served_any_) {
      request_started_ = Clock::now();  // the header deadline starts with the first byte
    }
  }
}

// The head leaves the input at once: what follows is the body, then any
// pipelined request.
void HttpConnection::begin_request(http::ParsedHead parsed) {
  head_ = std::move(parsed.head);
  input_.erase(0, parsed.length);
  chunked_.reset();
  body_left_ = 0;
  if (head_.chunked) {
    chunked_.emplace();
  } else {
    body_left_ = head_.content_length.value_or(0);
  }
  body_read_ = !head_.has_body();
  continue_sent_ = false;
}

bool HttpConnection::finish_request() {
  served_any_ = true;
  if (closes_after_answer() || !body_read_) {
    return false;
  }
  if (!input_.empty()) {
    request_started_ = Clock::now();  // a pipelined request is under way
  }
  return true;
}

bool HttpConnection::input_waiting() const {
  return !input_.empty() || (tls_ && socket_.available() > 0);
}

bool HttpConnection::closes_after_answer() const {
  return close_after_ || !head_.keep_alive || draining_.load(std::memory_order_relaxed);
}

Status HttpConnection::read_body(std::string& body, std::size_t limit) {
  if (head_.content_length.value_or(0) > limit) {
    close_after_ = true;
    return too_large(limit);
  }
  expect_continue();
  while (true) {
    if (Status taken = take_body_bytes(body, limit); !taken.ok()) {
      close_after_ = true;
      return taken;
    }
    if (body_read_) {
      return ok_status();
    }
    if (!read_more()) {
      close_after_ = true;
      return Error(ErrorCode::kUnavailable, "the client stopped sending the request body");
    }
  }
}

void HttpConnection::discard_body(std::size_t limit) {
  close_after_ = true;
  if (head_.expect_continue && !continue_sent_ && input_.empty()) {
    return;  // the client waits for a go-ahead before its body, and gets the answer instead
  }
  std::string dropped;
  std::size_t total = 0;
  while (!body_read_ && total < limit) {
    if (!take_body_bytes(dropped, limit).ok()) {
      return;
    }
    total += dropped.size();
    dropped.clear();
    if (!body_read_ && total < limit && !read_more()) {
      return;
    }
  }
}

// Moves the body bytes already received from the input to `body`.
Status HttpConnection::take_body_bytes(std::string& body, std::size_t limit) {
  if (chunked_.has_value()) {
    auto used = chunked_->feed(input_, body);
    if (!used.ok()) {
      return used.error();
    }
    input_.erase(0, *used);
    body_read_ = chunked_->done();
  } else {
    const std::size_t take =
        static_cast<std::size_t>(std::min<std::uint64_t>(body_left_, input_.size()));
    body.append(input_, 0, take);
    input_.erase(0, take);
    body_left_ -= take;
    body_read_ = body_left_ == 0;
  }
  return body.size() > limit ? Status(too_large(limit)) : ok_status();
}

// An HTTP/1.1 client that asked may wait for this before sending its body.
void HttpConnection::expect_continue() {
  if (head_.expect_continue && head_.minor_version == 1 && !continue_sent_ && input_.empty()) {
    continue_sent_ = true;
    (void)write_all("HTTP/1.1 100 Continue\r\n\r\n");
  }
}

bool HttpConnection::send(std::string_view head, std::string_view body) {
  if (head_.method == "HEAD") {
    body = {};
  }
  bool sent = false;
  if (head.size() + body.size() <= kJoinedWriteBytes) {
    std::string joined;
    joined.reserve(head.size() + body.size());
    joined.append(head).append(body);
    sent = write_all(joined);
  } else {
    sent = write_all(head) && write_all(body);
  }
  if (!sent) {
    close_after_ = true;
  }
  return sent;
}

Status HttpConnection::send_streamed(std::string_view head,
                                     const std::function<Status(std::ostream&)>& produce) {
  close_after_ = close_after_ || head_.method == "HEAD";
  if (!write_all(head)) {
    close_after_ = true;
    return Error(ErrorCode::kUnavailable, "the client stopped reading");
  }
  http::ChunkedOutput output([this](std::string_view bytes) { return write_all(bytes); });
  std::ostream out(&output);
  Status produced = ok_status();
  try {
    produced = produce(out);
  } catch (const std::exception& failure) {
    produced = Error(ErrorCode::kInternal, failure.what());
  }
  if (produced.ok() && output.finish()) {
    return ok_status();
  }
  // Without the final chunk, closing tells the client the body was cut short.
  close_after_ = true;
  if (!produced.ok()) {
    return produced;
  }
  return Error(ErrorCode::kUnavailable, "the client stopped reading");
}

void HttpConnection::hand_over(std::string_view head, ConnectionTakeOver take_over) {
  if (!tls_ || !write_all(head)) {
    close_after_ = true;
    return;
  }
  take_over_ = std::move(take_over);
}

void HttpConnection::finish_hand_over() {
  {
    std::lock_guard lock(epoll_mutex_);
    unwatch();
    closed_ = true;
  }
  try {
    ConnectionTakeOver take_over = std::move(take_over_);
    take_over(Poco::Net::SecureStreamSocket(socket_), std::move(input_));
  } catch (const Poco::Exception& failure) {
    spdlog::debug("connection {}: upgraded connection lost: {}", id_, failure.name());
  }
}

void HttpConnection::close() {
  std::lock_guard lock(epoll_mutex_);
  if (closed_) {
    return;
  }
  unwatch();
  closed_ = true;
  try {
    socket_.close();
  } catch (const Poco::Exception&) {
    // Closing a connection the peer already dropped: nothing to do.
  }
}

// Blocking reads for a body: wait for the socket, within the I/O timeout.
bool HttpConnection::read_more() {
  while (true) {
    std::size_t received = 0;
    const Io io = read_some(received);
    if (io == Io::kDone) {
      return true;
    }
    if (io == Io::kClosed || !wait_for(io)) {
      return false;
    }
  }
}

bool HttpConnection::write_all(std::string_view data) {
  while (!data.empty()) {
    std::size_t sent = 0;
    const Io io = write_some(data, sent);
    if (io == Io::kClosed) {
      return false;
    }
    if (io == Io::kDone) {
      data.remove_prefix(sent);
    } else if (!wait_for(io)) {
      return false;  // the client has not taken a byte for the whole timeout
    }
  }
  return true;
}

bool HttpConnection::wait_for(Io want) {
  pollfd watched{};
  watched.fd = fd_;
  watched.events = want == Io::kWantWrite ? POLLOUT : POLLIN;
  const int timeout_ms = static_cast<int>(limits_.io_timeout.count() * 1000);
  int ready = 0;
  do {
    ready = ::poll(&watched, 1, timeout_ms);
  } while (ready < 0 && errno == EINTR);
  return ready > 0;
}

// What a count from Poco's TLS socket means: it reports OpenSSL's wants as
// negative counts when non-blocking, and throws on failures.
HttpConnection::Io HttpConnection::tls_outcome(int count) {
  if (count > 0) {
    return Io::kDone;
  }
  if (count == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_READ) {
    return Io::kWantRead;
  }
  if (count == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_WRITE) {
    return Io::kWantWrite;
  }
  return Io::kClosed;
}

// What recv() or send() returned on the plain socket; "would block" is a
// want of the direction asked.
HttpConnection::Io HttpConnection::plain_outcome(long count, Io would_block) {
  if (count > 0) {
    return Io::kDone;
  }
  if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    return would_block;
  }
  return Io::kClosed;
}

// One read into the input.
HttpConnection::Io HttpConnection::read_some(std::size_t& received) {
  const std::size_t before = input_.size();
  input_.resize(before + kReadChunkBytes);
  long count = 0;
  Io io = Io::kClosed;
  try {
    if (tls_) {
      count = socket_.receiveBytes(input_.data() + before, static_cast<int>(kReadChunkBytes));
      io = tls_outcome(static_cast<int>(count));
    } else {
      do {
        count = ::recv(fd_, input_.data() + before, kReadChunkBytes, 0);
      } while (count < 0 && errno == EINTR);
      io = plain_outcome(count, Io::kWantRead);
    }
  } catch (const Poco::Exception&) {
    io = Io::kClosed;
  }
  received = io == Io::kDone ? static_cast<std::size_t>(count) : 0;
  input_.resize(before + received);
  return io;
}

HttpConnection::Io HttpConnection::write_some(std::string_view data, std::size_t& sent) {
  long count = 0;
  Io io = Io::kClosed;
  try {
    if (tls_) {
      count = socket_.sendBytes(data.data(),
                                static_cast<int>(std::min<std::size_t>(data.size(), 1 << 30)));
      io = tls_outcome(static_cast<int>(count));
    } else {
      do {
        count = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      } while (count < 0 && errno == EINTR);
      io = plain_outcome(count, Io::kWantWrite);
    }
  } catch (const Poco::Exception&) {
    io = Io::kClosed;
  }
  sent = io == Io::kDone ? static_cast<std::size_t>(count) : 0;
  return io;
}

}  // namespace th::server
