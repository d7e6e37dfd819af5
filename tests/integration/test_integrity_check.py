"""The integrity of stored personal data, end to end: `thctl integrity
check` over a clean database, then over one whose patient rows were edited
behind the daemon's back (with the sqlite3 or psql command line, as someone
holding the database file or a superuser would); the reads of an altered
record fail with data_loss and are audited, while the other records still
read.

Patient rows are altered two ways: a clear-text column changed (only the
integrity tag catches it) and a sealed field replaced by another field's
ciphertext (the tag and the decryption both catch it).

User accounts and emergency-access grants are tagged too: a user whose role
was raised in the database can no longer sign in (and the refusal is
audited), a grant whose expiry was pushed out no longer opens the record,
and the check names both rows. Rows from before they carried tags are
tagged once, when the daemon starts after the upgrade.
"""

import csv
import io
import json
import os
import tempfile

import access_fixtures as fx
import harness

EXIT_DATA_ERROR = 65
EXIT_NO_PERMISSION = 77

# Distinctive values, so that a report or error quoting one would be seen.
GIVEN_NAME = "Wilhelmina"
FAMILY_NAME = "Quarterbridge"
PHONE = "+1 503 555 0187"
ADDRESS = "88 Larkspur Lane, Bend"


def check_events(daemon):
    """(outcome, reason) of every integrity check recorded, oldest first."""
    rows = daemon.sql("SELECT outcome, body FROM audit_events WHERE action = 'verify' AND "
                      "resource_type = 'personal_data' ORDER BY seq")
    events = []
    for row in rows:
        outcome, body = row.split("|", 1)
        events.append((outcome, json.loads(body)["reason"]))
    return events


