// VisitRoomStore: the visit_room_participants table (one row per person and
// room: the person's place, kept across rejoins) and the visit_signals
// table (signaling frames too large for a notification, held briefly for
// the daemon that delivers them). Callers pass the session, inside their
// own transaction when they write. Rows hold ids, states and display names
// that are never personal, so nothing is sealed. Thread-safe (no state).
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "util/result.h"
#include "visits/participant.h"

namespace th::visits {

class VisitRoomStore {
 public:
  Result<std::optional<Participant>> find(soci::session& session, const std::string& id);
  Result<std::optional<Participant>> find_person(soci::session& session,
                                                 const std::string& appointment_id,
                                                 const std::string& person);
  // Every place of the room, those left included, in joining order.
  Result<std::vector<Participant>> list(soci::session& session, const std::string& appointment_id);
  // Present places held through `endpoint`.
  Result<std::vector<Participant>> on_endpoint(soci::session& session, const Endpoint& endpoint);
  // Present places held through any connection of `node`.
  Result<std::vector<Participant>> on_node(soci::session& session, const std::string& node);
  // Away places whose grace began at or before `cutoff`.
  Result<std::vector<Participant>> away_since_before(soci::session& session, UnixMicros cutoff);

  void insert(soci::session& session, const Participant& participant);
  // Writes every field but the id, room, person and joining time.
  void update(soci::session& session, const Participant& participant);
  // Writes `participant` only if its stored state and updated_at are still
  // `expected_state` and `expected_updated_at`: false when another daemon
  // changed it first.
  bool update_if_unchanged(soci::session& session, const Participant& participant,
                           ParticipantState expected_state, UnixMicros expected_updated_at);

  void put_signal(soci::session& session, const std::string& id, const std::string& frame,
                  UnixMicros now);
  // The frame, removed from the table; empty when taken or purged already.
  std::optional<std::string> take_signal(soci::session& session, const std::string& id);
  void purge_signals(soci::session& session, UnixMicros before);

 private:
  Result<std::vector<Participant>> select(soci::session& session, const std::string& where,
                                          const std::vector<std::string>& values);
};

}  // namespace th::visits
