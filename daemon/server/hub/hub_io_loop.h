// HubIoLoop: one thread watching many hub connections with epoll, so that
// an idle WebSocket costs a few kilobytes and no thread.
//
// The loop owns its connections: it reads them when readable, writes them
// when they have output and the socket takes it, ticks them once a second
// (pings, close timeouts) and forgets them when they finish. Other threads
// hand it new connections (adopt) and wake it when they queued output for
// one (wake); both are thread-safe. Handlers run on the loop thread.
//
// Each turn serves everything epoll reports ready, then writes what the
// turn queued, each connection's frames together. Under steady traffic the
// loop sleeps out a batch window between turns (HubBatchWindow), so a turn
// serves many messages.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/hub/hub_batch_window.h"
#include "server/hub/hub_connection.h"
#include "util/result.h"

namespace th::server {

struct HubLoopHandlers {
  // A text or binary message arrived on a connection.
  std::function<void(HubConnection&, realtime::WebSocketMessage&)> on_message;
  // Once a second for every open connection (session checks).
  std::function<void(HubConnection&)> on_tick;
  // The connection finished and left the loop.
  std::function<void(HubConnection&)> on_finished;
};

class HubIoLoop {
 public:
  // Fails with kInternal when epoll or eventfd cannot be created.
  // `batch_window`: as HubLimits::batch_window (zero: none).
  static Result<std::unique_ptr<HubIoLoop>> create(HubLoopHandlers handlers,
                                                   std::chrono::microseconds batch_window);
  ~HubIoLoop();

  HubIoLoop(const HubIoLoop&) = delete;
  HubIoLoop& operator=(const HubIoLoop&) = delete;

  void start();
  // Closes every connection (close code 1001) and joins the thread, waiting
  // at most the close timeout of the connections for their handshakes.
  void stop();

  // Any thread. The loop takes the connection over.
  void adopt(std::shared_ptr<HubConnection> connection);

  // Any thread. The connection has output to write.
  void wake(HubConnection& connection);

  std::size_t connection_count() const { return count_.load(); }

 private:
  HubIoLoop(int epoll_fd, int wake_fd, HubLoopHandlers handlers,
            std::chrono::microseconds batch_window);
  void run();
  bool handoffs_waiting();
  void take_handoffs();
  void service(const std::shared_ptr<HubConnection>& connection, std::uint32_t events);
  void settle(const std::shared_ptr<HubConnection>& connection);
  void forget(const std::shared_ptr<HubConnection>& connection);
  void tick_all();

  int epoll_fd_;
  int wake_fd_;
  HubLoopHandlers handlers_;
  HubBatchWindow batch_window_;  // loop thread only
  std::thread thread_;
  // Set by run(): a wake from the loop's own thread (a handler's reply or
  // relay) needs no eventfd write, as the loop looks at woken_ before it
  // waits again.
  std::atomic<std::thread::id> loop_thread_{};
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> count_{0};

  std::mutex handoff_mutex_;  // guards the two lists below
  std::vector<std::shared_ptr<HubConnection>> adopted_;
  std::vector<std::weak_ptr<HubConnection>> woken_;
  // Loop thread only: the lists taken from the two above, kept between
  // turns so that their storage is reused rather than allocated each turn.
  std::vector<std::shared_ptr<HubConnection>> adopted_taken_;
  std::vector<std::weak_ptr<HubConnection>> woken_taken_;

  // Loop thread only: the connections by descriptor, and whether each is
  // watched for writability too.
  struct Watched {
    std::shared_ptr<HubConnection> connection;
    bool watching_write = false;
  };
  std::unordered_map<int, Watched> connections_;
};

}  // namespace th::server
