// AvailabilityStore: practitioners' weekly rules and dated exceptions.
// Methods run on a caller's session and throw what SOCI throws
// (Database::run converts it); thread-safe (no state).
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "scheduling/weekly_availability.h"

namespace th::scheduling {

struct StoredException {
  AvailabilityException exception;
  std::string practitioner_id;
  std::string created_by;
  UnixMicros created_at = 0;
};

class AvailabilityStore {
 public:
  // Replaces every weekly rule of the practitioner (validated first:
  // kInvalidArgument naming the rule; overlapping rules are allowed and join).
  Status replace_rules(soci::session& session, const std::string& practitioner_id,
                       const std::vector<WeeklyRule>& rules);
  std::vector<WeeklyRule> rules(soci::session& session, const std::string& practitioner_id);

  Status add_exception(soci::session& session, const StoredException& stored);
  // Returns false when the practitioner has no exception with that id.
  bool remove_exception(soci::session& session, const std::string& practitioner_id,
                        const std::string& exception_id);
  // Exceptions dated first..last (inclusive), by date; kDataLoss for a
  // stored row that does not parse.
  Result<std::vector<AvailabilityException>> exceptions(soci::session& session,
                                                        const std::string& practitioner_id,
                                                        const LocalDate& first,
                                                        const LocalDate& last);
};

}  // namespace th::scheduling
