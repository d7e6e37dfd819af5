// UserStore: users in the database. Username and email are sealed, with
// blind indexes for lookup; the TOTP secret is sealed.
//
// Every method runs on a session the caller leased (Database::run or
// run_write_transaction), so several changes can share one transaction.
// Methods throw what SOCI throws (the Database converts it) and return
// Errors for what is wrong with the data itself: kAlreadyExists for a taken
// username, kDataLoss for a sealed field that does not open. Stateless apart
// from the reference to DataProtection; safe to share between threads.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <vector>

#include "access/user.h"
#include "storage/data_protection.h"
#include "storage/sealed_table_checker.h"

namespace th::access {

class UserStore {
 public:
  explicit UserStore(storage::DataProtection& protection) : protection_(protection) {}

  // Inserts a new user; user.id must be set (a fresh UUID).
  Status insert(soci::session& session, const User& user);

  Result<std::optional<User>> find_by_username(soci::session& session, std::string_view username);
  Result<std::optional<User>> find_by_id(soci::session& session, const std::string& id);
  Result<std::optional<User>> find_by_patient(soci::session& session,
                                              const std::string& patient_id);
  Result<std::vector<User>> list(soci::session& session);

  // Writes everything but id, username, kind and created_at, and bumps the
  // version. kConflict when the row changed since it was read (its version
  // moved on), so two concurrent updates cannot silently overwrite each other.
  Status update(soci::session& session, User& user, UnixMicros now);

  std::string username_index(std::string_view username) const;

  // How rows are stored, for the integrity check: username, email and TOTP
  // secret are sealed; user rows carry a version but no integrity tag yet.
  static const storage::SealedTableLayout& layout();

 private:
  Result<std::optional<User>> find_where(soci::session& session, const char* column,
                                         const std::string& value);
  Result<User> decode(soci::row& row);

  storage::DataProtection& protection_;
};

}  // namespace th::access
