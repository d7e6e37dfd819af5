// The schema, as an ordered list of migrations. Append new migrations at the
// end; never edit one that has shipped. Conventions shared by every table:
//   - identifiers are TEXT (UUIDs as text), timestamps BIGINT microseconds
//     since the Unix epoch in UTC;
//   - personal fields are stored as ciphertext TEXT produced by the field
//     cipher, never as plaintext;
//   - SQLite and PostgreSQL get the same tables; where the dialects differ the
//     two statement lists differ.
#include "storage/migration.h"

namespace th::storage {
namespace {

// 1: the daemons that have used this database, so operators can see which
// nodes share it and when each was last alive.
Migration nodes_migration() {
  static constexpr std::string_view kCreate =
      "CREATE TABLE daemon_nodes ("
      " name TEXT PRIMARY KEY,"
      " version TEXT NOT NULL,"
      " started_at BIGINT NOT NULL,"
      " last_seen_at BIGINT NOT NULL)";
  return Migration{1, "daemon nodes", {kCreate}, {kCreate}};
}

// 2: identities, roles, sessions, tokens, patients, care teams and
// emergency access. Columns ending in _enc hold field-cipher ciphertext;
// columns ending in _bidx hold keyed blind indexes for exact-match lookup.
Migration access_migration() {
  static constexpr std::string_view kStatements[] = {
      "CREATE TABLE roles ("
      " name TEXT PRIMARY KEY,"
      " description TEXT NOT NULL,"
      " builtin INTEGER NOT NULL,"
      " mfa_required INTEGER NOT NULL,"
      " idle_timeout_seconds INTEGER NOT NULL,"
      " created_at BIGINT NOT NULL)",

      "CREATE TABLE role_permissions ("
      " role TEXT NOT NULL REFERENCES roles(name),"
      " permission TEXT NOT NULL,"
      " PRIMARY KEY (role, permission))",

      "CREATE TABLE patients ("
      " id TEXT PRIMARY KEY,"
      " mrn_bidx TEXT NOT NULL UNIQUE,"
      " mrn_enc TEXT NOT NULL,"
      " given_name_enc TEXT NOT NULL,"
      " family_name_enc TEXT NOT NULL,"
      " birth_date_enc TEXT NOT NULL,"
      " sex_enc TEXT NOT NULL,"
      " phone_enc TEXT NOT NULL,"
      " email_enc TEXT NOT NULL,"
      " address_enc TEXT NOT NULL,"
      // The state alone is not an identifier (safe harbor keeps states), and
      // licensure checks filter on it, so it is kept in the clear.
      " state TEXT NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " updated_at BIGINT NOT NULL,"
      " version INTEGER NOT NULL,"
      " integrity_tag TEXT NOT NULL)",

      "CREATE TABLE users ("
      " id TEXT PRIMARY KEY,"
      " username_bidx TEXT NOT NULL UNIQUE,"
      " username_enc TEXT NOT NULL,"
      " email_bidx TEXT,"
      " email_enc TEXT NOT NULL,"
      " kind TEXT NOT NULL,"
      " status TEXT NOT NULL,"
      " role TEXT NOT NULL REFERENCES roles(name),"
      " patient_id TEXT UNIQUE REFERENCES patients(id),"
      " password_hash TEXT NOT NULL,"
      " password_changed_at BIGINT NOT NULL,"
      " failed_logins INTEGER NOT NULL,"
      " last_failed_login_at BIGINT NOT NULL,"
      " mfa_secret_enc TEXT NOT NULL,"
      " mfa_enabled INTEGER NOT NULL,"
      " mfa_last_step BIGINT NOT NULL,"
      " enrolment_code_hash TEXT NOT NULL,"
      " enrolment_expires_at BIGINT NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " updated_at BIGINT NOT NULL,"
      " version INTEGER NOT NULL)",

      "CREATE TABLE practitioners ("
      " user_id TEXT PRIMARY KEY REFERENCES users(id),"
      " npi TEXT NOT NULL UNIQUE,"
      " license_states TEXT NOT NULL,"
      " time_zone TEXT NOT NULL)",

      "CREATE TABLE recovery_codes ("
      " user_id TEXT NOT NULL REFERENCES users(id),"
      " code_hash TEXT NOT NULL,"
      " used_at BIGINT NOT NULL,"
      " PRIMARY KEY (user_id, code_hash))",

      "CREATE TABLE sessions ("
      " id TEXT PRIMARY KEY,"
      " token_hash TEXT NOT NULL UNIQUE,"
      " user_id TEXT NOT NULL REFERENCES users(id),"
      " kind TEXT NOT NULL,"
      " name TEXT NOT NULL,"
      " role TEXT NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " last_seen_at BIGINT NOT NULL,"
      " idle_timeout_seconds INTEGER NOT NULL,"
      " expires_at BIGINT NOT NULL,"
      " mfa_verified INTEGER NOT NULL,"
      " source_address TEXT NOT NULL,"
      " revoked_at BIGINT NOT NULL,"
      " revoked_reason TEXT NOT NULL)",
      "CREATE INDEX sessions_by_user ON sessions(user_id)",

      "CREATE TABLE care_team_members ("
      " patient_id TEXT NOT NULL REFERENCES patients(id),"
      " user_id TEXT NOT NULL REFERENCES users(id),"
      " added_by TEXT NOT NULL,"
      " added_at BIGINT NOT NULL,"
      " PRIMARY KEY (patient_id, user_id))",
      "CREATE INDEX care_team_by_user ON care_team_members(user_id)",

      "CREATE TABLE emergency_grants ("
      " id TEXT PRIMARY KEY,"
      " user_id TEXT NOT NULL REFERENCES users(id),"
      " patient_id TEXT NOT NULL REFERENCES patients(id),"
      " reason_enc TEXT NOT NULL,"
      " granted_at BIGINT NOT NULL,"
      " expires_at BIGINT NOT NULL,"
      " review_state TEXT NOT NULL,"
      " reviewed_by TEXT NOT NULL,"
      " reviewed_at BIGINT NOT NULL,"
      " review_comment_enc TEXT NOT NULL)",
      "CREATE INDEX emergency_by_user ON emergency_grants(user_id, patient_id)",

      "CREATE TABLE notifications ("
      " id TEXT PRIMARY KEY,"
      " kind TEXT NOT NULL,"
      " recipient_role TEXT NOT NULL,"
      " subject_id TEXT NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " delivered_at BIGINT NOT NULL)",

  };
  // Revocations and other changes every daemon must learn of at once. Each
  // daemon reads rows past the last id it saw; on PostgreSQL a NOTIFY wakes
  // it, elsewhere it polls. Ids only grow, in both dialects.
  static constexpr std::string_view kSqliteEvents =
      "CREATE TABLE security_events ("
      " id INTEGER PRIMARY KEY AUTOINCREMENT,"
      " kind TEXT NOT NULL,"
      " subject_id TEXT NOT NULL,"
      " created_at BIGINT NOT NULL)";
  static constexpr std::string_view kPostgresqlEvents =
      "CREATE TABLE security_events ("
      " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
      " kind TEXT NOT NULL,"
      " subject_id TEXT NOT NULL,"
      " created_at BIGINT NOT NULL)";
  Migration migration{2, "access control", {}, {}};
  for (const std::string_view statement : kStatements) {
    migration.sqlite_statements.push_back(statement);
    migration.postgresql_statements.push_back(statement);
  }
  migration.sqlite_statements.push_back(kSqliteEvents);
  migration.postgresql_statements.push_back(kPostgresqlEvents);
  return migration;
}

// 3: the data keys, each wrapped by a key-encryption key kept outside the
// database. One key per purpose; KEK rotation re-wraps them in place.
Migration data_keys_migration() {
  static constexpr std::string_view kCreate =
      "CREATE TABLE data_keys ("
      " id TEXT PRIMARY KEY,"
      " purpose TEXT NOT NULL UNIQUE,"
      " kek_id TEXT NOT NULL,"
      " wrapped TEXT NOT NULL,"
      " created_at BIGINT NOT NULL)";
  return Migration{3, "data keys", {kCreate}, {kCreate}};
}

// 4: the audit trail. seq is the event's leaf index in the Merkle tree.
// Rows are only ever inserted: triggers refuse UPDATE and DELETE in both
// backends (and the daemon's PostgreSQL role is meant to hold no such grant).
Migration audit_migration() {
  static constexpr std::string_view kCommon[] = {
      "CREATE TABLE audit_events ("
      " seq BIGINT PRIMARY KEY,"
      " id TEXT NOT NULL UNIQUE,"
      " occurred_at BIGINT NOT NULL,"
      " actor_user_id TEXT NOT NULL,"
      " actor_role TEXT NOT NULL,"
      " action TEXT NOT NULL,"
      " resource_type TEXT NOT NULL,"
      " resource_id TEXT NOT NULL,"
      " patient_id TEXT NOT NULL,"
      " outcome TEXT NOT NULL,"
      " emergency INTEGER NOT NULL,"
      " request_id TEXT NOT NULL,"
      " node TEXT NOT NULL,"
      " body TEXT NOT NULL,"
      " leaf_hash TEXT NOT NULL)",
      "CREATE INDEX audit_by_time ON audit_events(occurred_at)",
      "CREATE INDEX audit_by_actor ON audit_events(actor_user_id, occurred_at)",
      "CREATE INDEX audit_by_patient ON audit_events(patient_id, occurred_at)",
      "CREATE TABLE audit_event_patients ("
      " seq BIGINT NOT NULL,"
      " patient_id TEXT NOT NULL,"
      " PRIMARY KEY (patient_id, seq))",
  };
  static constexpr std::string_view kSqliteTriggers[] = {
      "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
      "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
      "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
      "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
      "CREATE TRIGGER audit_patients_no_update BEFORE UPDATE ON audit_event_patients "
      "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
      "CREATE TRIGGER audit_patients_no_delete BEFORE DELETE ON audit_event_patients "
      "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
  };
  static constexpr std::string_view kPostgresqlTriggers[] = {
      "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
      "$$ BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$",
      "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
      "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
      "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
      "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
      "CREATE TRIGGER audit_patients_append_only BEFORE UPDATE OR DELETE ON "
      "audit_event_patients FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
      "CREATE TRIGGER audit_patients_no_truncate BEFORE TRUNCATE ON audit_event_patients "
      "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
  };
  Migration migration{4, "audit trail", {}, {}};
  for (const std::string_view statement : kCommon) {
    migration.sqlite_statements.push_back(statement);
    migration.postgresql_statements.push_back(statement);
  }
  for (const std::string_view statement : kSqliteTriggers) {
    migration.sqlite_statements.push_back(statement);
  }
  for (const std::string_view statement : kPostgresqlTriggers) {
    migration.postgresql_statements.push_back(statement);
  }
  return migration;
}

// 5: signed checkpoints of the audit log. Each row holds the signed note
// (C2SP tlog-checkpoint in a signed note) and, as queryable columns, what it
// signs, plus the Merkle frontier of the tree at that size so a daemon can
// resume the tree from a checkpoint whose signature it has checked. Like the
// events, rows are only ever inserted. The index by seq lets verification
// read the patient links of the events page by page.
Migration audit_checkpoints_migration() {
  static constexpr std::string_view kCommon[] = {
      "CREATE TABLE audit_checkpoints ("
      " tree_size BIGINT PRIMARY KEY,"
      " root_hash TEXT NOT NULL,"
      " timestamp_millis BIGINT NOT NULL,"
      " origin TEXT NOT NULL,"
      " note TEXT NOT NULL,"
      " frontier TEXT NOT NULL,"
      " node TEXT NOT NULL,"
      " created_at BIGINT NOT NULL)",
      "CREATE INDEX audit_patients_by_seq ON audit_event_patients(seq)",
  };
  static constexpr std::string_view kSqliteTriggers[] = {
      "CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints "
      "BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END",
      "CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints "
      "BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END",
  };
  static constexpr std::string_view kPostgresqlTriggers[] = {
      "CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON "
      "audit_checkpoints FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
      "CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints "
      "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
  };
  Migration migration{5, "audit checkpoints", {}, {}};
  for (const std::string_view statement : kCommon) {
    migration.sqlite_statements.push_back(statement);
    migration.postgresql_statements.push_back(statement);
  }
  for (const std::string_view statement : kSqliteTriggers) {
    migration.sqlite_statements.push_back(statement);
  }
  for (const std::string_view statement : kPostgresqlTriggers) {
    migration.postgresql_statements.push_back(statement);
  }
  return migration;
}

// 6: when each data key was last re-wrapped under another key-encryption
// key (0 for never), so that `thctl keys status` can show how a rotation
// went. Existing keys start at 0.
Migration data_key_rewrap_time_migration() {
  static constexpr std::string_view kAdd =
      "ALTER TABLE data_keys ADD COLUMN rewrapped_at BIGINT NOT NULL DEFAULT 0";
  return Migration{6, "data key rewrap time", {kAdd}, {kAdd}};
}

// 7: scheduling. Practitioners get a slot length; visit types (two to start
// with), weekly availability rules and dated exceptions are written in the
// practitioner's local time; appointments hold UTC instants, with the
// reason for the visit and for a cancellation sealed. appointment_slots is
// what stops double booking in the database itself, for any number of
// daemons: an appointment claims every five-minute cell of its time as a row
// whose primary key is (practitioner, cell), so of two overlapping bookings,
// whatever their lengths, the second to insert fails its unique key and
// rolls back. A cancelled appointment gives its cells up. The partial unique
// index says the same for equal start times and guards the claim itself.
Migration scheduling_migration() {
  static constexpr std::string_view kStatements[] = {
      "ALTER TABLE practitioners ADD COLUMN slot_minutes INTEGER NOT NULL DEFAULT 20",
      "ALTER TABLE practitioners ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0",

      "CREATE TABLE visit_types ("
      " code TEXT PRIMARY KEY,"
      " name TEXT NOT NULL,"
      " duration_minutes INTEGER NOT NULL,"
      " active INTEGER NOT NULL,"
      " updated_at BIGINT NOT NULL)",
      "INSERT INTO visit_types (code, name, duration_minutes, active, updated_at) "
      "VALUES ('new_patient', 'New patient', 40, 1, 0)",
      "INSERT INTO visit_types (code, name, duration_minutes, active, updated_at) "
      "VALUES ('follow_up', 'Follow-up', 20, 1, 0)",

      "CREATE TABLE availability_rules ("
      " practitioner_id TEXT NOT NULL REFERENCES practitioners(user_id),"
      " weekday INTEGER NOT NULL,"
      " start_minute INTEGER NOT NULL,"
      " end_minute INTEGER NOT NULL,"
      " PRIMARY KEY (practitioner_id, weekday, start_minute))",

      "CREATE TABLE availability_exceptions ("
      " id TEXT PRIMARY KEY,"
      " practitioner_id TEXT NOT NULL REFERENCES practitioners(user_id),"
      " on_date TEXT NOT NULL,"
      " kind TEXT NOT NULL,"
      " start_minute INTEGER NOT NULL,"
      " end_minute INTEGER NOT NULL,"
      " created_by TEXT NOT NULL,"
      " created_at BIGINT NOT NULL)",
      "CREATE INDEX availability_exceptions_by_date ON "
      "availability_exceptions(practitioner_id, on_date)",

      "CREATE TABLE appointments ("
      " id TEXT PRIMARY KEY,"
      " practitioner_id TEXT NOT NULL REFERENCES practitioners(user_id),"
      " patient_id TEXT NOT NULL REFERENCES patients(id),"
      " visit_type TEXT NOT NULL REFERENCES visit_types(code),"
      " starts_at BIGINT NOT NULL,"
      " ends_at BIGINT NOT NULL,"
      " status TEXT NOT NULL,"
      " reason_enc TEXT NOT NULL,"
      " urgent INTEGER NOT NULL,"
      " booked_by TEXT NOT NULL,"
      " booked_at BIGINT NOT NULL,"
      " checked_in_at BIGINT NOT NULL,"
      " started_at BIGINT NOT NULL,"
      " completed_at BIGINT NOT NULL,"
      " no_show_at BIGINT NOT NULL,"
      " cancelled_at BIGINT NOT NULL,"
      " cancelled_by TEXT NOT NULL,"
      " cancel_reason_enc TEXT NOT NULL,"
      " updated_by TEXT NOT NULL,"
      " updated_at BIGINT NOT NULL,"
      " version INTEGER NOT NULL,"
      " integrity_tag TEXT NOT NULL)",
      "CREATE INDEX appointments_by_practitioner ON appointments(practitioner_id, starts_at)",
      "CREATE INDEX appointments_by_patient ON appointments(patient_id, starts_at)",
      "CREATE UNIQUE INDEX appointments_one_per_start ON appointments(practitioner_id, starts_at) "
      "WHERE status <> 'cancelled'",

      "CREATE TABLE appointment_slots ("
      " practitioner_id TEXT NOT NULL,"
      " cell BIGINT NOT NULL,"
      " appointment_id TEXT NOT NULL REFERENCES appointments(id),"
      " PRIMARY KEY (practitioner_id, cell))",
      "CREATE INDEX appointment_slots_by_appointment ON appointment_slots(appointment_id)",
  };
  Migration migration{7, "scheduling", {}, {}};
  for (const std::string_view statement : kStatements) {
    migration.sqlite_statements.push_back(statement);
    migration.postgresql_statements.push_back(statement);
  }
  return migration;
}

// 8: reminders and calendar feeds. outbox_messages is a transactional
// outbox: a message is written in the same transaction as the change it
// tells of, and a dispatcher sends it afterwards. dedupe_key is UNIQUE, so the
// same message is never queued twice; the recipient, subject, body and
// calendar attachment are sealed (they carry contact details and names) and
// blanked once the message is sent or cancelled. A row being sent holds a
// lease (lease_expires_at, claimed_by, claim_token): a sender that dies
// mid-send leaves a lease that runs out, and the row becomes claimable again.
// calendar_feed_tokens holds the hashes of the practitioners' feed tokens (at
// most one in force each); calendar_entries is what the feeds show, one row
// per appointment, kept by the reminder planner's caller; contact_opt_outs
// lists the channels a patient asked not to be reminded on. Practitioners
// get the name patients read in those messages.
Migration notify_migration() {
  static constexpr std::string_view kStatements[] = {
      "CREATE TABLE outbox_messages ("
      " id TEXT PRIMARY KEY,"
      " dedupe_key TEXT NOT NULL UNIQUE,"
      " channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),"
      " kind TEXT NOT NULL,"
      " reference TEXT NOT NULL,"
      " revision BIGINT NOT NULL,"
      " patient_id TEXT NOT NULL,"
      " recipient_enc TEXT NOT NULL,"
      " subject_enc TEXT NOT NULL,"
      " body_enc TEXT NOT NULL,"
      " attachment_enc TEXT NOT NULL,"
      " status TEXT NOT NULL"
      " CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),"
      " due_at BIGINT NOT NULL,"
      " expires_at BIGINT NOT NULL,"
      " next_attempt_at BIGINT NOT NULL,"
      " attempts INTEGER NOT NULL,"
      " lease_expires_at BIGINT NOT NULL,"
      " claimed_by TEXT NOT NULL,"
      " claim_token TEXT NOT NULL,"
      " last_error TEXT NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " updated_at BIGINT NOT NULL,"
      " sent_at BIGINT NOT NULL)",
      "CREATE INDEX outbox_messages_due ON outbox_messages(status, next_attempt_at)",
      "CREATE INDEX outbox_messages_by_reference ON outbox_messages(reference, status)",

      "CREATE TABLE calendar_feed_tokens ("
      " id TEXT PRIMARY KEY,"
      " practitioner_id TEXT NOT NULL REFERENCES practitioners(user_id),"
      " token_hash TEXT NOT NULL UNIQUE,"
      " created_by TEXT NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " last_used_at BIGINT NOT NULL,"
      " revoked_at BIGINT NOT NULL)",
      "CREATE UNIQUE INDEX calendar_feed_tokens_in_force ON "
      "calendar_feed_tokens(practitioner_id) WHERE revoked_at = 0",

      "CREATE TABLE calendar_entries ("
      " appointment_id TEXT PRIMARY KEY,"
      " practitioner_id TEXT NOT NULL,"
      " patient_id TEXT NOT NULL,"
      " starts_at BIGINT NOT NULL,"
      " ends_at BIGINT NOT NULL,"
      " sequence BIGINT NOT NULL,"
      " cancelled INTEGER NOT NULL,"
      " attendee_label_enc TEXT NOT NULL,"
      " updated_at BIGINT NOT NULL)",
      "CREATE INDEX calendar_entries_by_practitioner ON "
      "calendar_entries(practitioner_id, starts_at)",

      "CREATE TABLE contact_opt_outs ("
      " patient_id TEXT NOT NULL REFERENCES patients(id),"
      " channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),"
      " updated_by TEXT NOT NULL,"
      " updated_at BIGINT NOT NULL,"
      " PRIMARY KEY (patient_id, channel))",

      "ALTER TABLE practitioners ADD COLUMN display_name TEXT NOT NULL DEFAULT ''",
  };
  Migration migration{8, "reminders and calendar feeds", {}, {}};
  for (const std::string_view statement : kStatements) {
    migration.sqlite_statements.push_back(statement);
    migration.postgresql_statements.push_back(statement);
  }
  return migration;
}

// 9: secure messaging. A conversation's subject and a message's body are
// sealed, and both rows carry integrity tags. Sequence numbers are claimed
// by updating the conversation's last_seq inside the sending transaction,
// which serialises concurrent senders on that row on either backend;
// UNIQUE (conversation_id, seq) holds the rule in the schema as well. A
// sender's client_ref makes a retried send find the first one.
Migration messaging_migration() {
  static constexpr std::string_view kStatements[] = {
      "CREATE TABLE conversations ("
      " id TEXT PRIMARY KEY,"
      " kind TEXT NOT NULL,"
      " patient_id TEXT NOT NULL,"
      " subject_enc TEXT NOT NULL,"
      " created_by TEXT NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " last_seq BIGINT NOT NULL,"
      " version INTEGER NOT NULL,"
      " integrity_tag TEXT NOT NULL)",
      "CREATE INDEX conversations_by_patient ON conversations(patient_id)",

      "CREATE TABLE conversation_members ("
      " conversation_id TEXT NOT NULL REFERENCES conversations(id),"
      " user_id TEXT NOT NULL,"
      " added_at BIGINT NOT NULL,"
      " read_seq BIGINT NOT NULL,"
      " PRIMARY KEY (conversation_id, user_id))",
      "CREATE INDEX conversation_members_by_user ON conversation_members(user_id)",

      "CREATE TABLE messages ("
      " id TEXT PRIMARY KEY,"
      " conversation_id TEXT NOT NULL REFERENCES conversations(id),"
      " seq BIGINT NOT NULL,"
      " sender_id TEXT NOT NULL,"
      " sent_at BIGINT NOT NULL,"
      " client_ref TEXT NOT NULL,"
      " body_enc TEXT NOT NULL,"
      " version INTEGER NOT NULL,"
      " integrity_tag TEXT NOT NULL,"
      " UNIQUE (conversation_id, seq))",
      "CREATE UNIQUE INDEX messages_by_client_ref ON messages(conversation_id, sender_id, "
      "client_ref) WHERE client_ref <> ''",
  };
  Migration migration{9, "messaging", {}, {}};
  for (const std::string_view statement : kStatements) {
    migration.sqlite_statements.push_back(statement);
    migration.postgresql_statements.push_back(statement);
  }
  return migration;
}

// 10: integrity tags on user accounts and emergency-access grants, which
// until now were sealed but not tagged. Grants get a version, as the other
// tagged rows have. Rows written before this migration hold an empty tag:
// SQL cannot compute the HMAC, so the daemon tags them once at start-up
// (access/integrity_backfill.h), and integrity_backfills records that it
// did, in the same transaction. The row is inserted here, pending (done_at
// 0), so that a database migrated by any daemon waits for its backfill.
Migration user_and_grant_tags_migration() {
  static constexpr std::string_view kStatements[] = {
      "ALTER TABLE users ADD COLUMN integrity_tag TEXT NOT NULL DEFAULT ''",
      "ALTER TABLE emergency_grants ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
      "ALTER TABLE emergency_grants ADD COLUMN integrity_tag TEXT NOT NULL DEFAULT ''",
      "CREATE TABLE integrity_backfills ("
      " name TEXT PRIMARY KEY,"
      " done_at BIGINT NOT NULL,"
      " rows_tagged BIGINT NOT NULL)",
      "INSERT INTO integrity_backfills (name, done_at, rows_tagged) "
      "VALUES ('users and emergency grants', 0, 0)",
  };
  Migration migration{10, "integrity tags on users and emergency grants", {}, {}};
  for (const std::string_view statement : kStatements) {
    migration.sqlite_statements.push_back(statement);
    migration.postgresql_statements.push_back(statement);
  }
  return migration;
}

// 11: guests of video visits. An invitation holds the invitee's email sealed
// and the SHA-256 of its single-use link secret (unique, so a secret names
// one invitation); a redeemed invitation's guest session holds the hash of
// its own secret and the one visit it reaches, for the real-time hub to
// check. Revoking an invitation stamps its sessions' revoked_at.
Migration visit_invitations_migration() {
  static constexpr std::string_view kStatements[] = {
      "CREATE TABLE visit_invitations ("
      " id TEXT PRIMARY KEY,"
      " appointment_id TEXT NOT NULL REFERENCES appointments(id),"
      " patient_id TEXT NOT NULL,"
      " relationship TEXT NOT NULL,"
      " email_enc TEXT NOT NULL,"
      " status TEXT NOT NULL,"
      " expires_at BIGINT NOT NULL,"
      " created_by TEXT NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " redeemed_at BIGINT NOT NULL,"
      " revoked_at BIGINT NOT NULL,"
      " revoked_by TEXT NOT NULL,"
      " revoke_reason TEXT NOT NULL,"
      " token_hash TEXT NOT NULL UNIQUE)",
      "CREATE INDEX visit_invitations_by_appointment ON visit_invitations(appointment_id)",

      "CREATE TABLE guest_sessions ("
      " id TEXT PRIMARY KEY,"
      " invitation_id TEXT NOT NULL REFERENCES visit_invitations(id),"
      " appointment_id TEXT NOT NULL REFERENCES appointments(id),"
      " relationship TEXT NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " expires_at BIGINT NOT NULL,"
      " revoked_at BIGINT NOT NULL,"
      " token_hash TEXT NOT NULL UNIQUE)",
      "CREATE INDEX guest_sessions_by_invitation ON guest_sessions(invitation_id)",
  };
  Migration migration{11, "visit invitations", {}, {}};
  for (const std::string_view statement : kStatements) {
    migration.sqlite_statements.push_back(statement);
    migration.postgresql_statements.push_back(statement);
  }
  return migration;
}

// 12: video visit rooms. A participant row is one person's place in one
// appointment's room (unique per person and room, so a rejoin finds its
// own place), with the state the real-time protocol names and where its
// live connection is (daemon and connection id), so any daemon can route to
// it. visit_signals holds, for a few seconds, a signaling frame too large
// for a PostgreSQL notification, until the daemon holding the recipient
// takes it.
Migration visit_rooms_migration() {
  static constexpr std::string_view kStatements[] = {
      "CREATE TABLE visit_room_participants ("
      " id TEXT PRIMARY KEY,"
      " appointment_id TEXT NOT NULL REFERENCES appointments(id),"
      " person TEXT NOT NULL,"
      " role TEXT NOT NULL,"
      " display_name TEXT NOT NULL,"
      " state TEXT NOT NULL,"
      " away_from TEXT NOT NULL,"
      " screen_sharing INTEGER NOT NULL,"
      " node TEXT NOT NULL,"
      " connection_id BIGINT NOT NULL,"
      " joined_at BIGINT NOT NULL,"
      " away_since BIGINT NOT NULL,"
      " updated_at BIGINT NOT NULL,"
      " UNIQUE (appointment_id, person))",
      "CREATE INDEX visit_room_participants_by_state ON visit_room_participants(state, away_since)",

      "CREATE TABLE visit_signals ("
      " id TEXT PRIMARY KEY,"
      " created_at BIGINT NOT NULL,"
      " frame TEXT NOT NULL)",
  };
  Migration migration{12, "visit rooms", {}, {}};
  for (const std::string_view statement : kStatements) {
    migration.sqlite_statements.push_back(statement);
    migration.postgresql_statements.push_back(statement);
  }
  return migration;
}

// 13: patients' uploaded documents, and attachments on messages. A
// document's file name and content are sealed; its row is tagged over the
// metadata, the SHA-256 of the plaintext included (documents/
// document_store.h). A message's attachments (document ids) are sealed in
// attachments_enc, covered by the tag from row version 3 on; older rows
// have none.
Migration documents_migration() {
  static constexpr std::string_view kStatements[] = {
      "CREATE TABLE documents ("
      " id TEXT PRIMARY KEY,"
      " patient_id TEXT NOT NULL,"
      " uploaded_by TEXT NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " media_type TEXT NOT NULL,"
      " file_name_enc TEXT NOT NULL,"
      " size_bytes BIGINT NOT NULL,"
      " sha256 TEXT NOT NULL,"
      " content_enc TEXT NOT NULL,"
      " version INTEGER NOT NULL,"
      " integrity_tag TEXT NOT NULL)",
      "CREATE INDEX documents_by_patient ON documents(patient_id, created_at)",
      "ALTER TABLE messages ADD COLUMN attachments_enc TEXT NOT NULL DEFAULT ''",
  };
  Migration migration{13, "documents and message attachments", {}, {}};
  for (const std::string_view statement : kStatements) {
    migration.sqlite_statements.push_back(statement);
    migration.postgresql_statements.push_back(statement);
  }
  return migration;
}

// 14: integrity tags on the access-control rows that decide what a
// credential may do: sign-in sessions and service tokens (whose hash, user,
// role, expiry, MFA state and revocation a database writer could otherwise
// forge or widen) and roles (whose flags and permission set likewise). Like
// migration 10, existing rows are tagged once by the daemon, which holds the
// key (access/integrity_backfill.h), under a marker of their own.
Migration access_tags_migration() {
  static constexpr std::string_view kStatements[] = {
      "ALTER TABLE sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
      "ALTER TABLE sessions ADD COLUMN integrity_tag TEXT NOT NULL DEFAULT ''",
      "ALTER TABLE roles ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
      "ALTER TABLE roles ADD COLUMN integrity_tag TEXT NOT NULL DEFAULT ''",
      "INSERT INTO integrity_backfills (name, done_at, rows_tagged) "
      "VALUES ('sessions and roles', 0, 0)",
  };
  Migration migration{14, "integrity tags on sessions and roles", {}, {}};
  for (const std::string_view statement : kStatements) {
    migration.sqlite_statements.push_back(statement);
    migration.postgresql_statements.push_back(statement);
  }
  return migration;
}

}  // namespace

const std::vector<Migration>& schema_migrations() {
  static const std::vector<Migration> migrations = {
      nodes_migration(),
      access_migration(),
      data_keys_migration(),
      audit_migration(),
      audit_checkpoints_migration(),
      data_key_rewrap_time_migration(),
      scheduling_migration(),
      notify_migration(),
      messaging_migration(),
      user_and_grant_tags_migration(),
      visit_invitations_migration(),
      visit_rooms_migration(),
      documents_migration(),
      access_tags_migration(),
  };
  return migrations;
}

}  // namespace th::storage
