#include "server/http_listener.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace th::server {
namespace {

// epoll keys below the first connection id.
constexpr std::uint64_t kListenKey = 0;
constexpr std::uint64_t kStopKey = 1;
constexpr std::uint64_t kFirstConnectionId = 2;

// Connections taken per turn at the listening socket, so that a burst of
// them does not keep one thread from the requests of the others.
constexpr int kAcceptBatch = 32;
constexpr auto kSweepInterval = std::chrono::milliseconds(250);

bool arm(int epoll_fd, int fd, std::uint64_t key, std::uint32_t events, int operation) {
  epoll_event event{};
  event.events = events;
  event.data.u64 = key;
  return ::epoll_ctl(epoll_fd, operation, fd, &event) == 0;
}

}  // namespace

HttpListener::HttpListener(Poco::Net::ServerSocket socket, int epoll_fd, int stop_fd,
                           const ListenerLimits& limits,
                           std::shared_ptr<RequestDispatcher> dispatcher, TlsContextHolder* tls,
                           std::string unix_path)
    : socket_(std::move(socket)),
      epoll_fd_(epoll_fd),
      stop_fd_(stop_fd),
      limits_(limits),
      dispatcher_(std::move(dispatcher)),
      tls_(tls),
      unix_path_(std::move(unix_path)),
      bound_address_(unix_path_.empty() ? socket_.address().toString() : unix_path_),
      next_id_(kFirstConnectionId) {}

HttpListener::~HttpListener() {
  stop();
  ::close(stop_fd_);
  ::close(epoll_fd_);
  if (!unix_path_.empty()) {
    ::unlink(unix_path_.c_str());
  }
}

Result<std::unique_ptr<HttpListener>> HttpListener::create(
    Poco::Net::ServerSocket socket, const ListenerLimits& limits,
    std::shared_ptr<RequestDispatcher> dispatcher, TlsContextHolder* tls, std::string unix_path) {
  const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  const int stop_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd < 0 || stop_fd < 0) {
    const std::string reason = std::strerror(errno);
    ::close(epoll_fd);
    ::close(stop_fd);
    return Error(ErrorCode::kInternal, "create epoll for the listener: " + reason);
  }
  socket.setBlocking(false);
  // The stop event stays readable once written (level-triggered, never
  // read), so every thread sees it.
  if (!arm(epoll_fd, stop_fd, kStopKey, EPOLLIN, EPOLL_CTL_ADD) ||
      !arm(epoll_fd, socket.impl()->sockfd(), kListenKey, EPOLLIN | EPOLLONESHOT, EPOLL_CTL_ADD)) {
    const std::string reason = std::strerror(errno);
    ::close(epoll_fd);
    ::close(stop_fd);
    return Error(ErrorCode::kInternal, "watch the listening socket: " + reason);
  }
  return std::unique_ptr<HttpListener>(new HttpListener(std::move(socket), epoll_fd, stop_fd,
                                                        limits, std::move(dispatcher), tls,
                                                        std::move(unix_path)));
}

Result<std::unique_ptr<HttpListener>> HttpListener::open_tls(
    const std::string& address, const ListenerLimits& limits, TlsContextHolder& tls,
    std::shared_ptr<RequestDispatcher> dispatcher) {
  try {
    Poco::Net::ServerSocket socket;
    // SO_REUSEADDR so a restart can rebind at once, but not SO_REUSEPORT:
    // a second daemon on the same port must fail, not share the traffic.
    socket.bind(Poco::Net::SocketAddress(address), /*reuseAddress=*/true, /*reusePort=*/false);
    socket.listen(256);
    return create(std::move(socket), limits, std::move(dispatcher), &tls, "");
  } catch (const Poco::Exception& failure) {
    return Error(ErrorCode::kUnavailable, "listen on '" + address + "': " + failure.displayText());
  }
}

