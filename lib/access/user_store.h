// UserStore: users in the database. Username and email are sealed, with
// blind indexes for lookup; the TOTP secret is sealed.
//
// Every row carries a version and an integrity tag. The tag covers every
// column but the id, the version (which the tag binds on its own) and the
// tag itself: the sealed fields as stored, both blind indexes, and every
// clear column (kind, status, role, patient link, password hash and its
// date, failed sign-ins, MFA state and last step, enrolment code hash and
// expiry, timestamps). So someone with only SQL access cannot raise a role,
// clear or swap a password hash, re-enable a disabled or locked account,
// reset the lockout count, replay a TOTP step, extend an enrolment code or
// point a username's lookup at another row without the read failing. A row
// whose tag does not match is never decoded: reading it fails with
// kDataLoss ("user ID failed its integrity check") before any sealed field
// is opened, and so does a row with an empty tag (rows from before the tag
// existed are tagged once at start-up: access/integrity_backfill.h).
//
// Every method runs on a session the caller leased (Database::run or
// run_write_transaction), so several changes can share one transaction.
// Methods throw what SOCI throws (the Database converts it) and return
// Errors for what is wrong with the data itself: kAlreadyExists for a taken
// username, kDataLoss for a row that fails its tag or a sealed field that
// does not open. Stateless apart from the reference to DataProtection; safe
// to share between threads.
#pragma once

#include <soci/soci.h>

#include <cstdint>
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

  // Rewrites every column but the id (username, kind and created_at as they
  // were read: callers do not change them), sets updated_at to `now`, bumps
  // the version and re-tags the row. kConflict when the row changed since it
  // was read (its version moved on), so two concurrent updates cannot
  // silently overwrite each other.
  Status update(soci::session& session, User& user, UnixMicros now);

  std::string username_index(std::string_view username) const;

  // The id of the row with this username or id, read without opening or
  // checking the row: what the audit of a read that failed its integrity
  // check names. Empty when there is no such row.
  std::string stored_id_by_username(soci::session& session, std::string_view username);
  std::string stored_id(soci::session& session, const std::string& id);

  // Tags every row whose tag is empty (rows from before tags existed) over
  // what it holds now, returning how many it tagged. Nothing is opened: a
  // sealed field that was already broken still fails when it is read. Only
  // for the one-time backfill (access/integrity_backfill.h).
  Result<std::uint64_t> tag_untagged_rows(soci::session& session);

  // How rows are stored, for the integrity check (storage/sealed_table_checker.h).
  static const storage::SealedTableLayout& layout();

 private:
  struct Sealed;

  Result<Sealed> seal(const User& user);
  static storage::StoredFields tagged_fields(const User& user, const Sealed& sealed);
  static Sealed stored_sealed(const soci::row& row);
  Result<std::optional<User>> find_where(soci::session& session, const char* column,
                                         const std::string& value);
  Result<User> decode(const soci::row& row);
  std::string stored_id_where(soci::session& session, const char* column, const std::string& value);

  storage::DataProtection& protection_;
};

}  // namespace th::access
