// MerkleFrontier: the right edge of a growing RFC 6962 Merkle tree, enough to
// append leaves and compute the current root without the leaves themselves.
//
// A tree of n leaves decomposes into one perfect subtree per set bit of n
// (13 = 8 + 4 + 1). The frontier keeps the root of each, largest first, so
// memory is O(log n): at most 64 hashes. Appending a leaf merges equal-sized
// subtrees like binary carry (amortised O(1) hashes); root() folds the
// subtrees right to left (O(log n) hashes).
//
// The daemon persists the frontier beside each checkpoint (serialize) and
// restores it at start-up (deserialize) instead of re-reading the log; a
// verifier streams a log of any length through one frontier.
//
// A MerkleFrontier is a plain value: copyable, not synchronised. Share it
// between threads only under the owner's lock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace th::audit {

class MerkleFrontier {
 public:
  // The frontier of the empty tree.
  MerkleFrontier() = default;

  // Adds the next leaf, given as its 32-byte leaf hash (see leaf_hash()).
  // Fails with kInvalidArgument, changing nothing, if it is not 32 bytes.
  [[nodiscard]] Status append(std::string_view leaf_hash);

  // Number of leaves appended so far.
  std::uint64_t size() const { return size_; }

  // The Merkle Tree Hash of the leaves appended so far; SHA-256("") when empty.
  std::string root() const;

  // Roots of the perfect subtrees making up the tree, largest (leftmost) first.
  const std::vector<std::string>& subtree_roots() const { return subtree_roots_; }

  // Bytes for storage: a format version byte 0x01, the tree size as 8 bytes
  // big-endian, then the subtree roots in the order above (32 bytes each).
  std::string serialize() const;

  // Inverse of serialize(). Fails with kDataLoss unless the version is known
  // and the length matches the number of subtrees the size implies.
  [[nodiscard]] static Result<MerkleFrontier> deserialize(std::string_view bytes);

  friend bool operator==(const MerkleFrontier&, const MerkleFrontier&) = default;

 private:
  std::uint64_t size_ = 0;
  std::vector<std::string> subtree_roots_;
};

}  // namespace th::audit
