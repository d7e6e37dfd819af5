#include "audit/audit_proofs.h"

#include "audit/merkle_tree.h"
#include "audit/stored_leaf_hash_source.h"
#include "crypto/encoding.h"
#include "storage/row_values.h"

namespace th::audit {
namespace {

Error stale(const StoredCheckpoint& checkpoint) {
  return Error(ErrorCode::kDataLoss,
               "prove against checkpoint " + std::to_string(checkpoint.tree_size) +
                   ": the stored events no longer match it; run thctl audit verify");
}

Result<StoredCheckpoint> find_checkpoint(soci::session& session,
                                         std::optional<std::uint64_t> tree_size) {
  const CheckpointStore store;
  auto checkpoint = tree_size ? store.at_size(session, *tree_size) : store.latest(session);
  if (!checkpoint) {
    return Error(ErrorCode::kNotFound,
                 tree_size
                     ? "find audit checkpoint: none has tree size " + std::to_string(*tree_size)
                     : std::string("find audit checkpoint: none has been signed yet"));
  }
  return std::move(*checkpoint);
}

Result<std::string> root_of(const StoredCheckpoint& checkpoint) {
  auto root = crypto::hex_decode(checkpoint.root_hash_hex);
  if (!root.ok() || root->size() != kMerkleHashSize) {
    return stale(checkpoint);
  }
  return root;
}

}  // namespace

Result<InclusionProof> AuditProofs::prove_event(std::string_view event_id,
                                                std::optional<std::uint64_t> tree_size) const {
  const std::string id(event_id);
  return database_.run([&](soci::session& session) -> Result<InclusionProof> {
    InclusionProof proof;
    proof.event_id = id;
    long long seq = 0;
    soci::indicator indicator = soci::i_null;
    session << "SELECT seq, body FROM audit_events WHERE id = :id", soci::use(id),
        soci::into(seq, indicator), soci::into(proof.body);
    if (!session.got_data() || indicator != soci::i_ok || seq < 0) {
      return Error(ErrorCode::kNotFound, "prove audit event '" + id + "': no such event");
    }
    proof.leaf_index = static_cast<std::uint64_t>(seq);

    auto checkpoint = find_checkpoint(session, tree_size);
    if (!checkpoint.ok()) {
      return checkpoint.error();
    }
    proof.checkpoint = std::move(*checkpoint);
    if (proof.leaf_index >= proof.checkpoint.tree_size) {
      return Error(ErrorCode::kFailedPrecondition,
                   "prove audit event '" + id + "': it is newer than checkpoint " +
                       std::to_string(proof.checkpoint.tree_size) + "; sign a checkpoint first");
    }

    proof.leaf_hash = leaf_hash(proof.body);
    StoredLeafHashSource source(session);
    auto path = inclusion_proof(source, proof.leaf_index, proof.checkpoint.tree_size);
    if (!path.ok()) {
      return path.error();
    }
    proof.audit_path = std::move(*path);
    auto root = root_of(proof.checkpoint);
    if (!root.ok()) {
      return root.error();
    }
    if (!verify_inclusion(proof.leaf_hash, proof.leaf_index, proof.checkpoint.tree_size,
                          proof.audit_path, *root)
             .ok()) {
      return stale(proof.checkpoint);
    }
    return proof;
  });
}

Result<ConsistencyProof> AuditProofs::prove_consistency(std::uint64_t from,
                                                        std::uint64_t to) const {
  if (from > to) {
    return Error(ErrorCode::kInvalidArgument,
                 "prove audit log consistency: --from must not be larger than --to");
  }
  return database_.run([&](soci::session& session) -> Result<ConsistencyProof> {
    ConsistencyProof proof;
    auto older = find_checkpoint(session, from);
    if (!older.ok()) {
      return older.error();
    }
    auto newer = find_checkpoint(session, to);
    if (!newer.ok()) {
      return newer.error();
    }
    proof.from = std::move(*older);
    proof.to = std::move(*newer);

    StoredLeafHashSource source(session);
    auto path = consistency_proof(source, from, to);
    if (!path.ok()) {
      return path.error();
    }
    proof.path = std::move(*path);
    auto old_root = root_of(proof.from);
    if (!old_root.ok()) {
      return old_root.error();
    }
    auto new_root = root_of(proof.to);
    if (!new_root.ok()) {
      return new_root.error();
    }
    if (!verify_consistency(from, to, *old_root, *new_root, proof.path).ok()) {
      return stale(proof.to);
    }
    return proof;
  });
}

}  // namespace th::audit
