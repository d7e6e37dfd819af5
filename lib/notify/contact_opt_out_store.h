// ContactOptOutStore: patients' opt-outs per channel (the contact_opt_outs
// table: a row means "not on this channel"). The planner reads them for
// every change it plans, so an opt-out stops every reminder queued after it;
// messages already queued are still sent.
// Methods run on the caller's session and throw what SOCI throws;
// thread-safe (no state).
#pragma once

#include <soci/soci.h>

#include <string>

#include "notify/contact_opt_outs.h"
#include "util/clock.h"

namespace th::notify {

class ContactOptOutStore {
 public:
  [[nodiscard]] ContactOptOuts get(soci::session& session, const std::string& patient_id);

  // Records whether the patient opts out of `channel`; returns whether that
  // changed anything. The patient must exist (a foreign key), else the
  // insert fails with a constraint violation.
  bool set(soci::session& session, const std::string& patient_id, Channel channel, bool opted_out,
           const std::string& updated_by, UnixMicros now);
};

}  // namespace th::notify
