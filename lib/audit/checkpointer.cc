#include "audit/checkpointer.h"

#include "audit/checkpoint.h"
#include "audit/signed_note.h"
#include "crypto/encoding.h"

namespace th::audit {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(250);
constexpr UnixMicros kMicrosPerSecond = 1'000'000;

Error invalid_origin(std::string_view key) {
  return Error(ErrorCode::kInvalidArgument,
               std::string(key) +
                   ": an origin must be non-empty utf-8 without spaces, control characters or '+'");
}

}  // namespace

Result<std::unique_ptr<Checkpointer>> Checkpointer::create(AuditLog& log, crypto::Ed25519Key key,
                                                           const Clock& clock,
                                                           CheckpointerOptions options) {
  if (!options.origin.empty() && !is_valid_checkpoint_origin(options.origin)) {
    return invalid_origin("audit.origin");
  }
  if (!is_valid_checkpoint_origin(options.default_origin)) {
    return invalid_origin("default audit origin");
  }
  return std::unique_ptr<Checkpointer>(
      new Checkpointer(log, std::move(key), clock, std::move(options)));
}

Checkpointer::Checkpointer(AuditLog& log, crypto::Ed25519Key key, const Clock& clock,
                           CheckpointerOptions options)
    : log_(log),
      key_(std::move(key)),
      public_key_raw_(key_.public_key_raw()),
      clock_(clock),
      options_(std::move(options)),
      created_at_(clock.now_micros()) {}

Checkpointer::~Checkpointer() {
  stop();
}

Result<StoredCheckpoint> Checkpointer::checkpoint_now() {
  auto taken = take(Trigger::kNow);
  if (!taken.ok()) {
    return taken.error();
  }
  if (!taken->newest) {
    return Error(ErrorCode::kFailedPrecondition,
                 "sign audit checkpoint: the audit log has no events yet");
  }
  return std::move(*taken->newest);
}

Result<std::optional<StoredCheckpoint>> Checkpointer::checkpoint_if_due() {
  if (!locally_due()) {
    return std::optional<StoredCheckpoint>();
  }
  auto taken = take(Trigger::kIfDue);
  if (!taken.ok()) {
    return taken.error();
  }
  if (!taken->signed_now) {
    return std::optional<StoredCheckpoint>();
  }
  return std::move(taken->newest);
}

// Whether a checkpoint may be due, from what this daemon knows: its own view
// of the tree, and the newest checkpoint it has seen. Once per interval it
// asks the database anyway, for events that other daemons appended.
bool Checkpointer::locally_due() const {
  const std::uint64_t size = log_.tree_size();
  const UnixMicros now = clock_.now_micros();
  const UnixMicros interval = options_.interval_seconds * kMicrosPerSecond;
  std::lock_guard lock(mutex_);
  const UnixMicros since = known_size_ == 0 ? std::max(known_at_, created_at_) : known_at_;
  if (size >= known_size_ + options_.interval_events) {
    return true;
  }
  if (size > known_size_ && now - since >= interval) {
    return true;
  }
  return now - last_database_check_ >= interval;
}

Result<Checkpointer::Taken> Checkpointer::take(Trigger trigger) {
  Taken taken;
  std::optional<StoredCheckpoint>& newest = taken.newest;
  const Status done = log_.with_tree([&](soci::session& session, const MerkleFrontier& tree) {
    const UnixMicros now = clock_.now_micros();
    newest = CheckpointStore().latest(session);
    {
      std::lock_guard lock(mutex_);
      last_database_check_ = now;
    }
    const std::uint64_t covered = newest ? newest->tree_size : 0;
    if (tree.size() == 0 || tree.size() <= covered) {
      return ok_status();
    }
    const UnixMicros since =
        newest ? newest->timestamp_millis * 1000 : std::max(created_at_, UnixMicros{0});
    const bool due = trigger == Trigger::kNow ||
                     tree.size() - covered >= options_.interval_events ||
                     now - since >= options_.interval_seconds * kMicrosPerSecond;
    if (!due) {
      return ok_status();
    }
    auto signed_checkpoint = sign_and_store(session, tree, origin_in(session));
    if (!signed_checkpoint.ok()) {
      return Status(signed_checkpoint.error());
    }
    newest = std::move(*signed_checkpoint);
    taken.signed_now = true;
    return ok_status();
  });
  if (!done.ok()) {
    return done.error().with_context("sign audit checkpoint");
  }
  if (newest) {
    std::lock_guard lock(mutex_);
    known_size_ = newest->tree_size;
    known_at_ = newest->timestamp_millis * 1000;
  }
  return taken;
}

Result<StoredCheckpoint> Checkpointer::sign_and_store(soci::session& session,
                                                      const MerkleFrontier& tree,
                                                      const std::string& origin) {
  Checkpoint checkpoint;
  checkpoint.origin = origin;
  checkpoint.tree_size = tree.size();
  checkpoint.root_hash = tree.root();
  checkpoint.timestamp_millis = clock_.now_micros() / 1000;
  auto body = format_checkpoint_body(checkpoint);
  if (!body.ok()) {
    return body.error();
  }
  auto note = sign_note(*body, origin, key_);
  if (!note.ok()) {
    return note.error();
  }
  StoredCheckpoint stored;
  stored.tree_size = checkpoint.tree_size;
  stored.root_hash_hex = crypto::hex_encode(checkpoint.root_hash);
  stored.timestamp_millis = checkpoint.timestamp_millis;
  stored.origin = origin;
  stored.note = std::move(*note);
  stored.frontier_hex = crypto::hex_encode(tree.serialize());
  stored.node = options_.node;
  stored.created_at = clock_.now_micros();
  CheckpointStore().insert(session, stored);
  return stored;
}

std::string Checkpointer::origin_in(soci::session& session) const {
  if (!options_.origin.empty()) {
    return options_.origin;
  }
  return CheckpointStore().first_origin(session).value_or(options_.default_origin);
}

Result<std::optional<StoredCheckpoint>> Checkpointer::latest() const {
  return log_.database().run(
      [](soci::session& session) { return CheckpointStore().latest(session); });
}

Result<std::string> Checkpointer::origin() const {
  return log_.database().run([this](soci::session& session) { return origin_in(session); });
}

Result<std::string> Checkpointer::verifier_key() const {
  auto name = origin();
  if (!name.ok()) {
    return name.error();
  }
  return format_note_verifier_key(*name, public_key_raw_);
}

void Checkpointer::start(std::function<void(const Error&)> report) {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) {
    return;
  }
  stopping_ = false;
  thread_ = std::thread([this, report = std::move(report)] { run(report); });
}

void Checkpointer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Checkpointer::run(const std::function<void(const Error&)>& report) {
  UnixMicros last_report = 0;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, kPollInterval, [this] { return stopping_; });
    if (stopping_) {
      break;
    }
    lock.unlock();
    auto taken = checkpoint_if_due();
    const UnixMicros now = clock_.now_micros();
    if (!taken.ok() && now - last_report >= options_.interval_seconds * kMicrosPerSecond) {
      last_report = now;
      if (report) {
        report(taken.error());
      }
    }
    lock.lock();
  }
}

}  // namespace th::audit