class IntegrityCheckTest(fx.AccessTestCase):
    """One daemon: patients created over the API, a clean check, then two
    patient rows altered in the database."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        daemon = cls.daemon
        cls.front_desk = fx.create_account(daemon, "front_desk")
        cls.compliance = fx.create_account(daemon, "compliance_officer")
        cls.patients = [fx.create_patient(daemon, given_name=GIVEN_NAME, family_name=FAMILY_NAME,
                                          phone=PHONE, address=ADDRESS)["id"] for _ in range(4)]
        cls.clean_result, cls.clean_report = daemon.thctl_json("integrity", "check")
        cls.clean_events = check_events(daemon)

        cls.altered_state, cls.altered_field = cls.patients[1], cls.patients[2]
        daemon.sql("UPDATE patients SET state = 'WA' WHERE id = '%s'" % cls.altered_state)
        daemon.sql("UPDATE patients SET given_name_enc = family_name_enc WHERE id = '%s'"
                   % cls.altered_field)

    def demographics(self, patient_id):
        return self.daemon.get("/api/v1/patients/%s/demographics" % patient_id,
                               token=self.front_desk.token)

    def failed_reads(self, patient_id):
        return self.daemon.sql(
            "SELECT action, resource_type, outcome, actor_user_id FROM audit_events WHERE "
            "patient_id = '%s' AND outcome = 'error' ORDER BY seq" % patient_id)

    def test_clean_database_checks_out(self):
        self.assertEqual(self.clean_result.returncode, 0, self.clean_result.stderr)
        report = self.clean_report
        self.assertTrue(report["ok"])
        self.assertEqual(report["failures"], [])
        tables = {t["table"]: t for t in report["tables"]}
        self.assertEqual(set(tables), {"patients", "users", "emergency_grants", "sessions",
                                       "roles", "outbox_messages", "calendar_entries",
                                       "conversations", "messages", "documents",
                                       "visit_invitations"})
        self.assertGreaterEqual(tables["roles"]["rows_checked"], 7)
        self.assertGreaterEqual(tables["sessions"]["rows_checked"], 1)
        self.assertEqual(tables["patients"]["rows_checked"], 4)
        self.assertGreaterEqual(tables["users"]["rows_checked"], 2)
        self.assertEqual(report["rows_checked"], sum(t["rows_checked"] for t in tables.values()))
        self.assertEqual(self.clean_events, [("success", "")])

    def test_check_reports_exactly_the_altered_rows_and_exits_65(self):
        result, report = self.daemon.thctl_json("integrity", "check")

        self.assertEqual(result.returncode, EXIT_DATA_ERROR, result.stderr)
        self.assertFalse(report["ok"])
        failures = {f["row_id"]: f for f in report["failures"]}
        self.assertEqual(set(failures), {self.altered_state, self.altered_field})
        self.assertEqual(failures[self.altered_state],
                         {"table": "patients", "row_id": self.altered_state,
                          "problems": ["integrity tag does not match"]})
        problems = failures[self.altered_field]["problems"]
        self.assertEqual(problems[0], "integrity tag does not match")
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("'patients.given_name'", problems[1])
        patients = [t for t in report["tables"] if t["table"] == "patients"][0]
        self.assertEqual((patients["rows_checked"], patients["rows_failed"]), (4, 2))
        self.assertIn("thctl: error: integrity check failed: 2 record(s)", result.stderr)

    def test_table_and_csv_name_tables_rows_and_problems_without_values(self):
        table = self.daemon.thctl("integrity", "check")
        as_csv = self.daemon.thctl("--output", "csv", "integrity", "check")
        quiet = self.daemon.thctl("--quiet", "integrity", "check")

        self.assertEqual(table.returncode, EXIT_DATA_ERROR)
        self.assertIn("rows checked", table.stdout)
        self.assertIn(self.altered_state, table.stdout)
        self.assertEqual(as_csv.returncode, EXIT_DATA_ERROR)
        rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
        self.assertEqual(len(rows), 3)
        self.assertEqual({r["row_id"] for r in rows}, {self.altered_state, self.altered_field})
        self.assertEqual({r["table"] for r in rows}, {"patients"})
        self.assertEqual((quiet.returncode, quiet.stdout), (EXIT_DATA_ERROR, ""))
        for output in (table.stdout, table.stderr, as_csv.stdout):
            for value in (GIVEN_NAME, FAMILY_NAME, PHONE, ADDRESS, "WA", "v1."):
                self.assertNotIn(value, output)

    def test_each_failed_check_is_audited_with_the_rows_it_found(self):
        before = len(check_events(self.daemon))

        self.assertEqual(self.daemon.thctl("integrity", "check").returncode, EXIT_DATA_ERROR)

        events = check_events(self.daemon)
        self.assertEqual(len(events), before + 1)
        outcome, reason = events[-1]
        self.assertEqual(outcome, "error")
        self.assertIn("2 record(s) failed", reason)
        self.assertIn("patients/" + self.altered_state, reason)
        self.assertIn("patients/" + self.altered_field, reason)

    def test_reading_an_altered_record_fails_with_data_loss_and_is_audited(self):
        for patient_id in (self.altered_state, self.altered_field):
            with self.subTest(patient=patient_id):
                reply = self.demographics(patient_id)

                self.assertEqual(reply.status, 500, reply.body)
                error = reply.json()["error"]
                self.assertEqual(error["code"], "data_loss")
                self.assertIn("integrity check", error["message"])
                for value in (GIVEN_NAME, FAMILY_NAME, PHONE, ADDRESS):
                    self.assertNotIn(value.encode(), reply.body)
                self.assertIn("read|patient_demographics|error|" + self.front_desk.id,
                              self.failed_reads(patient_id))

    def test_read_by_mrn_of_an_altered_record_is_audited_under_its_id(self):
        # A record of its own, removed again so the other tests see two.
        created = fx.create_patient(self.daemon, given_name=GIVEN_NAME)
        self.daemon.sql("UPDATE patients SET sex_enc = phone_enc WHERE id = '%s'" % created["id"])
        self.addCleanup(self.daemon.sql, "DELETE FROM patients WHERE id = '%s'" % created["id"])

        reply = self.demographics(created["mrn"])

        self.assertEqual(reply.status, 500, reply.body)
        self.assertEqual(reply.json()["error"]["code"], "data_loss")
        self.assertEqual(self.failed_reads(created["id"]),
                         ["read|patient_demographics|error|" + self.front_desk.id])

    def test_other_records_still_read(self):
        for patient_id in (self.patients[0], self.patients[3]):
            with self.subTest(patient=patient_id):
                reply = self.demographics(patient_id)

                self.assertEqual(reply.status, 200, reply.body)
                self.assertEqual(reply.json()["given_name"], GIVEN_NAME)
                self.assertEqual(reply.json()["state"], "OR")

    def test_listing_that_holds_an_altered_record_fails_and_is_audited(self):
        reply = self.daemon.get("/api/v1/patients", token=self.front_desk.token)

        self.assertEqual(reply.status, 500, reply.body)
        self.assertEqual(reply.json()["error"]["code"], "data_loss")
        rows = self.daemon.sql("SELECT outcome FROM audit_events WHERE action = 'search' AND "
                               "resource_type = 'patient_demographics' AND actor_user_id = '%s'"
                               % self.front_desk.id)
        self.assertIn("error", rows)

    def test_thctl_read_of_an_altered_record_exits_65(self):
        with tempfile.NamedTemporaryFile("w", delete=False) as token_file:
            token_file.write(self.front_desk.token)
        self.addCleanup(os.unlink, token_file.name)

        shown = self.daemon.thctl("patient", "show", self.altered_state, remote=True,
                                  token_file=token_file.name)

        self.assertEqual(shown.returncode, EXIT_DATA_ERROR, shown.stderr)
        self.assertIn("integrity check", shown.stderr)

    def test_compliance_officer_checks_over_https_and_front_desk_may_not(self):
        outcomes = {}
        for who, account in (("compliance", self.compliance), ("front_desk", self.front_desk)):
            with tempfile.NamedTemporaryFile("w", delete=False) as token_file:
                token_file.write(account.token)
            self.addCleanup(os.unlink, token_file.name)
            outcomes[who] = self.daemon.thctl("integrity", "check", remote=True,
                                              token_file=token_file.name)

        self.assertEqual(outcomes["compliance"].returncode, EXIT_DATA_ERROR,
                         outcomes["compliance"].stderr)
        self.assertEqual(outcomes["front_desk"].returncode, EXIT_NO_PERMISSION)


class AlteredAccountTest(fx.AccessTestCase):
    """One daemon: a user whose role is raised and an emergency grant whose
    expiry is pushed out, both in the database."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        daemon = cls.daemon
        cls.billing = fx.create_account(daemon, "billing", mfa=False)
        cls.clinician = fx.create_account(daemon, "clinician")
        cls.patient = fx.create_patient(daemon)["id"]
        cls.grant = fx.expect(daemon.post(
            "/api/v1/patients/%s/emergency-access" % cls.patient,
            {"reason": "unresponsive on arrival, no next of kin reachable",
             "mfa_code": cls.clinician.recovery_codes.pop()},
            token=cls.clinician.token), 201, "open a grant").json()["id"]

        daemon.sql("UPDATE users SET role = 'admin' WHERE id = '%s'" % cls.billing.id)
        daemon.sql("UPDATE emergency_grants SET expires_at = expires_at + 86400000000 "
                   "WHERE id = '%s'" % cls.grant)

    def test_check_names_the_altered_user_and_grant_and_exits_65(self):
        result, report = self.daemon.thctl_json("integrity", "check")

        self.assertEqual(result.returncode, EXIT_DATA_ERROR, result.stderr)
        failures = {(f["table"], f["row_id"]): f["problems"] for f in report["failures"]}
        self.assertEqual(failures, {("users", self.billing.id): ["integrity tag does not match"],
                                    ("emergency_grants", self.grant):
                                        ["integrity tag does not match"]})

    def test_signing_in_as_the_altered_user_fails_and_is_audited(self):
        reply = fx.login(self.daemon, self.billing.username, self.billing.password)

        self.assertEqual(reply.status, 500, reply.body)
        self.assertEqual(reply.json()["error"]["code"], "data_loss")
        self.assertIn("integrity check", reply.json()["error"]["message"])
        rows = self.daemon.sql("SELECT resource_id, outcome FROM audit_events WHERE "
                               "action = 'login' AND outcome = 'error'")
        self.assertIn("%s|error" % self.billing.id, rows)

    def test_record_behind_the_altered_grant_is_not_opened_and_the_read_is_audited(self):
        reply = self.daemon.get("/api/v1/patients/" + self.patient, token=self.clinician.token)

        self.assertEqual(reply.status, 500, reply.body)
        self.assertEqual(reply.json()["error"]["code"], "data_loss")
        rows = self.daemon.sql("SELECT action, outcome FROM audit_events WHERE patient_id = '%s' "
                               "AND actor_user_id = '%s' AND outcome = 'error'"
                               % (self.patient, self.clinician.id))
        self.assertIn("read|error", rows)


