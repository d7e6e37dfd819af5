#include "audit/merkle_frontier.h"

#include <gtest/gtest.h>

#include <bit>
#include <span>
#include <string>
#include <vector>

#include "audit/merkle_tree.h"

namespace th::audit {
namespace {

std::vector<std::string> numbered_leaf_hashes(std::size_t count) {
  std::vector<std::string> hashes;
  for (std::size_t i = 0; i < count; ++i) {
    hashes.push_back(leaf_hash("leaf " + std::to_string(i)));
  }
  return hashes;
}

MerkleFrontier frontier_of(std::span<const std::string> leaf_hashes) {
  MerkleFrontier frontier;
  for (const std::string& hash : leaf_hashes) {
    EXPECT_TRUE(frontier.append(hash).ok());
  }
  return frontier;
}

TEST(MerkleFrontierTest, EmptyFrontierHasTheEmptyTreeRoot) {
  const MerkleFrontier frontier;

  EXPECT_EQ(frontier.size(), 0u);
  EXPECT_EQ(frontier.root(), empty_tree_root());
  EXPECT_TRUE(frontier.subtree_roots().empty());
}

TEST(MerkleFrontierTest, RootEqualsFullRecomputationAtEverySize) {
  const auto leaves = numbered_leaf_hashes(300);
  MerkleFrontier frontier;

  for (std::size_t size = 1; size <= leaves.size(); ++size) {
    ASSERT_TRUE(frontier.append(leaves[size - 1]).ok());

    ASSERT_EQ(frontier.root(), root_from_leaf_hashes(std::span(leaves).first(size)))
        << "size " << size;
    EXPECT_EQ(frontier.subtree_roots().size(), static_cast<std::size_t>(std::popcount(size)));
  }
}

TEST(MerkleFrontierTest, KeepsOnePerfectSubtreeRootPerSetBit) {
  const auto leaves = numbered_leaf_hashes(13);

  const MerkleFrontier frontier = frontier_of(leaves);

  const std::span<const std::string> all(leaves);
  ASSERT_EQ(frontier.subtree_roots().size(), 3u);  // 13 = 8 + 4 + 1
  EXPECT_EQ(frontier.subtree_roots()[0], root_from_leaf_hashes(all.subspan(0, 8)));
  EXPECT_EQ(frontier.subtree_roots()[1], root_from_leaf_hashes(all.subspan(8, 4)));
  EXPECT_EQ(frontier.subtree_roots()[2], leaves[12]);
}

TEST(MerkleFrontierTest, RejectsHashesOfTheWrongLengthWithoutChanging) {
  MerkleFrontier frontier = frontier_of(numbered_leaf_hashes(3));
  const std::string root_before = frontier.root();

  const Status status = frontier.append("too short");

  EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(frontier.size(), 3u);
  EXPECT_EQ(frontier.root(), root_before);
}

TEST(MerkleFrontierTest, SerializesAsVersionSizeAndSubtreeRoots) {
  const auto leaves = numbered_leaf_hashes(3);
  const MerkleFrontier frontier = frontier_of(leaves);

  const std::string bytes = frontier.serialize();

  EXPECT_EQ(bytes.size(), 1u + 8u + 2u * kMerkleHashSize);
  EXPECT_EQ(bytes.substr(0, 9), std::string("\x01\0\0\0\0\0\0\0\x03", 9));
  EXPECT_EQ(bytes.substr(9, 32), node_hash(leaves[0], leaves[1]));
  EXPECT_EQ(bytes.substr(41), leaves[2]);
}

TEST(MerkleFrontierTest, RestoredFrontierContinuesLikeTheOriginal) {
  const auto leaves = numbered_leaf_hashes(100);
  const MerkleFrontier uninterrupted = frontier_of(leaves);
  const MerkleFrontier first_part = frontier_of(std::span(leaves).first(37));

  auto restored = MerkleFrontier::deserialize(first_part.serialize());
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(*restored, first_part);
  for (std::size_t i = 37; i < leaves.size(); ++i) {
    ASSERT_TRUE(restored->append(leaves[i]).ok());
  }

  EXPECT_EQ(restored->size(), 100u);
  EXPECT_EQ(restored->root(), uninterrupted.root());
}

TEST(MerkleFrontierTest, RestoresTheEmptyFrontier) {
  const auto restored = MerkleFrontier::deserialize(MerkleFrontier().serialize());

  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(restored->size(), 0u);
  EXPECT_EQ(restored->root(), empty_tree_root());
}

TEST(MerkleFrontierTest, RefusesDamagedSerializations) {
  const std::string bytes = frontier_of(numbered_leaf_hashes(5)).serialize();
  std::string wrong_version = bytes;
  wrong_version[0] = 0x02;
  std::string wrong_size = bytes;
  wrong_size[8] = 0x07;  // 7 leaves would need three subtree roots, not two

  EXPECT_EQ(MerkleFrontier::deserialize("").error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(MerkleFrontier::deserialize(bytes.substr(0, bytes.size() - 1)).error().code(),
            ErrorCode::kDataLoss);
  EXPECT_EQ(MerkleFrontier::deserialize(bytes + "x").error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(MerkleFrontier::deserialize(wrong_version).error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(MerkleFrontier::deserialize(wrong_size).error().code(), ErrorCode::kDataLoss);
}

}  // namespace
}  // namespace th::audit
