// Checkpointer: signs checkpoints of the audit log (C2SP tlog-checkpoint
// bodies in Ed25519 signed notes, see checkpoint.h and signed_note.h) and
// stores them in audit_checkpoints beside the tree's frontier.
//
// A checkpoint is due when interval_events events have been appended since
// the newest stored checkpoint, or when interval_seconds have passed since it
// and at least one event has (for the first checkpoint: since this
// Checkpointer was made). Each checkpoint is taken inside
// AuditLog::with_tree(), under the append lock, and that transaction reads
// the newest stored checkpoint again, so daemons sharing a database never
// sign two checkpoints of one size: whoever comes second finds the work
// done and skips it.
//
// The origin (the log's name and the key name of its signatures) must be
// the same for every daemon of an installation. An empty options.origin
// takes the origin of the first stored checkpoint, or default_origin when
// there is none yet; checkpoints are not re-signed when it changes.
//
// Checkpoints are not themselves audit events: an event for each one would
// grow the very tree it describes.
//
// Thread-safe. start() runs checkpoint_if_due() on a thread of its own a few
// times a second; stop() (or the destructor) ends it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "audit/audit_log.h"
#include "audit/checkpoint_store.h"
#include "crypto/ed25519_key.h"
#include "util/clock.h"
#include "util/result.h"

namespace th::audit {

struct CheckpointerOptions {
  std::string origin;          // empty: the stored origin, else default_origin
  std::string default_origin;  // "telehealthd/<node name>"
  std::uint64_t interval_events = 1000;
  std::int64_t interval_seconds = 60;
  std::string node;  // recorded with each checkpoint
};

class Checkpointer {
 public:
  // Fails with kInvalidArgument when an origin given is not a valid
  // checkpoint origin (see is_valid_checkpoint_origin).
  [[nodiscard]] static Result<std::unique_ptr<Checkpointer>> create(AuditLog& log,
                                                                    crypto::Ed25519Key key,
                                                                    const Clock& clock,
                                                                    CheckpointerOptions options);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Signs a checkpoint of the whole log now, unless the newest stored one
  // already covers every event; returns the newest checkpoint either way.
  // kFailedPrecondition when the log is empty; the database's errors.
  [[nodiscard]] Result<StoredCheckpoint> checkpoint_now();

  // Signs a checkpoint when one is due (see above); returns it, or nothing
  // when none was due.
  [[nodiscard]] Result<std::optional<StoredCheckpoint>> checkpoint_if_due();

  // The newest stored checkpoint, if any.
  [[nodiscard]] Result<std::optional<StoredCheckpoint>> latest() const;

  // The origin new checkpoints get, resolved as described above.
  [[nodiscard]] Result<std::string> origin() const;

  // The public half of the signing key: raw 32 bytes, PEM, and the signed-
  // note verifier key string for origin().
  std::string public_key_raw() const { return public_key_raw_; }
  std::string public_key_pem() const { return key_.public_key_pem(); }
  [[nodiscard]] Result<std::string> verifier_key() const;

  // Runs checkpoint_if_due() every poll interval on a background thread
  // until stop(). `report` receives its failures, at most one per
  // interval_seconds, so a database outage is reported without flooding.
  void start(std::function<void(const Error&)> report);
  void stop();

 private:
  Checkpointer(AuditLog& log, crypto::Ed25519Key key, const Clock& clock,
               CheckpointerOptions options);

  enum class Trigger { kIfDue, kNow };
  struct Taken {
    std::optional<StoredCheckpoint> newest;  // after the attempt
    bool signed_now = false;                 // newest was signed by this attempt
  };
  Result<Taken> take(Trigger trigger);
  Result<StoredCheckpoint> sign_and_store(soci::session& session, const MerkleFrontier& tree,
                                          const std::string& origin);
  std::string origin_in(soci::session& session) const;
  bool locally_due() const;
  void run(const std::function<void(const Error&)>& report);

  AuditLog& log_;
  const crypto::Ed25519Key key_;
  const std::string public_key_raw_;
  const Clock& clock_;
  const CheckpointerOptions options_;
  const UnixMicros created_at_;

  mutable std::mutex mutex_;
  // What this daemon last knew of the newest stored checkpoint, to decide
  // without the database whether one may be due. Guarded by mutex_.
  std::uint64_t known_size_ = 0;
  UnixMicros known_at_ = 0;
  UnixMicros last_database_check_ = 0;
  bool stopping_ = false;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace th::audit