class BackfillTest(fx.AccessTestCase):
    """A database whose users, grants, sessions and roles hold no tags yet,
    as one migrated from before them would: the next start tags them, once,
    and audits it."""

    def test_rows_without_tags_are_tagged_at_the_next_start_and_only_once(self):
        daemon = self.daemon
        account = fx.create_account(daemon, "billing", mfa=False)
        earlier = fx.login(daemon, account.username, account.password)
        daemon.stop()
        for table in ("users", "emergency_grants", "sessions", "roles"):
            daemon.sql("UPDATE %s SET integrity_tag = ''" % table)
        daemon.sql("UPDATE integrity_backfills SET done_at = 0")
        users = int(daemon.sql("SELECT COUNT(*) FROM users")[0])
        sessions = int(daemon.sql("SELECT COUNT(*) FROM sessions")[0])
        roles = int(daemon.sql("SELECT COUNT(*) FROM roles")[0])

        daemon.start()
        signed_in = fx.login(daemon, account.username, account.password)
        daemon.stop()
        daemon.start()
        result, report = daemon.thctl_json("integrity", "check")

        self.assertStatus(signed_in, 200)
        self.assertGreaterEqual(sessions, 1)
        self.assertGreaterEqual(roles, 7)
        # A session from before the tags still works once it has its own.
        self.assertStatus(daemon.get("/api/v1/me", token=earlier.json()["token"]), 200)
        self.assertEqual(result.returncode, 0, report["failures"])
        events = daemon.sql("SELECT outcome, body FROM audit_events WHERE "
                            "resource_type = 'integrity_tags' ORDER BY seq")
        reasons = [(row.split("|", 1)[0], json.loads(row.split("|", 1)[1])["reason"])
                   for row in events]
        self.assertEqual(len(reasons), 2, reasons)
        self.assertIn("tagged 0 user(s)", reasons[0][1])
        self.assertEqual(reasons[1], ("success", "tagged %d user(s), 0 emergency grant(s), "
                                                 "%d session(s) or token(s) and %d role(s) "
                                                 "written before rows carried integrity tags"
                                      % (users, sessions, roles)))


if __name__ == "__main__":
    harness.main()
