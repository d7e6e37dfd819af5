#include "server/hub/hub_batch_window.h"

#include <sys/prctl.h>

#include <ctime>

namespace th::server {
namespace {

// Each turn keeps this much of the history before it.
constexpr double kDecay = 7.0 / 8.0;
// A pause pays when it lets one turn serve at least this many sockets that
// would each have woken the loop: one wake-up, the timer's, instead.
constexpr double kReadyPerWindow = 2.0;

}  // namespace

// The kernel may let a sleep run over by the thread's timer slack (50 us by
// default) to fire several timers at once; a tenth of the window keeps the
// bound close to the configured one.
void HubBatchWindow::prepare_thread() const {
  if (window_.count() > 0) {
    const auto slack = std::chrono::nanoseconds(window_) / 10;
    (void)::prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(slack.count()), 0, 0, 0);
  }
}

void HubBatchWindow::served(int ready_sockets, bool more_may_wait) {
  if (window_.count() == 0) {
    return;
  }
  if (ready_sockets == 0) {
    // Nothing came during a whole window: traffic stopped, and the loop
    // goes back to waiting for it.
    pause_due_ = false;
    draining_ = false;
    return;
  }
  const Clock::time_point now = Clock::now();
  const auto elapsed = std::chrono::duration<double, std::nano>(now - last_served_);
  last_served_ = now;
  ready_sockets_ = ready_sockets_ * kDecay + ready_sockets;
  elapsed_ns_ = elapsed_ns_ * kDecay + elapsed.count();
  draining_ = steady();
  pause_due_ = draining_ && !more_may_wait;
}

bool HubBatchWindow::steady() const {
  const double window_ns = std::chrono::duration<double, std::nano>(window_).count();
  return ready_sockets_ * window_ns >= kReadyPerWindow * elapsed_ns_;
}

// The sleep ends a window after the turn began, not after it ended: turns
// start at most a window apart, and the time a turn took does not add to
// the wait of what arrived meanwhile. (steady_clock is CLOCK_MONOTONIC.)
void HubBatchWindow::pause_if_due() {
  if (!pause_due_) {
    return;
  }
  pause_due_ = false;
  const auto until = std::chrono::nanoseconds((last_served_ + window_).time_since_epoch()).count();
  const timespec deadline{static_cast<time_t>(until / 1'000'000'000),
                          static_cast<long>(until % 1'000'000'000)};
  (void)::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr);
}

}  // namespace th::server
