#include "notify/outbox_dispatcher.h"

namespace th::notify {
namespace {

constexpr UnixMicros kMicrosPerSecond = 1'000'000;

// Renews one claim's lease every third of its length until destroyed.
class LeaseKeeper {
 public:
  LeaseKeeper(Outbox& outbox, storage::Database& database, std::string claim_token,
              std::int64_t lease_seconds)
      : outbox_(outbox),
        database_(database),
        claim_token_(std::move(claim_token)),
        lease_seconds_(lease_seconds),
        thread_([this] { run(); }) {}
  ~LeaseKeeper() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_changed_.notify_all();
    thread_.join();
  }
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

 private:
  void run() {
    const auto interval = std::chrono::milliseconds(lease_seconds_ * 1000 / 3);
    std::unique_lock lock(mutex_);
    while (!done_changed_.wait_for(lock, interval, [this] { return done_; })) {
      lock.unlock();
      // A renewal that fails (the database is away) is simply tried again;
      // if the lease runs out meanwhile, another claim may take the rows.
      (void)outbox_.renew(database_, claim_token_, lease_seconds_);
      lock.lock();
    }
  }

  Outbox& outbox_;
  storage::Database& database_;
  const std::string claim_token_;
  const std::int64_t lease_seconds_;
  std::mutex mutex_;
  std::condition_variable done_changed_;
  bool done_ = false;
  std::thread thread_;  // last: starts once everything above is set
};

}  // namespace

void OutboxDispatcher::set_sender(Channel channel, std::unique_ptr<MessageSender> sender) {
  senders_[channel] = std::move(sender);
}

Result<std::size_t> OutboxDispatcher::run_once() {
  auto claimed = outbox_.claim(database_, options_.claim);
  if (!claimed.ok()) {
    return claimed.error();
  }
  if (claimed->empty()) {
    return std::size_t{0};
  }
  const LeaseKeeper keeper(outbox_, database_, claimed->front().claim_token,
                           options_.claim.lease_seconds);
  for (const ClaimedMessage& message : *claimed) {
    if (stopping_.load()) {
      // Unsent work goes back at once rather than waiting out the lease.
      (void)outbox_.release(database_, message);
      continue;
    }
    deliver(message);
  }
  return claimed->size();
}

void OutboxDispatcher::deliver(const ClaimedMessage& message) {
  const auto sender = senders_.find(message.entry.channel);
  if (sender == senders_.end()) {
    record(message, SendResult::rejected("no sender is configured for " +
                                         std::string(channel_name(message.entry.channel))));
    return;
  }
  SendResult result;
  try {
    result = sender->second->send(message);
  } catch (const std::exception&) {
    result = SendResult::retry("the sender failed unexpectedly");
  }
  record(message, result);
}

void OutboxDispatcher::record(const ClaimedMessage& message, const SendResult& result) {
  DispatchEvent event;
  event.message_id = message.entry.id;
  event.channel = message.entry.channel;
  event.kind = message.entry.kind;
  event.attempts = message.entry.attempts;
  event.detail = result.detail;

  Result<bool> recorded = false;
  const bool give_up =
      result.outcome == SendOutcome::kRejected ||
      (result.outcome == SendOutcome::kRetry && options_.retry.exhausted(message.entry.attempts));
  if (result.outcome == SendOutcome::kSent) {
    event.status = OutboxStatus::kSent;
    recorded = outbox_.mark_sent(database_, message);
    ++sent_;
  } else if (give_up) {
    event.status = OutboxStatus::kFailed;
    if (result.outcome == SendOutcome::kRetry) {
      event.detail += " (gave up after " + std::to_string(message.entry.attempts) + " attempts)";
    }
    recorded = outbox_.mark_failed(database_, message, event.detail);
    ++failed_;
  } else {
    event.status = OutboxStatus::kPending;
    const UnixMicros next = clock_.now_micros() +
                            options_.retry.delay_seconds(message.entry.attempts) * kMicrosPerSecond;
    recorded = outbox_.mark_retry(database_, message, next, event.detail);
    ++retried_;
  }

  if (!recorded.ok()) {
    // The row stays `sending` until its lease runs out and is then claimed
    // again: for a sent message, the one way it can go out twice.
    if (on_error_) {
      on_error_(recorded.error().with_context("record the outcome of outbox message " +
                                              message.entry.id));
    }
  } else if (!*recorded) {
    event.claim_lost = true;
    ++lost_claims_;
  }
  if (on_event_) {
    on_event_(event);
  }
}

void OutboxDispatcher::start(EventHandler on_event, ErrorHandler on_error) {
  on_event_ = std::move(on_event);
  on_error_ = std::move(on_error);
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void OutboxDispatcher::loop() {
  while (!stopping_.load()) {
    auto claimed = run_once();
    if (!claimed.ok()) {
      if (on_error_) {
        on_error_(claimed.error().with_context("outbox round"));
      }
    } else if (*claimed >= options_.claim.limit) {
      continue;  // a full batch: more may be due already
    }
    wait_for_work(options_.poll_interval);
  }
}

bool OutboxDispatcher::wait_for_work(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const bool woken = wakeup_.wait_for(lock, timeout, [this] { return woken_ || stopping_.load(); });
  woken_ = false;
  return woken;
}

void OutboxDispatcher::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeup_.notify_all();
}

void OutboxDispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

DispatchStats OutboxDispatcher::stats() const {
  return DispatchStats{sent_.load(), retried_.load(), failed_.load(), lost_claims_.load()};
}

}  // namespace th::notify
