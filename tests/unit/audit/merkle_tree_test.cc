#include "audit/merkle_tree.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "crypto/encoding.h"

namespace th::audit {
namespace {

std::string unhex(std::string_view text) {
  return crypto::hex_decode(text).value();
}

std::vector<std::string> unhex_all(std::initializer_list<std::string_view> texts) {
  std::vector<std::string> bytes;
  for (const std::string_view text : texts) {
    bytes.push_back(unhex(text));
  }
  return bytes;
}

// The leaves of the test tree used by the Certificate Transparency
// implementations, and the roots of its first 1..8 leaves.
std::vector<std::string> reference_leaf_hashes() {
  std::vector<std::string> hashes;
  for (const std::string_view leaf : {"", "00", "10", "2021", "3031", "40414243",
                                      "5051525354555657", "606162636465666768696a6b6c6d6e6f"}) {
    hashes.push_back(leaf_hash(unhex(leaf)));
  }
  return hashes;
}

const std::vector<std::string>& reference_roots() {
  static const std::vector<std::string> roots = unhex_all({
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  });
  return roots;
}

std::vector<std::string> random_leaf_hashes(std::size_t count, std::uint32_t seed) {
  std::mt19937 generator(seed);
  std::vector<std::string> hashes;
  for (std::size_t i = 0; i < count; ++i) {
    hashes.push_back(leaf_hash(std::to_string(generator())));
  }
  return hashes;
}

std::string prefix_root(const std::vector<std::string>& leaves, std::size_t size) {
  return root_from_leaf_hashes(std::span(leaves).first(size));
}

std::string flip_bit(std::string hash, std::size_t bit) {
  hash[bit / 8 % hash.size()] ^= static_cast<char>(1 << (bit % 8));
  return hash;
}

// Leaf hashes computed on demand, and a count of how many were read.
class GeneratedLeafHashSource final : public LeafHashSource {
 public:
  explicit GeneratedLeafHashSource(std::uint64_t size) : size_(size) {}

  Status visit_range(std::uint64_t begin, std::uint64_t end, const Visitor& visit) const override {
    if (end > size_) {
      return Error(ErrorCode::kNotFound, "past the end");
    }
    for (std::uint64_t index = begin; index < end; ++index) {
      ++reads_;
      TH_RETURN_IF_ERROR(visit(leaf_hash("event " + std::to_string(index))));
    }
    return ok_status();
  }

  std::uint64_t reads() const { return reads_; }

 private:
  std::uint64_t size_;
  mutable std::uint64_t reads_ = 0;
};

// Yields whatever hashes it was given, ignoring the range asked for.
class FixedLeafHashSource final : public LeafHashSource {
 public:
  explicit FixedLeafHashSource(std::vector<std::string> hashes) : hashes_(std::move(hashes)) {}

  Status visit_range(std::uint64_t, std::uint64_t, const Visitor& visit) const override {
    for (const std::string& hash : hashes_) {
      TH_RETURN_IF_ERROR(visit(hash));
    }
    return ok_status();
  }

