#include "notify/contact_opt_out_store.h"

namespace th::notify {

ContactOptOuts ContactOptOutStore::get(soci::session& session, const std::string& patient_id) {
  ContactOptOuts opt_outs;
  soci::rowset<std::string> channels =
      (session.prepare << "SELECT channel FROM contact_opt_outs WHERE patient_id = :patient",
       soci::use(patient_id));
  for (const std::string& name : channels) {
    if (const auto channel = parse_channel(name); channel.ok()) {
      opt_outs.set(*channel, true);
    }
  }
  return opt_outs;
}

bool ContactOptOutStore::set(soci::session& session, const std::string& patient_id, Channel channel,
                             bool opted_out, const std::string& updated_by, UnixMicros now) {
  const std::string name(channel_name(channel));
  if (!opted_out) {
    soci::statement remove =
        (session.prepare << "DELETE FROM contact_opt_outs WHERE patient_id = :patient "
                            "AND channel = :channel",
         soci::use(patient_id), soci::use(name));
    remove.execute(true);
    return remove.get_affected_rows() > 0;
  }
  soci::statement insert =
      (session.prepare << "INSERT INTO contact_opt_outs (patient_id, channel, updated_by, "
                          "updated_at) VALUES (:patient, :channel, :by, :at) "
                          "ON CONFLICT (patient_id, channel) DO NOTHING",
       soci::use(patient_id), soci::use(name), soci::use(updated_by), soci::use(now));
  insert.execute(true);
  return insert.get_affected_rows() > 0;
}

}  // namespace th::notify
