#include "audit/merkle_frontier.h"

#include <bit>
#include <utility>

#include "audit/merkle_tree.h"

namespace th::audit {
namespace {

constexpr char kFrontierFormatVersion = 0x01;
constexpr std::size_t kSizeBytes = 8;

}  // namespace

Status MerkleFrontier::append(std::string_view leaf_hash) {
  if (leaf_hash.size() != kMerkleHashSize) {
    return Error(ErrorCode::kInvalidArgument, "append leaf to merkle frontier: hash is " +
                                                  std::to_string(leaf_hash.size()) +
                                                  " bytes, not 32");
  }

  // Each trailing one bit of the old size is a perfect subtree the same size
  // as the one being carried; merge them as binary addition carries.
  std::string carried(leaf_hash);
  for (std::uint64_t size = size_; (size & 1) != 0; size >>= 1) {
    carried = node_hash(subtree_roots_.back(), carried);
    subtree_roots_.pop_back();
  }
  subtree_roots_.push_back(std::move(carried));
  ++size_;
  return ok_status();
}

std::string MerkleFrontier::root() const {
  if (subtree_roots_.empty()) {
    return empty_tree_root();
  }

  // RFC 6962 splits at the largest power of two, so the leftmost (largest)
  // subtree pairs with the root of everything to its right.
  std::string root = subtree_roots_.back();
  for (auto it = subtree_roots_.rbegin() + 1; it != subtree_roots_.rend(); ++it) {
    root = node_hash(*it, root);
  }
  return root;
}

std::string MerkleFrontier::serialize() const {
  std::string bytes(1, kFrontierFormatVersion);
  for (int shift = 56; shift >= 0; shift -= 8) {
    bytes += static_cast<char>((size_ >> shift) & 0xFF);
  }
  for (const std::string& subtree_root : subtree_roots_) {
    bytes += subtree_root;
  }
  return bytes;
}

Result<MerkleFrontier> MerkleFrontier::deserialize(std::string_view bytes) {
  if (bytes.size() < 1 + kSizeBytes || bytes[0] != kFrontierFormatVersion) {
    return Error(ErrorCode::kDataLoss, "restore merkle frontier: unknown format");
  }

  MerkleFrontier frontier;
  for (std::size_t i = 1; i <= kSizeBytes; ++i) {
    frontier.size_ = (frontier.size_ << 8) | static_cast<unsigned char>(bytes[i]);
  }
  const auto subtree_count = static_cast<std::size_t>(std::popcount(frontier.size_));
  if (bytes.size() != 1 + kSizeBytes + subtree_count * kMerkleHashSize) {
    return Error(ErrorCode::kDataLoss, "restore merkle frontier: length does not match size " +
                                           std::to_string(frontier.size_));
  }

  for (std::size_t i = 0; i < subtree_count; ++i) {
    frontier.subtree_roots_.emplace_back(
        bytes.substr(1 + kSizeBytes + i * kMerkleHashSize, kMerkleHashSize));
  }
  return frontier;
}

}  // namespace th::audit
