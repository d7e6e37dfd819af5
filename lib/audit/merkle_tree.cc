#include "audit/merkle_tree.h"

#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <initializer_list>
#include <memory>
#include <new>

#include "audit/merkle_frontier.h"

namespace th::audit {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// Fetched once and kept for the life of the process: for 33- and 65-byte
// inputs, an implicit algorithm fetch on every call costs more than hashing.
const EVP_MD* sha256_algorithm() {
  static const EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return algorithm;
}

// SHA-256 over the concatenation of `parts`. One context per thread is reused,
// since a verifier hashes millions of tiny inputs in a row.
std::string sha256(std::initializer_list<std::string_view> parts) {
  thread_local const std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  const EVP_MD* algorithm = sha256_algorithm();
  if (ctx == nullptr || algorithm == nullptr ||
      EVP_DigestInit_ex2(ctx.get(), algorithm, nullptr) != 1) {
    throw std::bad_alloc();
  }
  for (const std::string_view part : parts) {
    if (EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) {
      throw std::bad_alloc();
    }
  }

  std::string digest(kMerkleHashSize, '\0');
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(digest.data()), &length) !=
      1) {
    throw std::bad_alloc();
  }
  return digest;
}

// A half-open range of leaf indices: the leaves of one subtree.
struct LeafRange {
  std::uint64_t begin;
  std::uint64_t end;
};

// RFC 6962's k for a subtree of n >= 2 leaves: the largest power of two
// smaller than n.
std::uint64_t split_point(std::uint64_t n) {
  return std::bit_floor(n - 1);
}

// The subtrees whose roots form leaf `index`'s audit path, leaf side first.
// This is RFC 9162's recursive PATH unrolled into a walk from the root.
std::vector<LeafRange> inclusion_ranges(std::uint64_t index, std::uint64_t tree_size) {
  std::vector<LeafRange> ranges;
  LeafRange current{0, tree_size};
  while (current.end - current.begin > 1) {
    const std::uint64_t middle = current.begin + split_point(current.end - current.begin);
    if (index < middle) {
      ranges.push_back({middle, current.end});
      current.end = middle;
    } else {
      ranges.push_back({current.begin, middle});
      current.begin = middle;
    }
  }
  std::reverse(ranges.begin(), ranges.end());
  return ranges;
}

// The subtrees whose roots form the consistency proof between two sizes,
// smallest first: RFC 9162's SUBPROOF(m, D[n], b) unrolled. `whole_old_tree`
// is b, true while the current subtree's left part is the entire old tree (whose
// root the verifier already has, so it is left out).
std::vector<LeafRange> consistency_ranges(std::uint64_t old_size, std::uint64_t new_size) {
  std::vector<LeafRange> ranges;
  LeafRange current{0, new_size};
  std::uint64_t m = old_size;
  bool whole_old_tree = true;
  while (m != current.end - current.begin) {
    const std::uint64_t k = split_point(current.end - current.begin);
    if (m <= k) {
      ranges.push_back({current.begin + k, current.end});
      current.end = current.begin + k;
    } else {
      ranges.push_back({current.begin, current.begin + k});
      current.begin += k;
      m -= k;
      whole_old_tree = false;
    }
  }
  if (!whole_old_tree) {
    ranges.push_back(current);
  }
  std::reverse(ranges.begin(), ranges.end());
  return ranges;
}

Result<std::vector<std::string>> hash_ranges(const LeafHashSource& source,
                                             const std::vector<LeafRange>& ranges) {
  std::vector<std::string> hashes;
  hashes.reserve(ranges.size());
  for (const LeafRange& range : ranges) {
    auto root = subtree_root(source, range.begin, range.end);
    if (!root.ok()) {
      return root.error();
    }
    hashes.push_back(std::move(root).value());
  }
  return hashes;
}

Error malformed(std::string_view action, std::string_view reason) {
  return Error(ErrorCode::kInvalidArgument, std::string(action) + ": " + std::string(reason));
}

Error mismatch(std::string_view action) {
  return Error(ErrorCode::kDataLoss, std::string(action) + ": proof does not match the root");
}

bool all_hashes_sized(std::span<const std::string> hashes) {
  return std::all_of(hashes.begin(), hashes.end(),
                     [](const std::string& hash) { return hash.size() == kMerkleHashSize; });
}

// Right-shifts both indices until `first` is odd or zero: steps of the RFC
// 9162 verifiers that climb past levels where the node has no sibling.
void shift_while_even(std::uint64_t& first, std::uint64_t& second) {
  while (first != 0 && (first & 1) == 0) {
    first >>= 1;
    second >>= 1;
  }
}

}  // namespace

std::string leaf_hash(std::string_view leaf_bytes) {
  return sha256({std::string_view("\x00", 1), leaf_bytes});
}

std::string node_hash(std::string_view left, std::string_view right) {
  return sha256({std::string_view("\x01", 1), left, right});
}

std::string empty_tree_root() {
  return sha256({});
}

std::string root_from_leaf_hashes(std::span<const std::string> leaf_hashes) {
  // Straight from the definition; recursion depth is log2 of the size. This
  // is also the reference that MerkleFrontier is tested against.
  if (leaf_hashes.empty()) {
    return empty_tree_root();
  }
  if (leaf_hashes.size() == 1) {
    return leaf_hashes.front();
  }
  const std::size_t k = split_point(leaf_hashes.size());
  return node_hash(root_from_leaf_hashes(leaf_hashes.first(k)),
                   root_from_leaf_hashes(leaf_hashes.subspan(k)));
}