Result<std::unique_ptr<HttpListener>> HttpListener::open_unix(
    const std::string& path, unsigned mode, unsigned gid, const ListenerLimits& limits,
    std::shared_ptr<RequestDispatcher> dispatcher) {
  struct stat existing {};
  if (::lstat(path.c_str(), &existing) == 0) {
    if (!S_ISSOCK(existing.st_mode)) {
      return Error(ErrorCode::kFailedPrecondition,
                   "listen on '" + path + "': a file that is not a socket is in the way");
    }
    ::unlink(path.c_str());
  }
  try {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, path));
    socket.listen(64);
    if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0 ||
        ::chown(path.c_str(), static_cast<uid_t>(-1), static_cast<gid_t>(gid)) != 0) {
      const std::string reason = std::strerror(errno);
      ::unlink(path.c_str());
      return Error(ErrorCode::kFailedPrecondition,
                   "set mode and group of '" + path + "': " + reason);
    }
    return create(std::move(socket), limits, std::move(dispatcher), nullptr, path);
  } catch (const Poco::Exception& failure) {
    return Error(ErrorCode::kUnavailable, "listen on '" + path + "': " + failure.displayText());
  }
}

void HttpListener::start() {
  for (int i = 0; i < limits_.worker_threads; ++i) {
    workers_.emplace_back([this] { run_worker(); });
  }
  sweeper_ = std::thread([this] { run_sweeper(); });
}

// A thread's life: take one ready socket at a time from the shared set.
// No exception leaves it, so a request that throws past the dispatcher
// costs its connection, not the thread.
void HttpListener::run_worker() {
  while (true) {
    epoll_event event{};
    const int ready = ::epoll_wait(epoll_fd_, &event, 1, -1);
    if (ready <= 0) {
      continue;  // interrupted by a signal
    }
    const std::uint64_t key = event.data.u64;
    if (key == kStopKey) {
      return;
    }
    try {
      if (key == kListenKey) {
        accept_connections();
      } else if (auto connection = find(key); connection && connection->claim()) {
        serve(connection);
      }
    } catch (const std::exception& failure) {
      spdlog::error("listener {}: a connection failed with an exception: {}", bound_address_,
                    failure.what());
    }
  }
}

void HttpListener::accept_connections() {
  for (int i = 0; i < kAcceptBatch && !draining_; ++i) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    const int fd = ::accept4(socket_.impl()->sockfd(), reinterpret_cast<sockaddr*>(&address),
                             &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == ECONNABORTED || errno == EINTR) {
        continue;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        // Out of descriptors or memory: the pending connection stays
        // queued and the socket stays readable, so re-arming it now would
        // spin. The sweeper re-arms it on its next round.
        spdlog::warn("listener {}: accept failed, pausing accepts: {}", bound_address_,
                     std::strerror(errno));
        accept_paused_ = true;
        return;
      }
      break;
    }
    adopt(fd, address, length);
  }
  rearm_accepts();
}

void HttpListener::rearm_accepts() {
  if (!draining_) {
    arm(epoll_fd_, socket_.impl()->sockfd(), kListenKey, EPOLLIN | EPOLLONESHOT, EPOLL_CTL_MOD);
  }
}

// The new connection is parked at once: its TLS handshake starts when its
// first bytes arrive, on whichever thread gets them.
void HttpListener::adopt(int fd, const sockaddr_storage& peer, socklen_t peer_length) {
  if (open_.load() >= limits_.max_connections) {
    ::close(fd);
    ++refused_;
    return;
  }
  try {
    Poco::Net::StreamSocket plain(new Poco::Net::StreamSocketImpl(fd));
    // Poco's TLS socket waits itself unless the socket under it knows it is
    // non-blocking.
    plain.setBlocking(false);
    Poco::Net::StreamSocket socket = plain;
    std::string peer_address = "local";
    if (tls_ != nullptr) {
      plain.setNoDelay(true);
      peer_address = Poco::Net::SocketAddress(reinterpret_cast<const sockaddr*>(&peer), peer_length)
                         .host()
                         .toString();
      socket = Poco::Net::SecureStreamSocket::attach(plain, tls_->get());
    }
    auto connection = std::make_shared<HttpConnection>(next_id_++, std::move(socket),
                                                       tls_ != nullptr, std::move(peer_address),
                                                       epoll_fd_, limits_.connection, draining_);
    {
      std::lock_guard lock(mutex_);
      connections_.emplace(connection->id(), connection);
    }
    ++open_;
    if (!connection->park()) {
      forget(connection);
    }
  } catch (const std::exception& failure) {
    spdlog::debug("listener {}: connection setup failed: {}", bound_address_, failure.what());
    ++refused_;
  }
}

