#include "audit/checkpoint_store.h"

#include "audit/signed_note.h"
#include "crypto/encoding.h"
#include "storage/row_values.h"

namespace th::audit {
namespace {

constexpr const char* kColumns =
    "SELECT tree_size, root_hash, timestamp_millis, origin, note, frontier, node, created_at "
    "FROM audit_checkpoints ";

StoredCheckpoint decode(const soci::row& row) {
  StoredCheckpoint checkpoint;
  checkpoint.tree_size = static_cast<std::uint64_t>(storage::column_int64(row, 0));
  checkpoint.root_hash_hex = storage::column_text(row, 1);
  checkpoint.timestamp_millis = storage::column_int64(row, 2);
  checkpoint.origin = storage::column_text(row, 3);
  checkpoint.note = storage::column_text(row, 4);
  checkpoint.frontier_hex = storage::column_text(row, 5);
  checkpoint.node = storage::column_text(row, 6);
  checkpoint.created_at = storage::column_int64(row, 7);
  return checkpoint;
}

std::optional<StoredCheckpoint> first_row(soci::rowset<soci::row>& rows) {
  for (const soci::row& row : rows) {
    return decode(row);
  }
  return std::nullopt;
}

Error refused(const StoredCheckpoint& checkpoint, std::string_view why) {
  return Error(
      ErrorCode::kDataLoss,
      "checkpoint at tree size " + std::to_string(checkpoint.tree_size) + ": " + std::string(why));
}

}  // namespace

void CheckpointStore::insert(soci::session& session, const StoredCheckpoint& checkpoint) const {
  const auto tree_size = static_cast<long long>(checkpoint.tree_size);
  const long long timestamp = checkpoint.timestamp_millis;
  const long long created_at = checkpoint.created_at;
  session << "INSERT INTO audit_checkpoints (tree_size, root_hash, timestamp_millis, origin, "
             "note, frontier, node, created_at) VALUES (:size, :root, :timestamp, :origin, "
             ":note, :frontier, :node, :created)",
      soci::use(tree_size), soci::use(checkpoint.root_hash_hex), soci::use(timestamp),
      soci::use(checkpoint.origin), soci::use(checkpoint.note), soci::use(checkpoint.frontier_hex),
      soci::use(checkpoint.node), soci::use(created_at);
}

std::optional<StoredCheckpoint> CheckpointStore::latest(soci::session& session) const {
  soci::rowset<soci::row> rows =
      (session.prepare << std::string(kColumns) + "ORDER BY tree_size DESC LIMIT 1");
  return first_row(rows);
}

std::optional<StoredCheckpoint> CheckpointStore::latest_at_most(soci::session& session,
                                                                std::uint64_t tree_size) const {
  const auto size = static_cast<long long>(tree_size);
  soci::rowset<soci::row> rows =
      (session.prepare << std::string(kColumns) +
                              "WHERE tree_size <= :size ORDER BY tree_size DESC LIMIT 1",
       soci::use(size));
  return first_row(rows);
}

std::optional<StoredCheckpoint> CheckpointStore::at_size(soci::session& session,
                                                         std::uint64_t tree_size) const {
  const auto size = static_cast<long long>(tree_size);
  soci::rowset<soci::row> rows =
      (session.prepare << std::string(kColumns) + "WHERE tree_size = :size", soci::use(size));
  return first_row(rows);
}

std::vector<StoredCheckpoint> CheckpointStore::page(soci::session& session,
                                                    std::optional<std::uint64_t> after,
                                                    int limit) const {
  // -1 is below every tree size, so "no cursor" needs no second query.
  const long long cursor = after ? static_cast<long long>(*after) : -1;
  std::vector<StoredCheckpoint> checkpoints;
  soci::rowset<soci::row> rows =
      (session.prepare << std::string(kColumns) +
                              "WHERE tree_size > :after ORDER BY tree_size LIMIT :limit",
       soci::use(cursor), soci::use(limit));
  for (const soci::row& row : rows) {
    checkpoints.push_back(decode(row));
  }
  return checkpoints;
}

std::optional<std::string> CheckpointStore::first_origin(soci::session& session) const {
  soci::rowset<soci::row> rows =
      (session.prepare << std::string(kColumns) + "ORDER BY tree_size LIMIT 1");
  auto first = first_row(rows);
  if (!first) {
    return std::nullopt;
  }
  return first->origin;
}

Result<Checkpoint> open_stored_checkpoint(const StoredCheckpoint& checkpoint,
                                          std::string_view public_key_raw) {
  auto verifier = format_note_verifier_key(checkpoint.origin, public_key_raw);
  if (!verifier.ok()) {
    return refused(checkpoint, "its origin is not a valid key name");
  }
  auto text = open_note(checkpoint.note, *verifier);
  if (!text.ok()) {
    return refused(checkpoint, "the note's signature does not verify with the audit key");
  }
  auto signed_body = parse_checkpoint_body(*text);
  if (!signed_body.ok()) {
    return refused(checkpoint, "the signed note is not a checkpoint");
  }
  const std::string signed_root_hex = crypto::hex_encode(signed_body->root_hash);
  if (signed_body->origin != checkpoint.origin || signed_body->tree_size != checkpoint.tree_size ||
      signed_body->timestamp_millis != checkpoint.timestamp_millis ||
      signed_root_hex != checkpoint.root_hash_hex) {
    return refused(checkpoint, "the stored columns differ from what the note signs");
  }
  return std::move(*signed_body);
}

Result<MerkleFrontier> trusted_frontier(const StoredCheckpoint& checkpoint,
                                        std::string_view public_key_raw) {
  auto signed_checkpoint = open_stored_checkpoint(checkpoint, public_key_raw);
  if (!signed_checkpoint.ok()) {
    return signed_checkpoint.error();
  }
  auto bytes = crypto::hex_decode(checkpoint.frontier_hex);
  if (!bytes.ok()) {
    return refused(checkpoint, "the stored frontier is not hex");
  }
  auto frontier = MerkleFrontier::deserialize(*bytes);
  if (!frontier.ok()) {
    return refused(checkpoint, "the stored frontier is malformed");
  }
  if (frontier->size() != signed_checkpoint->tree_size ||
      frontier->root() != signed_checkpoint->root_hash) {
    return refused(checkpoint, "the stored frontier does not lead to the signed root");
  }
  return std::move(*frontier);
}

}  // namespace th::audit
