#include "audit/leaf_hash_source.h"

namespace th::audit {

Status SpanLeafHashSource::visit_range(std::uint64_t begin, std::uint64_t end,
                                       const Visitor& visit) const {
  if (begin > end) {
    return Error(ErrorCode::kInvalidArgument, "read leaf hashes: range begins after its end");
  }
  if (end > leaf_hashes_.size()) {
    return Error(ErrorCode::kNotFound, "read leaf hash " + std::to_string(end - 1) +
                                           ": log holds " + std::to_string(leaf_hashes_.size()) +
                                           " leaves");
  }

  for (std::uint64_t index = begin; index < end; ++index) {
    TH_RETURN_IF_ERROR(visit(leaf_hashes_[index]));
  }
  return ok_status();
}

}  // namespace th::audit
