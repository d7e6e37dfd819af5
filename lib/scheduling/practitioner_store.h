// PractitionerStore: practitioners' scheduling profiles (the practitioners
// table). Methods run on a caller's session and throw what SOCI throws
// (Database::run converts it); thread-safe (no state).
#pragma once

#include <soci/soci.h>

#include <optional>
#include <vector>

#include "scheduling/practitioner.h"

namespace th::scheduling {

class PractitionerStore {
 public:
  // Creates or replaces the profile of practitioner.user_id (validated
  // first: kInvalidArgument). kConflict when another practitioner has the NPI.
  Status put(soci::session& session, const Practitioner& practitioner);
  std::optional<Practitioner> find(soci::session& session, const std::string& user_id);
  std::vector<Practitioner> list(soci::session& session);
};

}  // namespace th::scheduling
