// HubBatchWindow: interrupt moderation for a hub event loop. When traffic
// is steady (sockets become ready several times a window), the loop sleeps
// out a short window between turns instead of going back to epoll at once,
// so that its next turn serves everything that arrived meanwhile: one
// wake-up, and one context switch, for a batch of messages instead of one
// each. A loop whose sockets become ready less often than that serves each
// as soon as it comes, so a quiet connection's message is never held, and
// neither is a burst that one or two turns serve whole.
//
// A turn reads each ready socket until the kernel and TLS hold nothing more
// (HubConnection::read_available), so a steady loop sleeps right after a
// turn; only a turn that could not take every ready socket (the wait
// reported as many as it can) is followed at once by another. A backlog is
// worked off at full speed, never one message per connection a window.
// After a sleep the loop polls without waiting; a poll that finds nothing
// means the traffic stopped, and the loop waits for it again.
//
// The rate is the number of ready sockets the loop's turns served over the
// time they took, both decaying by an eighth a turn: a few turns' worth of
// history, so a burst now and then does not count as steady traffic.
//
// A message on a busy loop waits at most one window (plus the kernel's
// timer slack, which the loop thread sets to a tenth of the window) longer
// than it would have: a sleep ends one window after its turn began. A zero
// window turns moderation off.
//
// One per loop; used by the loop thread only.
#pragma once

#include <chrono>

namespace th::server {

class HubBatchWindow {
 public:
  using Clock = std::chrono::steady_clock;

  explicit HubBatchWindow(std::chrono::microseconds window) : window_(window) {}

  // Loop thread, once, before its first wait: bounds the sleep's slack.
  void prepare_thread() const;

  // After each turn: how many sockets its wait reported ready, and whether
  // more may have been ready than the wait could report.
  void served(int ready_sockets, bool more_may_wait);

  // Whether the next wait must only poll: a steady loop's turns follow
  // each other without waiting.
  bool draining() const { return draining_; }

  // After a turn: on a steady loop whose wait reported every ready
  // socket, sleeps until a window after the turn began.
  void pause_if_due();

 private:
  bool steady() const;

  std::chrono::microseconds window_;
  Clock::time_point last_served_ = Clock::now();
  double ready_sockets_ = 0;  // decaying sums since the loop started
  double elapsed_ns_ = 0;
  bool draining_ = false;
  bool pause_due_ = false;
};

}  // namespace th::server
