// The Merkle Tree Hash of RFC 6962 / RFC 9162 section 2.1 over SHA-256, with
// inclusion and consistency proofs: what makes the audit log tamper-evident.
//
// A leaf hash is SHA-256(0x00 || leaf bytes), an interior node is
// SHA-256(0x01 || left || right), and a tree of n > 1 leaves splits at the
// largest power of two below n (it is not padded to a perfect tree). The root
// of the empty tree is SHA-256 of the empty string. All hashes are raw 32-byte
// strings.
//
// Proofs come in two flavours with the same results:
//   - over a span of leaf hashes in memory, for small trees and tests;
//   - over a LeafHashSource, for the stored log. Producing a proof reads each
//     leaf of the tree at most once (O(n) reading, a few ordered range reads)
//     while holding only O(log n) hashes; nothing needs to be loaded whole.
//
// Verification needs no leaves at all: O(log n) time and memory.
//
// How things fail: proof generation returns kInvalidArgument for an index or
// size outside the tree and passes on the source's errors (kDataLoss when it
// yields a hash that is not 32 bytes or fewer leaves than asked for).
// Verification returns kInvalidArgument for inputs that cannot describe a
// proof (an index not below the tree size, a hash that is not 32 bytes) and
// kDataLoss when the proof does not lead to the given root(s).
//
// Hashing cannot fail short of memory exhaustion, which is reported by
// throwing std::bad_alloc as any allocation would. Everything here is safe to
// call from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/leaf_hash_source.h"
#include "util/result.h"

namespace th::audit {

inline constexpr std::size_t kMerkleHashSize = 32;

// SHA-256(0x00 || leaf_bytes): the hash recorded for each audit event.
[[nodiscard]] std::string leaf_hash(std::string_view leaf_bytes);

// SHA-256(0x01 || left || right).
[[nodiscard]] std::string node_hash(std::string_view left, std::string_view right);

// SHA-256(""), the root of a tree with no leaves.
[[nodiscard]] std::string empty_tree_root();

// The Merkle Tree Hash of the given leaf hashes (MTH in RFC 6962).
[[nodiscard]] std::string root_from_leaf_hashes(std::span<const std::string> leaf_hashes);

// The root of the subtree over leaves [begin, end) read from `source`, with
// O(log n) memory. [0, tree_size) gives the tree's root; this is how a huge
// log is verified by streaming its leaves.
[[nodiscard]] Result<std::string> subtree_root(const LeafHashSource& source, std::uint64_t begin,
                                               std::uint64_t end);

// The audit path (RFC 9162 2.1.3.1) of leaf `index` in the tree of the first
// `tree_size` leaves, ordered from the leaf's sibling up to the root's child.
// Requires index < tree_size.
[[nodiscard]] Result<std::vector<std::string>> inclusion_proof(const LeafHashSource& source,
                                                               std::uint64_t index,
                                                               std::uint64_t tree_size);
[[nodiscard]] Result<std::vector<std::string>> inclusion_proof(
    std::span<const std::string> leaf_hashes, std::uint64_t index);

// The consistency proof (RFC 9162 2.1.4.1) that the tree of the first
// `old_size` leaves is a prefix of the tree of the first `new_size` leaves.
// Requires old_size <= new_size. The proof is empty when old_size is 0 or
// equals new_size.
[[nodiscard]] Result<std::vector<std::string>> consistency_proof(const LeafHashSource& source,
                                                                 std::uint64_t old_size,
                                                                 std::uint64_t new_size);
[[nodiscard]] Result<std::vector<std::string>> consistency_proof(
    std::span<const std::string> leaf_hashes, std::uint64_t old_size, std::uint64_t new_size);

// Checks that `path` proves `leaf_hash` is leaf `index` of the tree of
// `tree_size` leaves whose root is `root` (RFC 9162 2.1.3.2).
[[nodiscard]] Status verify_inclusion(std::string_view leaf_hash, std::uint64_t index,
                                      std::uint64_t tree_size, std::span<const std::string> path,
                                      std::string_view root);

// Checks that `proof` shows the tree of `old_size` leaves with root `old_root`
// is a prefix of the tree of `new_size` leaves with root `new_root`
// (RFC 9162 2.1.4.2). Equal sizes need an empty proof and equal roots; an old
// size of 0 needs an empty proof and the empty-tree root as old_root.
[[nodiscard]] Status verify_consistency(std::uint64_t old_size, std::uint64_t new_size,
                                        std::string_view old_root, std::string_view new_root,
                                        std::span<const std::string> proof);

}  // namespace th::audit
