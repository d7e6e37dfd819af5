// RecordChecker: the integrity check of one table that holds personal data,
// run page by page by the IntegrityScanner.
//
// A checker decides, for each stored row, whether it is still what the
// daemon wrote: its integrity tag matches, its sealed fields decrypt, a
// stored document's plaintext still has the SHA-256 kept beside it. What it
// reports names the table, the row id and what failed, never a stored value
// (not even a ciphertext), so a report can be printed, logged and audited.
//
// Each table of personal data has a checker; SealedTableChecker covers the
// tables whose rows are sealed fields with an optional tag, and a table with
// other stored forms (documents) brings a checker of its own.
//
// Implementations are thread-safe: the scanner may run one page of several
// scans at once on different sessions.
#pragma once

#include <soci/soci.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace th::storage {

// One row that failed, and every check it failed, each a short sentence
// ("integrity tag does not match").
struct RecordFailure {
  std::string table;
  std::string row_id;
  std::vector<std::string> problems;
};

// One page of a table, in id order.
struct CheckedPage {
  std::size_t rows = 0;  // rows checked; fewer than asked for means the table ended
  std::string last_id;   // the id to continue after
  std::vector<RecordFailure> failures;
};

class RecordChecker {
 public:
  virtual ~RecordChecker() = default;

  // The table checked, as the report names it.
  virtual std::string_view table() const = 0;

  // Checks up to `limit` rows whose id sorts after `after_id` (every row when
  // it is empty), in id order. A row that fails is a failure in the page,
  // not an error; errors are the database's (SOCI throws, and the Database
  // running the page converts).
  virtual Result<CheckedPage> check_page(soci::session& session, const std::string& after_id,
                                         std::size_t limit) const = 0;
};

}  // namespace th::storage
