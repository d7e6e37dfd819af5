#include "audit/stored_leaf_hash_source.h"

#include <algorithm>

#include "audit/merkle_tree.h"
#include "crypto/encoding.h"
#include "storage/row_values.h"

namespace th::audit {
namespace {

Error missing(std::uint64_t seq) {
  return Error(ErrorCode::kDataLoss,
               "read audit log: no event is stored at seq " + std::to_string(seq));
}

}  // namespace

Status StoredLeafHashSource::visit_range(std::uint64_t begin, std::uint64_t end,
                                         const Visitor& visit) const {
  if (begin > end) {
    return Error(ErrorCode::kInvalidArgument, "read audit log: range ends before it begins");
  }
  std::uint64_t next = begin;
  while (next < end) {
    const auto from = static_cast<long long>(next);
    const auto until = static_cast<long long>(end);
    const int limit = static_cast<int>(std::min<std::uint64_t>(end - next, page_size_));
    soci::rowset<soci::row> rows =
        (session_.prepare << "SELECT seq, leaf_hash FROM audit_events WHERE seq >= :from AND "
                             "seq < :until ORDER BY seq LIMIT :limit",
         soci::use(from), soci::use(until), soci::use(limit));
    const std::uint64_t page_start = next;
    for (const soci::row& row : rows) {
      if (storage::column_int64(row, 0) != static_cast<long long>(next)) {
        return missing(next);
      }
      auto hash = crypto::hex_decode(storage::column_text(row, 1));
      if (!hash.ok() || hash->size() != kMerkleHashSize) {
        return Error(ErrorCode::kDataLoss, "read audit log: the leaf hash at seq " +
                                               std::to_string(next) + " is not 64 hex digits");
      }
      TH_RETURN_IF_ERROR(visit(*hash));
      ++next;
    }
    if (next == page_start) {
      return missing(next);
    }
  }
  return ok_status();
}

std::uint64_t stored_log_size(soci::session& session) {
  long long largest = 0;
  soci::indicator indicator = soci::i_ok;
  session << "SELECT MAX(seq) FROM audit_events", soci::into(largest, indicator);
  if (indicator != soci::i_ok || largest < 0) {
    return 0;
  }
  return static_cast<std::uint64_t>(largest) + 1;
}

}  // namespace th::audit