// Serves the requests the connection holds, one after another, then parks
// it until more arrive.
void HttpListener::serve(const std::shared_ptr<HttpConnection>& connection) {
  while (true) {
    switch (connection->receive()) {
      case HttpConnection::Input::kWait:
        if (!connection->park()) {
          forget(connection);
        }
        return;
      case HttpConnection::Input::kClosed:
        forget(connection);
        return;
      case HttpConnection::Input::kMalformed:
        dispatcher_->answer_malformed(*connection, connection->malformed());
        forget(connection);
        return;
      case HttpConnection::Input::kRequest:
        break;
    }
    dispatcher_->serve(*connection);
    if (connection->handing_over()) {
      forget(connection);
      connection->finish_hand_over();
      return;
    }
    if (!connection->finish_request()) {
      forget(connection);
      return;
    }
    if (!connection->input_waiting()) {
      if (!connection->park()) {
        forget(connection);
      }
      return;
    }
  }
}

// Closes the connection unless it is being handed over, which closes it
// from the listener's side only.
void HttpListener::forget(const std::shared_ptr<HttpConnection>& connection) {
  {
    std::lock_guard lock(mutex_);
    connections_.erase(connection->id());
  }
  --open_;
  if (!connection->handing_over()) {
    connection->close();
  }
}

std::shared_ptr<HttpConnection> HttpListener::find(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  const auto found = connections_.find(id);
  return found == connections_.end() ? nullptr : found->second;
}

void HttpListener::run_sweeper() {
  std::unique_lock lock(sweep_mutex_);
  while (!stopping_) {
    sweep_wake_.wait_for(lock, kSweepInterval);
    lock.unlock();
    sweep();
    lock.lock();
  }
}

// Closes parked connections past their deadline, and while draining the
// idle ones too. A connection claimed here may have been served and parked
// again since it was picked: then it is parked again as it is, which
// re-arms it in case its event came while this thread held it.
void HttpListener::sweep() {
  if (accept_paused_.exchange(false)) {
    rearm_accepts();
  }
  const auto now = HttpConnection::Clock::now();
  const bool idle_too = draining_.load();
  std::vector<std::shared_ptr<HttpConnection>> picked;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, connection] : connections_) {
      if (connection->closable(now, false) || (idle_too && connection->closable(now, true))) {
        picked.push_back(connection);
      }
    }
  }
  for (const auto& connection : picked) {
    if (!connection->claim()) {
      continue;
    }
    if (connection->due(now, false) || (idle_too && connection->due(now, true))) {
      forget(connection);
    } else if (!connection->park()) {
      forget(connection);
    }
  }
}

bool HttpListener::drain(std::chrono::seconds timeout) {
  if (!draining_.exchange(true)) {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, socket_.impl()->sockfd(), nullptr);
    socket_.close();
  }
  sweep_wake_.notify_all();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (open_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return open_connections() == 0;
}

void HttpListener::stop() {
  if (stopping_.exchange(true)) {
    return;
  }
  // One write per thread: each wakes one waiter, and the event stays
  // readable for any thread that comes to wait later.
  const std::uint64_t one = 1;
  for (std::size_t i = 0; i < workers_.size() + 1; ++i) {
    (void)::write(stop_fd_, &one, sizeof one);
  }
  sweep_wake_.notify_all();
  for (auto& worker : workers_) {
    worker.join();
  }
  if (sweeper_.joinable()) {
    sweeper_.join();
  }
  std::lock_guard lock(mutex_);
  for (auto& [id, connection] : connections_) {
    connection->close();
  }
  connections_.clear();
  open_ = 0;
}

std::string HttpListener::bound_address() const {
  return bound_address_;
}

}  // namespace th::server
