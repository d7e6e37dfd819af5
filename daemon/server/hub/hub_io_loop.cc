#include "server/hub/hub_io_loop.h"

#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace th::server {
namespace {

constexpr int kMaxEvents = 256;
constexpr int kTickMillis = 250;

// Level-triggered, as HubConnection::read_available relies on: a socket
// with unread bytes is reported again on the next wait.
std::uint32_t interest(bool write) {
  return EPOLLIN | EPOLLRDHUP | (write ? EPOLLOUT : 0U);
}

}  // namespace

Result<std::unique_ptr<HubIoLoop>> HubIoLoop::create(HubLoopHandlers handlers,
                                                     std::chrono::microseconds batch_window) {
  const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) {
    return Error(ErrorCode::kInternal, std::string("create epoll: ") + std::strerror(errno));
  }
  const int wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd < 0) {
    const std::string reason = std::strerror(errno);
    ::close(epoll_fd);
    return Error(ErrorCode::kInternal, "create eventfd: " + reason);
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = wake_fd;
  ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &event);
  return std::unique_ptr<HubIoLoop>(
      new HubIoLoop(epoll_fd, wake_fd, std::move(handlers), batch_window));
}

HubIoLoop::HubIoLoop(int epoll_fd, int wake_fd, HubLoopHandlers handlers,
                     std::chrono::microseconds batch_window)
    : epoll_fd_(epoll_fd),
      wake_fd_(wake_fd),
      handlers_(std::move(handlers)),
      batch_window_(batch_window) {}

HubIoLoop::~HubIoLoop() {
  stop();
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void HubIoLoop::start() {
  thread_ = std::thread([this] { run(); });
}

void HubIoLoop::stop() {
  if (!thread_.joinable()) {
    return;
  }
  stopping_ = true;
  const std::uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof one);
  thread_.join();
}

void HubIoLoop::adopt(std::shared_ptr<HubConnection> connection) {
  connection->set_wake([this](HubConnection& woken) { wake(woken); });
  {
    std::lock_guard lock(handoff_mutex_);
    adopted_.push_back(std::move(connection));
  }
  const std::uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof one);
}

void HubIoLoop::wake(HubConnection& connection) {
  {
    std::lock_guard lock(handoff_mutex_);
    woken_.push_back(connection.weak_from_this());
  }
  if (std::this_thread::get_id() == loop_thread_.load()) {
    return;
  }
  const std::uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof one);
}

void HubIoLoop::run() {
  loop_thread_ = std::this_thread::get_id();
  batch_window_.prepare_thread();
  epoll_event events[kMaxEvents];
  auto next_tick = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point stop_deadline{};
  while (true) {
    if (stopping_ && stop_deadline == std::chrono::steady_clock::time_point{}) {
      // Every connection gets a close frame; the loop keeps running until
      // their handshakes end or time out.
      for (auto& [fd, watched] : connections_) {
        watched.connection->close(realtime::kCloseGoingAway, "server shutting down");
      }
      stop_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    }
    if (stopping_ && (connections_.empty() || std::chrono::steady_clock::now() > stop_deadline)) {
      break;
    }
    const bool poll_only = handoffs_waiting() || batch_window_.draining();
    const int ready = ::epoll_wait(epoll_fd_, events, kMaxEvents, poll_only ? 0 : kTickMillis);
    int ready_sockets = 0;
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.fd == wake_fd_) {
        std::uint64_t drained = 0;
        (void)::read(wake_fd_, &drained, sizeof drained);
        continue;
      }
      const auto found = connections_.find(events[i].data.fd);
      if (found != connections_.end()) {
        const std::shared_ptr<HubConnection> connection = found->second.connection;
        service(connection, events[i].events);
        ++ready_sockets;
      }
    }
    batch_window_.served(ready_sockets, ready == kMaxEvents);
    take_handoffs();
    if (std::chrono::steady_clock::now() >= next_tick) {
      tick_all();
      next_tick = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    }
    if (!stopping_) {
      batch_window_.pause_if_due();
    }
  }
  for (auto& [fd, watched] : connections_) {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    watched.connection->close_socket();
    handlers_.on_finished(*watched.connection);
  }
  connections_.clear();
  count_ = 0;
}

// Wakes from this thread leave no eventfd count behind (wake()), so the
// loop must not sleep on epoll while one is waiting.
bool HubIoLoop::handoffs_waiting() {
  std::lock_guard lock(handoff_mutex_);
  return !woken_.empty() || !adopted_.empty();
}

// New connections are read at once: the TLS layer may already hold bytes
// that arrived with the upgrade request, and epoll would not report those.
void HubIoLoop::take_handoffs() {
  std::vector<std::shared_ptr<HubConnection>>& adopted = adopted_taken_;
  std::vector<std::weak_ptr<HubConnection>>& woken = woken_taken_;
  {
    std::lock_guard lock(handoff_mutex_);
    adopted.swap(adopted_);
    woken.swap(woken_);
  }
  for (auto& connection : adopted) {
    epoll_event event{};
    event.events = interest(false);
    event.data.fd = connection->fd();
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, connection->fd(), &event) != 0) {
      spdlog::warn("hub: could not watch a connection: {}", std::strerror(errno));
      connection->close_socket();
      handlers_.on_finished(*connection);
      continue;
    }
    connections_[connection->fd()] = Watched{connection, false};
    ++count_;
    service(connection, EPOLLIN | EPOLLOUT);
  }
  for (auto& weak : woken) {
    if (auto connection = weak.lock()) {
      const auto found = connections_.find(connection->fd());
      if (found != connections_.end() && found->second.connection == connection) {
        service(connection, EPOLLOUT);
      }
    }
  }
  adopted.clear();
  woken.clear();
}

void HubIoLoop::service(const std::shared_ptr<HubConnection>& connection, std::uint32_t events) {
  if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) != 0) {
    connection->read_available(
        [&](realtime::WebSocketMessage& message) { handlers_.on_message(*connection, message); });
  }
  // Output queued while reading (replies, pongs) goes out in the same turn.
  connection->flush();
  settle(connection);
}

// Watches for writability only while output waits, and lets go of a
// finished connection: out of epoll first, then closed.
void HubIoLoop::settle(const std::shared_ptr<HubConnection>& connection) {
  if (connection->finished()) {
    forget(connection);
    return;
  }
  Watched& watched = connections_[connection->fd()];
  const bool want = connection->wants_write();
  if (want != watched.watching_write) {
    epoll_event event{};
    event.events = interest(want);
    event.data.fd = connection->fd();
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, connection->fd(), &event);
    watched.watching_write = want;
  }
}

void HubIoLoop::forget(const std::shared_ptr<HubConnection>& connection) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, connection->fd(), nullptr);
  connections_.erase(connection->fd());
  --count_;
  connection->close_socket();
  handlers_.on_finished(*connection);
}

void HubIoLoop::tick_all() {
  const auto now = HubConnection::Clock::now();
  std::vector<std::shared_ptr<HubConnection>> all;
  all.reserve(connections_.size());
  for (auto& [fd, watched] : connections_) {
    all.push_back(watched.connection);
  }
  for (const auto& connection : all) {
    if (!connection->finished()) {
      handlers_.on_tick(*connection);
      connection->tick(now);
      connection->flush();
    }
    settle(connection);
  }
}

}  // namespace th::server
