// SealedTableChecker: the RecordChecker of a table whose personal fields are
// sealed with DataProtection, described by a SealedTableLayout.
//
// The layout says how the store that owns the table writes a row: which
// columns hold sealed fields (and the field name each is sealed and tagged
// under), which clear-text columns the integrity tag also covers, and
// whether rows carry a version and a tag at all. The store publishes its
// layout next to the code that writes the rows, so that the two cannot
// drift apart unnoticed: the store's unit tests check their rows with it.
//
// For every row the checker verifies the tag (tagged tables) and opens every
// sealed field, reporting each failure separately. Plaintext is wiped as
// soon as it has been opened; none of it leaves the checker.
//
// Immutable after construction; thread-safe as DataProtection is.
#pragma once

#include <string>
#include <vector>

#include "storage/data_protection.h"
#include "storage/record_checker.h"

namespace th::storage {

struct SealedColumn {
  std::string field;   // the name sealed and tagged under: FieldRef::column
  std::string column;  // the column that holds the sealed text
  // An empty column holds no value (never set, or blanked once no longer
  // needed) rather than a broken ciphertext: it is not opened.
  bool empty_is_none = false;
  // Rows of an earlier version do not have this field: it is neither
  // tagged nor opened for them, and must be empty.
  std::int64_t from_version = 0;
};

struct SealedTableLayout {
  std::string table;
  std::string id_column = "id";
  std::vector<SealedColumn> sealed;
  // Clear-text TEXT columns the tag covers, tagged under their own names
  // (NULL as the empty string).
  std::vector<std::string> tagged_plain;
  // Integer columns the tag covers, tagged under their own names as decimal
  // text (NULL as 0).
  std::vector<std::string> tagged_integers;
  // Rows carry `version` and `integrity_tag` columns, and the tag is over
  // the sealed fields, tagged_plain and tagged_integers.
  bool tagged = false;
  // tagged_integers are covered from this row version on: rows written
  // before the tag took them in keep a tag without them. The version is
  // itself tagged, so a row cannot be passed off as an older one.
  std::int64_t integers_from_version = 0;
};

class SealedTableChecker final : public RecordChecker {
 public:
  // Names in the layout become SQL text: they must be fixed names from the
  // code, never input.
  SealedTableChecker(SealedTableLayout layout, DataProtection& protection);

  std::string_view table() const override { return layout_.table; }
  Result<CheckedPage> check_page(soci::session& session, const std::string& after_id,
                                 std::size_t limit) const override;

 private:
  std::vector<std::string> check_row(const soci::row& row) const;

  SealedTableLayout layout_;
  DataProtection& protection_;
  std::string select_;
};

}  // namespace th::storage
