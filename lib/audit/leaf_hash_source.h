// LeafHashSource: read access to a log's leaf hashes by index, for computing
// Merkle roots and proofs without holding every leaf in memory.
//
// The audit store implements this over its table of (leaf_index, leaf_hash)
// rows; SpanLeafHashSource adapts an in-memory list. Reads are by range, in
// index order, so a database-backed source can answer each request with one
// ordered query and stream rows to the visitor.
//
// Thread-safety is the implementation's: the Merkle functions call a source
// only from the calling thread. SpanLeafHashSource is safe to share between
// threads as long as the viewed strings do not change.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "util/result.h"

namespace th::audit {

class LeafHashSource {
 public:
  // Receives one 32-byte leaf hash; a returned error stops the visit.
  using Visitor = std::function<Status(std::string_view leaf_hash)>;

  virtual ~LeafHashSource() = default;

  // Calls `visit` once for each leaf index in [begin, end), in increasing
  // order, and returns the first error from `visit` unchanged. A leaf in the
  // range that does not exist is an error (kNotFound, or kDataLoss for a gap),
  // never a silent skip: the callers count what they receive.
  [[nodiscard]] virtual Status visit_range(std::uint64_t begin, std::uint64_t end,
                                           const Visitor& visit) const = 0;
};

// A LeafHashSource over leaf hashes already in memory. It views, and does not
// copy, the strings: they must outlive the source.
class SpanLeafHashSource final : public LeafHashSource {
 public:
  explicit SpanLeafHashSource(std::span<const std::string> leaf_hashes)
      : leaf_hashes_(leaf_hashes) {}

  // Fails with kNotFound if `end` is past the last leaf, and with
  // kInvalidArgument if begin > end.
  [[nodiscard]] Status visit_range(std::uint64_t begin, std::uint64_t end,
                                   const Visitor& visit) const override;

 private:
  std::span<const std::string> leaf_hashes_;
};

}  // namespace th::audit
