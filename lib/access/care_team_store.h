// CareTeamStore: which staff members care for which patient. Membership is
// what lets a clinician or nurse reach a patient's records ("minimum
// necessary"); scheduling adds members through appointments later.
// Methods run on a caller's session; thread-safe.
#pragma once

#include <soci/soci.h>

#include <string>
#include <vector>

#include "util/clock.h"

namespace th::access {

struct CareTeamMember {
  std::string patient_id;
  std::string user_id;
  std::string added_by;
  UnixMicros added_at = 0;
};

class CareTeamStore {
 public:
  // Returns false when the member was already on the team.
  bool add(soci::session& session, const CareTeamMember& member);
  // Returns false when there was no such member.
  bool remove(soci::session& session, const std::string& patient_id, const std::string& user_id);
  bool is_member(soci::session& session, const std::string& patient_id, const std::string& user_id);
  std::vector<CareTeamMember> for_patient(soci::session& session, const std::string& patient_id);
  std::vector<CareTeamMember> for_user(soci::session& session, const std::string& user_id);
};

}  // namespace th::access
