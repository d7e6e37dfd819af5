// VisitTypeStore: the clinic's visit types. Methods run on a caller's
// session and throw what SOCI throws (Database::run converts it);
// thread-safe (no state).
#pragma once

#include <soci/soci.h>

#include <optional>
#include <vector>

#include "scheduling/visit_type.h"

namespace th::scheduling {

class VisitTypeStore {
 public:
  // Creates the type, or replaces the name, length and active flag of an
  // existing one. kInvalidArgument for invalid fields.
  Status put(soci::session& session, const VisitType& type);
  std::optional<VisitType> find(soci::session& session, const std::string& code);
  std::vector<VisitType> list(soci::session& session);
};

}  // namespace th::scheduling