Result<std::string> subtree_root(const LeafHashSource& source, std::uint64_t begin,
                                 std::uint64_t end) {
  if (begin > end) {
    return malformed("compute subtree root", "range begins after its end");
  }

  MerkleFrontier frontier;
  auto status = source.visit_range(begin, end, [&frontier](std::string_view hash) -> Status {
    if (!frontier.append(hash).ok()) {
      return Error(ErrorCode::kDataLoss, "read leaf hash: stored hash is not 32 bytes");
    }
    return ok_status();
  });
  if (!status.ok()) {
    return status.error();
  }

  // A source that skipped leaves would yield the root of a different tree.
  if (frontier.size() != end - begin) {
    return Error(ErrorCode::kDataLoss, "compute subtree root: source returned " +
                                           std::to_string(frontier.size()) + " of " +
                                           std::to_string(end - begin) + " leaves");
  }
  return frontier.root();
}

Result<std::vector<std::string>> inclusion_proof(const LeafHashSource& source, std::uint64_t index,
                                                 std::uint64_t tree_size) {
  if (index >= tree_size) {
    return malformed(
        "build inclusion proof",
        "leaf " + std::to_string(index) + " is not in a tree of size " + std::to_string(tree_size));
  }
  return hash_ranges(source, inclusion_ranges(index, tree_size));
}

Result<std::vector<std::string>> inclusion_proof(std::span<const std::string> leaf_hashes,
                                                 std::uint64_t index) {
  return inclusion_proof(SpanLeafHashSource(leaf_hashes), index, leaf_hashes.size());
}

Result<std::vector<std::string>> consistency_proof(const LeafHashSource& source,
                                                   std::uint64_t old_size, std::uint64_t new_size) {
  if (old_size > new_size) {
    return malformed(
        "build consistency proof",
        "old size " + std::to_string(old_size) + " exceeds new size " + std::to_string(new_size));
  }
  if (old_size == 0 || old_size == new_size) {
    return std::vector<std::string>();
  }
  return hash_ranges(source, consistency_ranges(old_size, new_size));
}

Result<std::vector<std::string>> consistency_proof(std::span<const std::string> leaf_hashes,
                                                   std::uint64_t old_size, std::uint64_t new_size) {
  if (new_size > leaf_hashes.size()) {
    return malformed("build consistency proof",
                     "new size " + std::to_string(new_size) + " exceeds the " +
                         std::to_string(leaf_hashes.size()) + " leaves given");
  }
  return consistency_proof(SpanLeafHashSource(leaf_hashes), old_size, new_size);
}

Status verify_inclusion(std::string_view leaf_hash, std::uint64_t index, std::uint64_t tree_size,
                        std::span<const std::string> path, std::string_view root) {
  constexpr std::string_view kAction = "verify inclusion proof";
  if (index >= tree_size) {
    return malformed(kAction, "leaf index is not below the tree size");
  }
  if (leaf_hash.size() != kMerkleHashSize || root.size() != kMerkleHashSize ||
      !all_hashes_sized(path)) {
    return malformed(kAction, "hashes must be 32 bytes");
  }

  // RFC 9162 2.1.3.2: fn walks the leaf's position up the tree and sn the
  // last leaf's; an odd fn (or fn == sn) means the sibling is on the left.
  std::uint64_t fn = index;
  std::uint64_t sn = tree_size - 1;
  std::string computed(leaf_hash);
  for (const std::string& sibling : path) {
    if (sn == 0) {
      return mismatch(kAction);
    }
    if ((fn & 1) != 0 || fn == sn) {
      computed = node_hash(sibling, computed);
      shift_while_even(fn, sn);
    } else {
      computed = node_hash(computed, sibling);
    }
    fn >>= 1;
    sn >>= 1;
  }

  if (sn != 0 || computed != root) {
    return mismatch(kAction);
  }
  return ok_status();
}

Status verify_consistency(std::uint64_t old_size, std::uint64_t new_size, std::string_view old_root,
                          std::string_view new_root, std::span<const std::string> proof) {
  constexpr std::string_view kAction = "verify consistency proof";
  if (old_size > new_size) {
    return malformed(kAction, "old size exceeds new size");
  }
  if (old_root.size() != kMerkleHashSize || new_root.size() != kMerkleHashSize ||
      !all_hashes_sized(proof)) {
    return malformed(kAction, "hashes must be 32 bytes");
  }

  // The degenerate cases need no proof, and accept none.
  if (old_size == 0 || old_size == new_size) {
    const bool roots_agree = old_size == 0 ? old_root == empty_tree_root() : old_root == new_root;
    if (!proof.empty() || !roots_agree) {
      return mismatch(kAction);
    }
    return ok_status();
  }
  if (proof.empty()) {
    return mismatch(kAction);
  }

  // RFC 9162 2.1.4.2. When the old tree is a perfect subtree its root is the
  // proof's implicit first element.
  std::vector<std::string> path;
  if (std::has_single_bit(old_size)) {
    path.emplace_back(old_root);
  }
  path.insert(path.end(), proof.begin(), proof.end());

  std::uint64_t fn = old_size - 1;
  std::uint64_t sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  std::string old_computed = path.front();
  std::string new_computed = path.front();
  for (auto it = path.begin() + 1; it != path.end(); ++it) {
    if (sn == 0) {
      return mismatch(kAction);
    }
    if ((fn & 1) != 0 || fn == sn) {
      old_computed = node_hash(*it, old_computed);
      new_computed = node_hash(*it, new_computed);
      shift_while_even(fn, sn);
    } else {
      new_computed = node_hash(new_computed, *it);
    }
    fn >>= 1;
    sn >>= 1;
  }

  if (sn != 0 || old_computed != old_root || new_computed != new_root) {
    return mismatch(kAction);
  }
  return ok_status();
}

}  // namespace th::audit
