#include "visits/room_store.h"

#include "storage/row_values.h"

namespace th::visits {
namespace {

constexpr const char* kColumns =
    "id, appointment_id, person, role, display_name, state, away_from, screen_sharing, node, "
    "connection_id, joined_at, away_since, updated_at";

Result<Participant> decode(const soci::row& row) {
  Participant participant;
  participant.id = storage::column_text(row, 0);
  participant.appointment_id = storage::column_text(row, 1);
  participant.person = storage::column_text(row, 2);
  auto role = parse_participant_role(storage::column_text(row, 3));
  participant.display_name = storage::column_text(row, 4);
  auto state = parse_participant_state(storage::column_text(row, 5));
  const std::string away_from = storage::column_text(row, 6);
  participant.screen_sharing = storage::column_int64(row, 7) != 0;
  participant.endpoint.node = storage::column_text(row, 8);
  participant.endpoint.connection_id = static_cast<std::uint64_t>(storage::column_int64(row, 9));
  participant.joined_at = storage::column_int64(row, 10);
  participant.away_since = storage::column_int64(row, 11);
  participant.updated_at = storage::column_int64(row, 12);
  if (!role.ok() || !state.ok()) {
    return Error(ErrorCode::kDataLoss,
                 "visit room participant " + participant.id + " has an unknown role or state");
  }
  participant.role = *role;
  participant.state = *state;
  auto held = parse_participant_state(away_from);
  participant.away_from = held.ok() ? *held : ParticipantState::kWaiting;
  return participant;
}

std::string state_text(ParticipantState state) {
  return std::string(participant_state_name(state));
}

// The one row a unique key selects, if there is one.
Result<std::optional<Participant>> first_of(Result<std::vector<Participant>> found) {
  if (!found.ok()) {
    return found.error();
  }
  if (found->empty()) {
    return std::optional<Participant>();
  }
  return std::optional<Participant>(std::move(found->front()));
}

// A participant's fields as the statements bind them.
struct Bound {
  std::string role;
  std::string state;
  std::string away_from;
  int sharing = 0;
  long long connection_id = 0;
  long long joined_at = 0;
  long long away_since = 0;
  long long updated_at = 0;
};

Bound bound(const Participant& participant) {
  Bound row;
  row.role = std::string(participant_role_name(participant.role));
  row.state = state_text(participant.state);
  row.away_from = state_text(participant.away_from);
  row.sharing = participant.screen_sharing ? 1 : 0;
  row.connection_id = static_cast<long long>(participant.endpoint.connection_id);
  row.joined_at = participant.joined_at;
  row.away_since = participant.away_since;
  row.updated_at = participant.updated_at;
  return row;
}

}  // namespace

Result<std::vector<Participant>> VisitRoomStore::select(soci::session& session,
                                                        const std::string& where,
                                                        const std::vector<std::string>& values) {
  const std::string sql = std::string("SELECT ") + kColumns +
                          " FROM visit_room_participants WHERE " + where +
                          " ORDER BY joined_at, id";
  // At most two bound values: the callers below. Every value is bound as
  // text; the column it is compared with gives it its type (PostgreSQL
  // infers the parameter's, SQLite applies the column's integer affinity).
  auto rows = values.empty() ? soci::rowset<soci::row>(session.prepare << sql)
              : values.size() == 1
                  ? soci::rowset<soci::row>((session.prepare << sql, soci::use(values[0])))
                  : soci::rowset<soci::row>(
                        (session.prepare << sql, soci::use(values[0]), soci::use(values[1])));
  std::vector<Participant> found;
  for (const soci::row& row : rows) {
    auto participant = decode(row);
    if (!participant.ok()) {
      return participant.error();
    }
    found.push_back(std::move(*participant));
  }
  return found;
}

Result<std::optional<Participant>> VisitRoomStore::find(soci::session& session,
                                                        const std::string& id) {
  return first_of(select(session, "id = :id", {id}));
}

Result<std::optional<Participant>> VisitRoomStore::find_person(soci::session& session,
                                                               const std::string& appointment_id,
                                                               const std::string& person) {
  return first_of(select(session, "appointment_id = :appointment AND person = :person",
                         {appointment_id, person}));
}

Result<std::vector<Participant>> VisitRoomStore::list(soci::session& session,
                                                      const std::string& appointment_id) {
  return select(session, "appointment_id = :appointment", {appointment_id});
}

Result<std::vector<Participant>> VisitRoomStore::on_endpoint(soci::session& session,
                                                             const Endpoint& endpoint) {
  return select(session,
                "node = :node AND connection_id = :connection AND state IN ('waiting', 'admitted')",
                {endpoint.node, std::to_string(endpoint.connection_id)});
}

Result<std::vector<Participant>> VisitRoomStore::on_node(soci::session& session,
                                                         const std::string& node) {
  return select(session, "node = :node AND state IN ('waiting', 'admitted')", {node});
}

Result<std::vector<Participant>> VisitRoomStore::away_since_before(soci::session& session,
                                                                   UnixMicros cutoff) {
  return select(session, "state = 'away' AND away_since <= :cutoff", {std::to_string(cutoff)});
}

void VisitRoomStore::insert(soci::session& session, const Participant& participant) {
  const Bound row = bound(participant);
  session << "INSERT INTO visit_room_participants (id, appointment_id, person, role, "
             "display_name, state, away_from, screen_sharing, node, connection_id, joined_at, "
             "away_since, updated_at) VALUES (:id, :appointment, :person, :role, :name, :state, "
             ":away_from, :sharing, :node, :connection, :joined, :away, :updated)",
      soci::use(participant.id), soci::use(participant.appointment_id),
      soci::use(participant.person), soci::use(row.role), soci::use(participant.display_name),
      soci::use(row.state), soci::use(row.away_from), soci::use(row.sharing),
      soci::use(participant.endpoint.node), soci::use(row.connection_id), soci::use(row.joined_at),
      soci::use(row.away_since), soci::use(row.updated_at);
}

void VisitRoomStore::update(soci::session& session, const Participant& participant) {
  const Bound row = bound(participant);
  session << "UPDATE visit_room_participants SET role = :role, display_name = :name, "
             "state = :state, away_from = :away_from, screen_sharing = :sharing, node = :node, "
             "connection_id = :connection, away_since = :away, updated_at = :updated "
             "WHERE id = :id",
      soci::use(row.role), soci::use(participant.display_name), soci::use(row.state),
      soci::use(row.away_from), soci::use(row.sharing), soci::use(participant.endpoint.node),
      soci::use(row.connection_id), soci::use(row.away_since), soci::use(row.updated_at),
      soci::use(participant.id);
}

bool VisitRoomStore::update_if_unchanged(soci::session& session, const Participant& participant,
                                         ParticipantState expected_state,
                                         UnixMicros expected_updated_at) {
  const Bound row = bound(participant);
  const std::string expected = state_text(expected_state);
  const long long expected_at = expected_updated_at;
  soci::statement statement =
      (session.prepare << "UPDATE visit_room_participants SET state = :state, "
                          "away_from = :away_from, screen_sharing = :sharing, away_since = :away, "
                          "updated_at = :updated WHERE id = :id AND state = :expected "
                          "AND updated_at = :expected_at",
       soci::use(row.state), soci::use(row.away_from), soci::use(row.sharing),
       soci::use(row.away_since), soci::use(row.updated_at), soci::use(participant.id),
       soci::use(expected), soci::use(expected_at));
  statement.execute(true);
  return statement.get_affected_rows() == 1;
}

void VisitRoomStore::put_signal(soci::session& session, const std::string& id,
                                const std::string& frame, UnixMicros now) {
  const long long at = now;
  session << "INSERT INTO visit_signals (id, created_at, frame) VALUES (:id, :at, :frame)",
      soci::use(id), soci::use(at), soci::use(frame);
}

std::optional<std::string> VisitRoomStore::take_signal(soci::session& session,
                                                       const std::string& id) {
  std::string frame;
  soci::indicator indicator = soci::i_null;
  session << "SELECT frame FROM visit_signals WHERE id = :id", soci::use(id),
      soci::into(frame, indicator);
  if (!session.got_data() || indicator != soci::i_ok) {
    return std::nullopt;
  }
  session << "DELETE FROM visit_signals WHERE id = :id", soci::use(id);
  return frame;
}

void VisitRoomStore::purge_signals(soci::session& session, UnixMicros before) {
  const long long cutoff = before;
  session << "DELETE FROM visit_signals WHERE created_at < :cutoff", soci::use(cutoff);
}

}  // namespace th::visits
