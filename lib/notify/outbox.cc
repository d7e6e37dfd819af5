#include "notify/outbox.h"

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "crypto/uuid.h"
#include "storage/row_values.h"

namespace th::notify {
namespace {

constexpr std::string_view kTable = "outbox_messages";
constexpr UnixMicros kMicrosPerSecond = 1'000'000;

constexpr const char* kEntryColumns =
    "id, dedupe_key, channel, kind, reference, revision, patient_id, status, due_at, expires_at, "
    "next_attempt_at, attempts, lease_expires_at, claimed_by, last_error, created_at, updated_at, "
    "sent_at";
constexpr std::size_t kEntryColumnCount = 18;
constexpr const char* kSealedColumns = "recipient_enc, subject_enc, body_enc, attachment_enc";

// What blanks a row's personal fields once they are no longer needed.
constexpr const char* kBlankFields =
    "recipient_enc = '', subject_enc = '', body_enc = '', attachment_enc = ''";

constexpr std::string_view kExpiredError = "not sent before its deadline";
constexpr std::string_view kLapsedError = "the sender stopped during the last allowed attempt";
constexpr std::string_view kUnreadableError = "the stored message does not decrypt";

OutboxEntry decode_entry(const soci::row& row) {
  // The schema's CHECK constraints hold channel and status to known names.
  OutboxEntry entry;
  entry.id = storage::column_text(row, 0);
  entry.dedupe_key = storage::column_text(row, 1);
  entry.channel = parse_channel(storage::column_text(row, 2)).value();
  entry.kind = storage::column_text(row, 3);
  entry.reference = storage::column_text(row, 4);
  entry.revision = storage::column_int64(row, 5);
  entry.patient_id = storage::column_text(row, 6);
  entry.status = parse_outbox_status(storage::column_text(row, 7)).value();
  entry.due_at = storage::column_int64(row, 8);
  entry.expires_at = storage::column_int64(row, 9);
  entry.next_attempt_at = storage::column_int64(row, 10);
  entry.attempts = static_cast<int>(storage::column_int64(row, 11));
  entry.lease_expires_at = storage::column_int64(row, 12);
  entry.claimed_by = storage::column_text(row, 13);
  entry.last_error = storage::column_text(row, 14);
  entry.created_at = storage::column_int64(row, 15);
  entry.updated_at = storage::column_int64(row, 16);
  entry.sent_at = storage::column_int64(row, 17);
  return entry;
}

// A claimed row as read inside the claim transaction, still sealed.
struct SealedClaim {
  OutboxEntry entry;
  std::string sealed[4];  // recipient, subject, body, attachment
};

// The candidates of one claim: due pending rows and rows whose lease ran out.
struct Candidate {
  std::string id;
  std::string status;
  int attempts = 0;
  UnixMicros expires_at = 0;
};

std::vector<Candidate> select_candidates(soci::session& session, bool postgresql, UnixMicros now,
                                         int limit) {
  std::string sql =
      "SELECT id, status, attempts, expires_at FROM outbox_messages "
      "WHERE (status = 'pending' AND next_attempt_at <= :due) "
      "OR (status = 'sending' AND lease_expires_at <= :lapsed) "
      "ORDER BY next_attempt_at, id LIMIT :limit";
  if (postgresql) {
    // Rows another daemon is claiming right now are passed over, not waited for.
    sql += " FOR UPDATE SKIP LOCKED";
  }
  std::vector<Candidate> candidates;
  soci::rowset<soci::row> rows =
      (session.prepare << sql, soci::use(now), soci::use(now), soci::use(limit));
  for (const soci::row& row : rows) {
    Candidate candidate;
    candidate.id = storage::column_text(row, 0);
    candidate.status = storage::column_text(row, 1);
    candidate.attempts = static_cast<int>(storage::column_int64(row, 2));
    candidate.expires_at = storage::column_int64(row, 3);
    candidates.push_back(std::move(candidate));
  }
  return candidates;
}

void fail_row(soci::session& session, const std::string& id, std::string_view error,
              UnixMicros now) {
  const std::string message(error);
  session << "UPDATE outbox_messages SET status = 'failed', last_error = :error, "
             "lease_expires_at = 0, updated_at = :now WHERE id = :id",
      soci::use(message), soci::use(now), soci::use(id);
}

void take_row(soci::session& session, const std::string& id, const ClaimOptions& options,
              const std::string& token, UnixMicros now) {
  const UnixMicros lease = now + options.lease_seconds * kMicrosPerSecond;
  session << "UPDATE outbox_messages SET status = 'sending', attempts = attempts + 1, "
             "lease_expires_at = :lease, claimed_by = :node, claim_token = :token, "
             "updated_at = :now WHERE id = :id",
      soci::use(lease), soci::use(options.node), soci::use(token), soci::use(now), soci::use(id);
}

std::vector<SealedClaim> read_claimed(soci::session& session, const std::string& token) {
  std::vector<SealedClaim> claimed;
  soci::rowset<soci::row> rows =
      (session.prepare << std::string("SELECT ") + kEntryColumns + ", " + kSealedColumns +
                              " FROM outbox_messages WHERE claim_token = :token "
                              "AND status = 'sending' ORDER BY next_attempt_at, id",
       soci::use(token));
  for (const soci::row& row : rows) {
    SealedClaim claim;
    claim.entry = decode_entry(row);
    for (std::size_t i = 0; i < 4; ++i) {
      claim.sealed[i] = storage::column_text(row, kEntryColumnCount + i);
    }
    claimed.push_back(std::move(claim));
  }
  return claimed;
}

Status check_new_message(const NewMessage& message) {
  if (message.dedupe_key.empty()) {
    return Error(ErrorCode::kInvalidArgument, "an outbox message needs a dedupe key");
  }
  if (message.recipient.empty()) {
    return Error(ErrorCode::kInvalidArgument, "an outbox message needs a recipient");
  }
  return ok_status();
}

}  // namespace

const storage::SealedTableLayout& Outbox::layout() {
  static const storage::SealedTableLayout layout = [] {
    storage::SealedTableLayout built;
    built.table = kTable;
    for (const char* column : {"recipient_enc", "subject_enc", "body_enc", "attachment_enc"}) {
      built.sealed.push_back({column, column, true});
    }
    return built;
  }();
  return layout;
}

Result<std::string> Outbox::seal(std::string_view value, std::string_view column,
                                 const std::string& id) {
  // An empty field stays empty: there is nothing to protect, and an empty
  // attachment then reads as "none" without a decryption.
  if (value.empty()) {
    return std::string();
  }
  return protection_.seal(value, storage::FieldRef{kTable, column, id});
}

Result<std::string> Outbox::open(std::string_view stored, std::string_view column,
                                 const std::string& id) {
  if (stored.empty()) {
    return std::string();
  }
  return protection_.open(stored, storage::FieldRef{kTable, column, id});
}

Result<bool> Outbox::enqueue(soci::session& session, const NewMessage& message) {
  TH_RETURN_IF_ERROR(check_new_message(message));
  const std::string id = crypto::new_uuid_v4();
  auto recipient = seal(message.recipient, "recipient_enc", id);
  auto subject = seal(message.subject, "subject_enc", id);
  auto body = seal(message.body, "body_enc", id);
  auto attachment = seal(message.attachment, "attachment_enc", id);
  for (const auto* sealed : {&recipient, &subject, &body, &attachment}) {
    if (!sealed->ok()) {
      return sealed->error();
    }
  }
  const std::string channel(channel_name(message.channel));
  const UnixMicros now = clock_.now_micros();
  // ON CONFLICT DO NOTHING rather than catching the violation: on
  // PostgreSQL a failed statement would abort the caller's whole transaction.
  soci::statement insert =
      (session.prepare << "INSERT INTO outbox_messages (id, dedupe_key, channel, kind, reference, "
                          "revision, patient_id, recipient_enc, subject_enc, body_enc, "
                          "attachment_enc, status, due_at, expires_at, next_attempt_at, attempts, "
                          "lease_expires_at, claimed_by, claim_token, last_error, created_at, "
                          "updated_at, sent_at) VALUES (:id, :key, :channel, :kind, :reference, "
                          ":revision, :patient, :recipient, :subject, :body, :attachment, "
                          "'pending', :due, :expires, :next, 0, 0, '', '', '', :created, "
                          ":updated, 0) ON CONFLICT (dedupe_key) DO NOTHING",
       soci::use(id), soci::use(message.dedupe_key), soci::use(channel), soci::use(message.kind),
       soci::use(message.reference), soci::use(message.revision), soci::use(message.patient_id),
       soci::use(*recipient), soci::use(*subject), soci::use(*body), soci::use(*attachment),
       soci::use(message.due_at), soci::use(message.expires_at), soci::use(message.due_at),
       soci::use(now), soci::use(now));
  insert.execute(true);
  return insert.get_affected_rows() == 1;
}

Result<int> Outbox::supersede(soci::session& session, std::string_view reference,
                              std::int64_t revision) {
  // Failed messages go too: retrying one later would tell of a time that no
  // longer holds.
  const std::string ref(reference);
  const UnixMicros now = clock_.now_micros();
  soci::statement cancel =
      (session.prepare << std::string("UPDATE outbox_messages SET status = 'cancelled', "
                                      "last_error = 'superseded by a later change', "
                                      "updated_at = :now, ") +
                              kBlankFields +
                              " WHERE reference = :reference AND revision < :revision "
                              "AND status IN ('pending', 'failed')",
       soci::use(now), soci::use(ref), soci::use(revision));
  cancel.execute(true);
  return static_cast<int>(cancel.get_affected_rows());
}

Result<std::vector<ClaimedMessage>> Outbox::claim(storage::Database& database,
                                                  const ClaimOptions& options) {
  const bool postgresql = database.backend() == storage::Backend::kPostgresql;
  const std::string token = crypto::hex_encode(crypto::random_bytes(16));
  auto sealed = database.run_write_transaction([&](soci::session& session) {
    const UnixMicros now = clock_.now_micros();
    for (const Candidate& candidate :
         select_candidates(session, postgresql, now, static_cast<int>(options.limit))) {
      if (candidate.expires_at != 0 && candidate.expires_at <= now) {
        fail_row(session, candidate.id, kExpiredError, now);
      } else if (candidate.status == "sending" && candidate.attempts >= options.max_attempts) {
        fail_row(session, candidate.id, kLapsedError, now);
      } else {
        take_row(session, candidate.id, options, token, now);
      }
    }
    return read_claimed(session, token);
  });
  if (!sealed.ok()) {
    return sealed.error();
  }

  // Decryption needs no transaction, so it happens after the commit.
  std::vector<ClaimedMessage> claimed;
  std::vector<std::string> unreadable;
  for (SealedClaim& row : *sealed) {
    ClaimedMessage message;
    message.entry = std::move(row.entry);
    message.claim_token = token;
    const std::string& id = message.entry.id;
    auto recipient = open(row.sealed[0], "recipient_enc", id);
    auto subject = open(row.sealed[1], "subject_enc", id);
    auto body = open(row.sealed[2], "body_enc", id);
    auto attachment = open(row.sealed[3], "attachment_enc", id);
    if (!recipient.ok() || !subject.ok() || !body.ok() || !attachment.ok()) {
      unreadable.push_back(id);
      continue;
    }
    message.recipient = std::move(*recipient);
    message.subject = std::move(*subject);
    message.body = std::move(*body);
    message.attachment = std::move(*attachment);
    claimed.push_back(std::move(message));
  }
  if (!unreadable.empty()) {
    TH_RETURN_IF_ERROR(database.run_write_transaction([&](soci::session& session) {
      for (const std::string& id : unreadable) {
        fail_row(session, id, kUnreadableError, clock_.now_micros());
      }
    }));
  }
  return claimed;
}

Result<bool> Outbox::finish(storage::Database& database, const ClaimedMessage& claimed,
                            OutboxStatus outcome, UnixMicros next_attempt_at,
                            std::string_view error) {
  const std::string status(outbox_status_name(outcome));
  const std::string message(error.substr(0, 500));
  const bool sent = outcome == OutboxStatus::kSent;
  std::string sql =
      "UPDATE outbox_messages SET status = :status, next_attempt_at = :next, last_error = :error, "
      "lease_expires_at = 0, sent_at = :sent, updated_at = :now";
  if (sent) {
    sql += std::string(", ") + kBlankFields;
  }
  sql += " WHERE id = :id AND status = 'sending' AND claim_token = :token";
  return database.run([&](soci::session& session) {
    const UnixMicros now = clock_.now_micros();
    const UnixMicros next = next_attempt_at == 0 ? claimed.entry.next_attempt_at : next_attempt_at;
    const UnixMicros sent_at = sent ? now : 0;
    soci::statement update = (session.prepare << sql, soci::use(status), soci::use(next),
                              soci::use(message), soci::use(sent_at), soci::use(now),
                              soci::use(claimed.entry.id), soci::use(claimed.claim_token));
    update.execute(true);
    return update.get_affected_rows() == 1;
  });
}

Result<bool> Outbox::mark_sent(storage::Database& database, const ClaimedMessage& claimed) {
  return finish(database, claimed, OutboxStatus::kSent, 0, "");
}

Result<bool> Outbox::mark_retry(storage::Database& database, const ClaimedMessage& claimed,
                                UnixMicros next_attempt_at, std::string_view error) {
  return finish(database, claimed, OutboxStatus::kPending, next_attempt_at, error);
}

Result<bool> Outbox::mark_failed(storage::Database& database, const ClaimedMessage& claimed,
                                 std::string_view error) {
  return finish(database, claimed, OutboxStatus::kFailed, 0, error);
}

Result<int> Outbox::renew(storage::Database& database, const std::string& claim_token,
                          std::int64_t lease_seconds) {
  return database.run([&](soci::session& session) {
    const UnixMicros lease = clock_.now_micros() + lease_seconds * kMicrosPerSecond;
    soci::statement update =
        (session.prepare << "UPDATE outbox_messages SET lease_expires_at = :lease "
                            "WHERE claim_token = :token AND status = 'sending'",
         soci::use(lease), soci::use(claim_token));
    update.execute(true);
    return static_cast<int>(update.get_affected_rows());
  });
}

Result<bool> Outbox::release(storage::Database& database, const ClaimedMessage& claimed) {
  return database.run([&](soci::session& session) {
    const UnixMicros now = clock_.now_micros();
    soci::statement update =
        (session.prepare << "UPDATE outbox_messages SET status = 'pending', "
                            "attempts = attempts - 1, lease_expires_at = 0, "
                            "next_attempt_at = :next, updated_at = :now WHERE id = :id "
                            "AND status = 'sending' AND claim_token = :token",
         soci::use(now), soci::use(now), soci::use(claimed.entry.id),
         soci::use(claimed.claim_token));
    update.execute(true);
    return update.get_affected_rows() == 1;
  });
}

std::vector<OutboxEntry> Outbox::list(soci::session& session, const OutboxFilter& filter) {
  const std::string status = filter.status ? std::string(outbox_status_name(*filter.status)) : "";
  const int any_status = status.empty() ? 1 : 0;
  const int any_reference = filter.reference.empty() ? 1 : 0;
  const int limit = static_cast<int>(filter.limit);
  std::vector<OutboxEntry> entries;
  soci::rowset<soci::row> rows =
      (session.prepare << std::string("SELECT ") + kEntryColumns +
                              " FROM outbox_messages WHERE (:any_status = 1 OR status = :status) "
                              "AND (:any_reference = 1 OR reference = :reference) "
                              "ORDER BY created_at DESC, id LIMIT :limit",
       soci::use(any_status), soci::use(status), soci::use(any_reference),
       soci::use(filter.reference), soci::use(limit));
  for (const soci::row& row : rows) {
    entries.push_back(decode_entry(row));
  }
  return entries;
}

std::optional<OutboxEntry> Outbox::find(soci::session& session, const std::string& id) {
  soci::row row;
  session << std::string("SELECT ") + kEntryColumns + " FROM outbox_messages WHERE id = :id",
      soci::use(id), soci::into(row);
  if (!session.got_data()) {
    return std::nullopt;
  }
  return decode_entry(row);
}

Status Outbox::retry(soci::session& session, const std::string& id) {
  const auto entry = find(session, id);
  if (!entry) {
    return Error(ErrorCode::kNotFound, "no outbox message with that id");
  }
  if (entry->status != OutboxStatus::kFailed) {
    return Error(ErrorCode::kFailedPrecondition,
                 "only a failed message can be retried; this one is " +
                     std::string(outbox_status_name(entry->status)));
  }
  const UnixMicros now = clock_.now_micros();
  session << "UPDATE outbox_messages SET status = 'pending', attempts = 0, next_attempt_at = :now, "
             "last_error = '', updated_at = :updated WHERE id = :id AND status = 'failed'",
      soci::use(now), soci::use(now), soci::use(id);
  return ok_status();
}

}  // namespace th::notify
