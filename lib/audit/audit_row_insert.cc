#include "audit/audit_row_insert.h"

#include <algorithm>
#include <string_view>

#include "storage/postgresql_array.h"

namespace th::audit {
namespace {

// Patient links per event row in one statement (they are smaller).
constexpr std::size_t kPatientRowsPerEventRow = 4;

constexpr std::size_t kEventColumns = 15;
constexpr const char* kInsertEvents =
    "INSERT INTO audit_events (seq, id, occurred_at, actor_user_id, actor_role, action, "
    "resource_type, resource_id, patient_id, outcome, emergency, request_id, node, body, "
    "leaf_hash) VALUES ";

constexpr std::size_t kPatientColumns = 2;
constexpr const char* kInsertPatients =
    "INSERT INTO audit_event_patients (seq, patient_id) VALUES ";

void bind_row(soci::details::prepare_temp_type& prepared, EventRow& row) {
  prepared, soci::use(row.seq), soci::use(row.id), soci::use(row.occurred_at),
      soci::use(row.actor_user_id), soci::use(row.actor_role), soci::use(row.action),
      soci::use(row.resource_type), soci::use(row.resource_id), soci::use(row.patient_id),
      soci::use(row.outcome), soci::use(row.emergency), soci::use(row.request_id),
      soci::use(row.node), soci::use(row.body), soci::use(row.leaf_hash_hex);
}

void bind_row(soci::details::prepare_temp_type& prepared, PatientRow& row) {
  prepared, soci::use(row.seq), soci::use(row.patient_id);
}

// "(:v0, :v1), (:v2, :v3)" for two rows of two columns: placeholders bound
// in order. SQLite gets "?" instead, since it looks each name up among the
// ones before it, which takes long for hundreds of them.
std::string values_list(storage::Backend backend, std::size_t rows, std::size_t columns) {
  const bool named = backend == storage::Backend::kPostgresql;
  std::string text;
  std::size_t number = 0;
  for (std::size_t row = 0; row < rows; ++row) {
    text += row == 0 ? "(" : ", (";
    for (std::size_t column = 0; column < columns; ++column) {
      text += column == 0 ? "" : ", ";
      text += named ? ":v" + std::to_string(number++) : "?";
    }
    text += ")";
  }
  return text;
}

// Inserts the rows `per_statement` at a time through one prepared statement
// bound to a group of slots that each group is moved into, then the rest
// through a statement of their size.
template <typename Row>
void insert_in_groups(soci::session& session, storage::Backend backend, const char* insert,
                      std::size_t columns, std::vector<Row>& rows, std::size_t per_statement) {
  std::size_t done = 0;
  while (done < rows.size()) {
    const std::size_t group = std::min(per_statement, rows.size() - done);
    std::vector<Row> slots(group);
    soci::details::prepare_temp_type prepared =
        (session.prepare << std::string(insert) + values_list(backend, group, columns));
    for (Row& slot : slots) {
      bind_row(prepared, slot);
    }
    soci::statement statement(prepared);
    while (rows.size() - done >= group) {
      const auto first = rows.begin() + static_cast<long>(done);
      std::move(first, first + static_cast<long>(group), slots.begin());
      statement.execute(true);
      done += group;
    }
  }
}

// The fast path's statement. It inserts only if it can take the append
// lock at once (pg_try_advisory_xact_lock, held to the statement's commit),
// so a locked-path transaction, which reads the tail only after it holds the
// lock, never races it; and only if the tail it reads is the one the batch
// continues. The tail is read in the statement's snapshot, which may predate
// a locked-path commit: then that commit holds the same positions and this
// insert fails on the primary key, which sends the batch the locked path.
// set_config(..., true) sets synchronous_commit for this statement's own
// transaction only: it commits without waiting for its flush, and the
// caller waits for durability afterwards (AuditLog::wait_until_durable), so
// the next batch can be written meanwhile.
constexpr const char* kInsertAtTail =
    "WITH tail AS (SELECT COALESCE(MAX(seq), -1) AS last,"
    " pg_try_advisory_xact_lock(:lock_key) AS locked,"
    " set_config('synchronous_commit', 'off', true) AS asynchronous FROM audit_events), "
    "added AS ("
    " INSERT INTO audit_events (seq, id, occurred_at, actor_user_id, actor_role, action,"
    " resource_type, resource_id, patient_id, outcome, emergency, request_id, node, body,"
    " leaf_hash)"
    " SELECT * FROM unnest(CAST(:seq AS bigint[]), CAST(:id AS text[]),"
    " CAST(:occurred_at AS bigint[]), CAST(:actor_user_id AS text[]),"
    " CAST(:actor_role AS text[]), CAST(:action AS text[]), CAST(:resource_type AS text[]),"
    " CAST(:resource_id AS text[]), CAST(:patient_id AS text[]), CAST(:outcome AS text[]),"
    " CAST(:emergency AS integer[]), CAST(:request_id AS text[]), CAST(:node AS text[]),"
    " CAST(:body AS text[]), CAST(:leaf_hash AS text[]))"
    " WHERE (SELECT locked FROM tail) AND (SELECT last FROM tail) = :last"
    " RETURNING seq), "
    "linked AS ("
    " INSERT INTO audit_event_patients (seq, patient_id)"
    " SELECT * FROM unnest(CAST(:link_seq AS bigint[]), CAST(:link_patient AS text[]))"
    " WHERE EXISTS (SELECT 1 FROM added)) "
    "SELECT COUNT(*) FROM added";

// One column of the batch as an array literal.
template <typename Field>
std::string text_column(const std::vector<EventRow>& rows, Field field) {
  std::vector<std::string_view> values;
  values.reserve(rows.size());
  for (const EventRow& row : rows) {
    values.push_back(row.*field);
  }
  return storage::postgresql_text_array(values);
}

template <typename Field>
std::string integer_column(const std::vector<EventRow>& rows, Field field) {
  std::vector<long long> values;
  values.reserve(rows.size());
  for (const EventRow& row : rows) {
    values.push_back(row.*field);
  }
  return storage::postgresql_integer_array(values);
}

}  // namespace

void insert_audit_rows(soci::session& session, storage::Backend backend, AuditRows& rows,
                       std::size_t per_statement) {
  insert_in_groups(session, backend, kInsertEvents, kEventColumns, rows.events, per_statement);
  insert_in_groups(session, backend, kInsertPatients, kPatientColumns, rows.patients,
                   per_statement * kPatientRowsPerEventRow);
}

bool insert_audit_rows_at_tail(soci::session& session, const AuditRows& rows, long long lock_key) {
  const std::vector<EventRow>& events = rows.events;
  const std::string seq = integer_column(events, &EventRow::seq);
  const std::string id = text_column(events, &EventRow::id);
  const std::string occurred_at = integer_column(events, &EventRow::occurred_at);
  const std::string actor_user_id = text_column(events, &EventRow::actor_user_id);
  const std::string actor_role = text_column(events, &EventRow::actor_role);
  const std::string action = text_column(events, &EventRow::action);
  const std::string resource_type = text_column(events, &EventRow::resource_type);
  const std::string resource_id = text_column(events, &EventRow::resource_id);
  const std::string patient_id = text_column(events, &EventRow::patient_id);
  const std::string outcome = text_column(events, &EventRow::outcome);
  const std::string emergency = integer_column(events, &EventRow::emergency);
  const std::string request_id = text_column(events, &EventRow::request_id);
  const std::string node = text_column(events, &EventRow::node);
  const std::string body = text_column(events, &EventRow::body);
  const std::string leaf_hash = text_column(events, &EventRow::leaf_hash_hex);

  std::vector<long long> link_seqs;
  std::vector<std::string_view> link_patients;
  for (const PatientRow& link : rows.patients) {
    link_seqs.push_back(link.seq);
    link_patients.push_back(link.patient_id);
  }
  const std::string link_seq = storage::postgresql_integer_array(link_seqs);
  const std::string link_patient = storage::postgresql_text_array(link_patients);
  const long long last = events.front().seq - 1;

  long long added = 0;
  session << kInsertAtTail, soci::use(lock_key), soci::use(seq), soci::use(id),
      soci::use(occurred_at), soci::use(actor_user_id), soci::use(actor_role), soci::use(action),
      soci::use(resource_type), soci::use(resource_id), soci::use(patient_id), soci::use(outcome),
      soci::use(emergency), soci::use(request_id), soci::use(node), soci::use(body),
      soci::use(leaf_hash), soci::use(last), soci::use(link_seq), soci::use(link_patient),
      soci::into(added);
  return added == static_cast<long long>(events.size());
}

}  // namespace th::audit