 private:
  std::vector<std::string> hashes_;
};

TEST(MerkleTreeTest, HashesLeavesAndNodesWithDomainPrefixes) {
  EXPECT_EQ(crypto::hex_encode(leaf_hash("")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(crypto::hex_encode(empty_tree_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const auto leaves = reference_leaf_hashes();
  EXPECT_EQ(node_hash(leaves[0], leaves[1]), reference_roots()[1]);
}

TEST(MerkleTreeTest, MatchesReferenceRootsForSizesZeroToEight) {
  const auto leaves = reference_leaf_hashes();

  EXPECT_EQ(prefix_root(leaves, 0), empty_tree_root());
  for (std::size_t size = 1; size <= leaves.size(); ++size) {
    EXPECT_EQ(crypto::hex_encode(prefix_root(leaves, size)),
              crypto::hex_encode(reference_roots()[size - 1]))
        << "size " << size;
  }
}

TEST(MerkleTreeTest, ProducesReferenceInclusionProof) {
  const auto leaves = reference_leaf_hashes();

  const auto first_of_eight = inclusion_proof(leaves, 0);
  const auto only_leaf = inclusion_proof(std::span(leaves).first(1), 0);

  ASSERT_TRUE(first_of_eight.ok());
  EXPECT_EQ(*first_of_eight,
            unhex_all({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                       "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                       "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}));
  ASSERT_TRUE(only_leaf.ok());
  EXPECT_TRUE(only_leaf->empty());
}

TEST(MerkleTreeTest, ProducesReferenceConsistencyProofs) {
  const auto leaves = reference_leaf_hashes();

  const auto one_to_eight = consistency_proof(leaves, 1, 8);
  const auto six_to_eight = consistency_proof(leaves, 6, 8);
  const auto two_to_five = consistency_proof(leaves, 2, 5);

  ASSERT_TRUE(one_to_eight.ok() && six_to_eight.ok() && two_to_five.ok());
  EXPECT_EQ(*one_to_eight,
            unhex_all({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                       "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                       "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}));
  EXPECT_EQ(*six_to_eight,
            unhex_all({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                       "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                       "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}));
  EXPECT_EQ(*two_to_five,
            unhex_all({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                       "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}));
}

TEST(MerkleTreeTest, InclusionProofsVerifyForEveryLeafOfReferenceTrees) {
  const auto leaves = reference_leaf_hashes();

  for (std::size_t size = 1; size <= leaves.size(); ++size) {
    for (std::size_t index = 0; index < size; ++index) {
      const auto proof = inclusion_proof(std::span(leaves).first(size), index);
      ASSERT_TRUE(proof.ok());

      EXPECT_TRUE(
          verify_inclusion(leaves[index], index, size, *proof, reference_roots()[size - 1]).ok())
          << "leaf " << index << " of " << size;
    }
  }
}

TEST(MerkleTreeTest, ConsistencyProofsVerifyForEveryPairOfReferenceSizes) {
  const auto leaves = reference_leaf_hashes();

  for (std::size_t new_size = 0; new_size <= leaves.size(); ++new_size) {
    for (std::size_t old_size = 0; old_size <= new_size; ++old_size) {
      const auto proof = consistency_proof(leaves, old_size, new_size);
      ASSERT_TRUE(proof.ok());

      EXPECT_TRUE(verify_consistency(old_size, new_size, prefix_root(leaves, old_size),
                                     prefix_root(leaves, new_size), *proof)
                      .ok())
          << old_size << " -> " << new_size;
    }
  }
}

TEST(MerkleTreeTest, ProofsVerifyInRandomLargerTrees) {
  const auto leaves = random_leaf_hashes(130, 6962);

  for (const std::size_t size : {9, 13, 31, 32, 33, 64, 100, 127, 128, 129, 130}) {
    const std::string root = prefix_root(leaves, size);
    for (std::size_t index = 0; index < size; ++index) {
      const auto proof = inclusion_proof(std::span(leaves).first(size), index);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(verify_inclusion(leaves[index], index, size, *proof, root).ok())
          << "leaf " << index << " of " << size;
    }
    for (std::size_t old_size = 0; old_size <= size; ++old_size) {
      const auto proof = consistency_proof(leaves, old_size, size);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(
          verify_consistency(old_size, size, prefix_root(leaves, old_size), root, *proof).ok())
          << old_size << " -> " << size;
    }
  }
}

TEST(MerkleTreeTest, RejectsTamperedInclusionProofs) {
  const auto leaves = random_leaf_hashes(21, 1);
  const std::string root = root_from_leaf_hashes(leaves);

  for (std::uint64_t index = 0; index < leaves.size(); ++index) {
    const auto proof = inclusion_proof(leaves, index).value();
    for (std::size_t element = 0; element < proof.size(); ++element) {
      auto tampered = proof;
      tampered[element] = flip_bit(tampered[element], index + element);
      EXPECT_EQ(verify_inclusion(leaves[index], index, 21, tampered, root).error().code(),
                ErrorCode::kDataLoss);
    }
    auto longer = proof;
    longer.push_back(leaves[0]);
    auto shorter = proof;
    shorter.pop_back();

    EXPECT_FALSE(verify_inclusion(leaves[index], index, 21, longer, root).ok());
    EXPECT_FALSE(verify_inclusion(leaves[index], index, 21, shorter, root).ok());
    EXPECT_FALSE(verify_inclusion(leaves[(index + 1) % 21], index, 21, proof, root).ok());
    EXPECT_FALSE(verify_inclusion(leaves[index], (index + 1) % 21, 21, proof, root).ok());
    EXPECT_FALSE(verify_inclusion(leaves[index], index, 64, proof, root).ok());  // deeper tree
    EXPECT_FALSE(verify_inclusion(leaves[index], index, 21, proof, flip_bit(root, 3)).ok());
  }
}

TEST(MerkleTreeTest, RejectsTamperedConsistencyProofs) {
  const auto leaves = random_leaf_hashes(21, 2);

  for (std::uint64_t old_size = 1; old_size < leaves.size(); ++old_size) {
    const std::string old_root = prefix_root(leaves, old_size);
    const std::string new_root = root_from_leaf_hashes(leaves);
    const auto proof = consistency_proof(leaves, old_size, 21).value();
    for (std::size_t element = 0; element < proof.size(); ++element) {
      auto tampered = proof;
      tampered[element] = flip_bit(tampered[element], old_size + element);
      EXPECT_EQ(verify_consistency(old_size, 21, old_root, new_root, tampered).error().code(),
                ErrorCode::kDataLoss);
    }
    auto longer = proof;
    longer.push_back(leaves[0]);
    auto shorter = proof;
    shorter.pop_back();

    EXPECT_FALSE(verify_consistency(old_size, 21, old_root, new_root, longer).ok());
    EXPECT_FALSE(verify_consistency(old_size, 21, old_root, new_root, shorter).ok());
    EXPECT_FALSE(verify_consistency(old_size, 21, flip_bit(old_root, 9), new_root, proof).ok());
    EXPECT_FALSE(verify_consistency(old_size, 21, old_root, flip_bit(new_root, 9), proof).ok());
    EXPECT_FALSE(verify_consistency(old_size + 1, 21, old_root, new_root, proof).ok());
  }
}

TEST(MerkleTreeTest, ConsistencyOfEqualOrEmptyTreesNeedsNoProof) {
  const auto leaves = reference_leaf_hashes();
  const std::string root = root_from_leaf_hashes(leaves);
  const std::vector<std::string> stray{leaves[0]};

  EXPECT_TRUE(verify_consistency(8, 8, root, root, {}).ok());
  EXPECT_TRUE(verify_consistency(0, 8, empty_tree_root(), root, {}).ok());
  EXPECT_EQ(verify_consistency(8, 8, root, leaves[0], {}).error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(verify_consistency(8, 8, root, root, stray).error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(verify_consistency(0, 8, root, root, {}).error().code(), ErrorCode::kDataLoss);
}

TEST(MerkleTreeTest, RejectsQuestionsOutsideTheTree) {
  const auto leaves = reference_leaf_hashes();
  const std::string root = root_from_leaf_hashes(leaves);

  EXPECT_EQ(inclusion_proof(leaves, 8).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(consistency_proof(leaves, 5, 4).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(consistency_proof(leaves, 4, 9).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(verify_inclusion(leaves[0], 8, 8, {}, root).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(verify_inclusion("short", 0, 8, {}, root).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(verify_consistency(9, 8, root, root, {}).error().code(), ErrorCode::kInvalidArgument);
}

TEST(MerkleTreeTest, SourceProofsMatchInMemoryProofs) {
  const auto leaves = random_leaf_hashes(45, 3);
  const SpanLeafHashSource source(leaves);

  for (std::uint64_t index = 0; index < 45; index += 4) {
    EXPECT_EQ(inclusion_proof(source, index, 45).value(), inclusion_proof(leaves, index).value());
  }
  for (std::uint64_t old_size = 0; old_size <= 45; old_size += 5) {
    EXPECT_EQ(consistency_proof(source, old_size, 45).value(),
              consistency_proof(leaves, old_size, 45).value());
  }
  EXPECT_EQ(subtree_root(source, 0, 45).value(), root_from_leaf_hashes(leaves));
  EXPECT_EQ(subtree_root(source, 32, 40).value(),
            root_from_leaf_hashes(std::span(leaves).subspan(32, 8)));
}

TEST(MerkleTreeTest, ProofsReadEachLeafAtMostOnce) {
  const GeneratedLeafHashSource source(1000);

  const auto inclusion = inclusion_proof(source, 613, 1000);
  const std::uint64_t inclusion_reads = source.reads();
  const auto consistency = consistency_proof(source, 777, 1000);

  ASSERT_TRUE(inclusion.ok());
  ASSERT_TRUE(consistency.ok());
  EXPECT_EQ(inclusion_reads, 999u);  // every leaf but the one proved
  EXPECT_LE(source.reads() - inclusion_reads, 1000u);
}

TEST(MerkleTreeTest, StreamsTheRootOfALargeLog) {
  // Big enough for 19 levels of odd-sized right edges; a million leaves takes
  // the same path for about eight times as long.
  constexpr std::uint64_t kSize = (1 << 18) + 3;
  const GeneratedLeafHashSource source(kSize);
  std::vector<std::string> materialized;
  materialized.reserve(kSize);
  ASSERT_TRUE(source
                  .visit_range(0, kSize,
                               [&materialized](std::string_view hash) {
                                 materialized.emplace_back(hash);
                                 return ok_status();
                               })
                  .ok());

  const auto streamed = subtree_root(source, 0, kSize);

  ASSERT_TRUE(streamed.ok());
  EXPECT_EQ(*streamed, root_from_leaf_hashes(materialized));
}

TEST(MerkleTreeTest, DetectsSourcesThatSkipOrCorruptLeaves) {
  const auto leaves = random_leaf_hashes(8, 4);
  const FixedLeafHashSource short_source({leaves[0], leaves[1]});
  const FixedLeafHashSource corrupt_source({leaves[0], "not a hash"});
  const SpanLeafHashSource small_source{std::span(leaves).first(4)};

  EXPECT_EQ(subtree_root(short_source, 0, 3).error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(subtree_root(corrupt_source, 0, 2).error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(inclusion_proof(small_source, 1, 8).error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace th::audit
