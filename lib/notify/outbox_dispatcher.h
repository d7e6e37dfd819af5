// OutboxDispatcher: the background sender of the outbox. It claims due
// messages (Outbox::claim()), hands each to the sender of its channel
// outside any transaction, and records the outcome: sent; retried after
// the RetryPolicy's backoff; or failed once the attempts are used up or the
// provider rejects the message for good.
//
// While a batch is being sent, a second thread renews the batch's lease
// every third of its length, so a slow provider never lets the lease run
// out while this daemon is alive, and a daemon that dies stops renewing:
// its rows become claimable once the lease has run out. At stop(), the
// messages of the batch not yet sent are released unsent.
//
// The dispatcher polls every poll_interval and is woken early by wake()
// (after a booking commits). start() runs it on its own thread; run_once()
// does one round on the caller's thread (tests). Thread-safe: wake(),
// stop() and stats() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "notify/message_sender.h"
#include "notify/outbox.h"
#include "notify/retry_policy.h"
#include "storage/database.h"
#include "util/clock.h"

namespace th::notify {

struct DispatcherOptions {
  ClaimOptions claim;
  RetryPolicy retry;
  std::chrono::milliseconds poll_interval{5000};
};

// What happened to one message, for the caller's log: ids and outcomes,
// never the recipient or the text.
struct DispatchEvent {
  std::string message_id;
  Channel channel = Channel::kEmail;
  std::string kind;
  OutboxStatus status = OutboxStatus::kSent;  // sent, pending (a retry) or failed
  int attempts = 0;
  std::string detail;
  bool claim_lost = false;  // the outcome could not be recorded: another claim took the row
};

struct DispatchStats {
  std::uint64_t sent = 0;
  std::uint64_t retried = 0;
  std::uint64_t failed = 0;
  std::uint64_t lost_claims = 0;
};

class OutboxDispatcher {
 public:
  using EventHandler = std::function<void(const DispatchEvent&)>;
  using ErrorHandler = std::function<void(const Error&)>;

  OutboxDispatcher(storage::Database& database, Outbox& outbox, const Clock& clock,
                   DispatcherOptions options)
      : database_(database), outbox_(outbox), clock_(clock), options_(std::move(options)) {}
  ~OutboxDispatcher() { stop(); }
  OutboxDispatcher(const OutboxDispatcher&) = delete;
  OutboxDispatcher& operator=(const OutboxDispatcher&) = delete;

  // Before start(): the sender of a channel. A message for a channel without
  // one fails ("no sender is configured").
  void set_sender(Channel channel, std::unique_ptr<MessageSender> sender);
  bool has_sender(Channel channel) const { return senders_.contains(channel); }

  // One round: claims due messages and sends them. Returns how many were
  // claimed; fails when the database does.
  [[nodiscard]] Result<std::size_t> run_once();

  // Runs rounds on a thread until stop(). on_event sees every outcome,
  // on_error every failed round (the database being down); both are called
  // on the dispatcher's thread.
  void start(EventHandler on_event, ErrorHandler on_error);
  void stop();
  void wake();

  [[nodiscard]] DispatchStats stats() const;

 private:
  void loop();
  void deliver(const ClaimedMessage& message);
  void record(const ClaimedMessage& message, const SendResult& result);
  void keep_lease(const std::string& claim_token, std::atomic<bool>& done);
  bool wait_for_work(std::chrono::milliseconds timeout);

  storage::Database& database_;
  Outbox& outbox_;
  const Clock& clock_;
  DispatcherOptions options_;
  std::map<Channel, std::unique_ptr<MessageSender>> senders_;
  EventHandler on_event_;
  ErrorHandler on_error_;

  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable wakeup_;
  bool woken_ = false;
  std::atomic<bool> stopping_{false};

  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> retried_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> lost_claims_{0};
};

}  // namespace th::notify
