// PatientStore: patient records, sealed field by field, with a blind index
// on the MRN and an integrity tag over the stored row. A row whose tag does
// not match is never returned as data: reading it fails with kDataLoss.
// Methods run on a caller's session; thread-safe.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <vector>

#include "access/patient.h"
#include "storage/data_protection.h"
#include "storage/sealed_table_checker.h"

namespace th::access {

class PatientStore {
 public:
  explicit PatientStore(storage::DataProtection& protection) : protection_(protection) {}

  // kInvalidArgument for invalid fields, kAlreadyExists for a taken MRN.
  Status insert(soci::session& session, const Patient& patient);
  Result<std::optional<Patient>> find_by_id(soci::session& session, const std::string& id);
  Result<std::optional<Patient>> find_by_mrn(soci::session& session, std::string_view mrn);
  Result<std::vector<Patient>> list(soci::session& session);

  std::string mrn_index(std::string_view mrn) const;

  // The id of the row with this id or MRN, read without opening or
  // checking the row: what the audit of a read that failed its integrity
  // check names. Empty when there is no such row.
  std::string stored_id(soci::session& session, const std::string& id);
  std::string stored_id_by_mrn(soci::session& session, std::string_view mrn);

  // How rows are stored, for the integrity check (storage/sealed_table_checker.h).
  static const storage::SealedTableLayout& layout();

 private:
  Result<Patient> decode(const soci::row& row);
  Result<std::optional<Patient>> find_where(soci::session& session, const char* column,
                                            const std::string& value);
  std::string stored_id_where(soci::session& session, const char* column, const std::string& value);

  storage::DataProtection& protection_;
};

// "ABC-123 " -> "ABC123": case, spaces and dashes do not make MRNs differ.
std::string normalize_mrn_text(std::string_view mrn);

}  // namespace th::access
