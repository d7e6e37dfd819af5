"""Reading the audit trail back: searches with filters and pages, the access,
user, emergency and failed-login reports, and streamed exports in CSV, NDJSON
and FHIR, over HTTPS and through thctl. Every search, report and export must
itself appear in the trail, and none may answer when that record fails.

The activity searched for is made by real sign-ins and patient reads: a
clinician reads a patient on their care team, is refused another, mistypes a
password; a second clinician opens emergency access to that other patient
and reads the record under it. Everything is read back as a compliance
officer, who holds "audit.read" (the local operator does not).
"""

import csv
import http.client
import io
import json
import os
import time

import access_fixtures as fx
import harness

FHIR_REQUIRED = ("resourceType", "type", "recorded", "outcome", "agent", "source", "entity")


def rfc3339(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


class AuditQueryTestCase(fx.AccessTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        daemon = cls.daemon
        cls.started = time.time() - 2
        cls.officer = fx.create_account(daemon, "compliance_officer")
        cls.clinician = fx.create_account(daemon, "clinician")
        cls.covering = fx.create_account(daemon, "clinician")
        cls.own_patient = fx.create_patient(daemon)["id"]
        cls.other_patient = fx.create_patient(daemon)["id"]
        fx.add_to_care_team(daemon, cls.own_patient, cls.clinician.id)

        fx.expect(cls.read(cls.clinician, cls.own_patient), 200, "read own patient")
        fx.expect(cls.read(cls.clinician, cls.other_patient), 404, "read other patient")
        fx.expect(fx.login(daemon, cls.clinician.username, cls.clinician.password + "x"), 401,
                  "wrong password")
        fx.expect(fx.login(daemon, fx.unique("nobody-"), fx.strong_password()), 401,
                  "unknown user")
        grant = fx.expect(daemon.post(
            "/api/v1/patients/%s/emergency-access" % cls.other_patient,
            {"reason": "covering an urgent consult overnight",
             "mfa_code": cls.covering.authenticator.next_code()},
            token=cls.covering.token), 201, "open emergency access").json()
        cls.grant_id = grant["id"]
        fx.expect(cls.read(cls.covering, cls.other_patient), 200, "read under emergency access")

        cls.token_file = os.path.join(daemon.dir, "officer.token")
        with open(cls.token_file, "w") as out:
            out.write(cls.officer.token + "\n")
        os.chmod(cls.token_file, 0o600)

    @classmethod
    def read(cls, account, patient):
        return cls.daemon.get("/api/v1/patients/%s" % patient, token=account.token)

    def audit_get(self, path, status=200):
        reply = self.daemon.get(path, token=self.officer.token)
        self.assertStatus(reply, status, path)
        return reply

    def search(self, query):
        return self.audit_get("/api/v1/audit/events?" + query).json()

    def thctl(self, *args):
        return self.daemon.thctl(*args, remote=True, token_file=self.token_file)

    def own_events(self, request_id):
        """The compliance officer's events of one request (by its id)."""
        items = self.search("user=%s&resource=audit_event&limit=1000" % self.officer.id)["items"]
        return [item for item in items if item["request_id"] == request_id]


class SearchTest(AuditQueryTestCase):

    def test_user_filter_returns_only_that_users_events(self):
        items = self.search("user=" + self.clinician.id)["items"]

        self.assertTrue(items)
        self.assertEqual({item["actor_user_id"] for item in items}, {self.clinician.id})
        self.assertIn(("read", self.own_patient, "success"),
                      {(i["action"], i["patient_id"], i["outcome"]) for i in items})

    def test_patient_filter_finds_reads_and_listings_naming_the_patient(self):
        items = self.search("patient=" + self.own_patient)["items"]

        self.assertTrue(items)
        for item in items:
            self.assertTrue(item["patient_id"] == self.own_patient
                            or self.own_patient in item["patient_ids"], item)
        self.assertIn((self.clinician.id, "read"),
                      {(i["actor_user_id"], i["action"]) for i in items})

    def test_action_and_outcome_filters_combine(self):
        items = self.search("action=read&outcome=denied")["items"]

        self.assertTrue(items)
        self.assertEqual({(i["action"], i["outcome"]) for i in items}, {("read", "denied")})
        self.assertIn((self.clinician.id, self.other_patient),
                      {(i["actor_user_id"], i["patient_id"]) for i in items})

    def test_resource_filter(self):
        items = self.search("resource=patient_record&user=" + self.clinician.id)["items"]

        self.assertTrue(items)
        self.assertEqual({i["resource_type"] for i in items}, {"patient_record"})

    def test_time_filters_accept_rfc3339_and_dates(self):
        future = self.search("from=" + rfc3339(time.time() + 3600))["items"]
        past = self.search("to=" + rfc3339(self.started - 3600))["items"]
        window = self.search("user=%s&from=%s&to=%s" % (
            self.clinician.id, rfc3339(self.started), rfc3339(time.time() + 60)))["items"]
        today = time.strftime("%Y-%m-%d", time.gmtime())
        dated = self.search("user=%s&from=%s&to=%s" % (
            self.clinician.id, "2000-01-01", today))["items"]

        self.assertEqual(future, [])
        self.assertEqual(past, [])
        self.assertTrue(window)
        self.assertEqual([i["seq"] for i in dated], [i["seq"] for i in window])

    def test_emergency_filter_keeps_break_glass_access(self):
        items = self.search("emergency=true")["items"]

        self.assertTrue(items)
        self.assertTrue(all(i["emergency"] for i in items))
        self.assertIn((self.covering.id, "read", self.other_patient),
                      {(i["actor_user_id"], i["action"], i["patient_id"]) for i in items})

    def test_pages_cover_every_event_once(self):
        query = "user=%s" % self.clinician.id
        whole = [i["seq"] for i in self.search(query + "&limit=1000")["items"]]

        paged, after, pages = [], None, 0
        while True:
            page = self.search(query + "&limit=2" + ("&after=" + after if after else ""))
            self.assertLessEqual(len(page["items"]), 2)
            paged += [i["seq"] for i in page["items"]]
            pages += 1
            after = page["next"]
            if after is None:
                break

        self.assertGreater(pages, 1)
        self.assertEqual(paged, whole)
        self.assertEqual(len(set(paged)), len(paged))
        self.assertEqual(paged, sorted(paged))

    def test_limit_defaults_to_100_and_refuses_more_than_1000(self):
        self.audit_get("/api/v1/audit/events?limit=1001", status=400)
        self.audit_get("/api/v1/audit/events?limit=0", status=400)
        self.audit_get("/api/v1/audit/events?from=yesterday", status=400)
        self.audit_get("/api/v1/audit/events?outcome=maybe", status=400)
        self.assertLessEqual(len(self.search("")["items"]), 100)

    def test_events_carry_the_whole_record(self):
        item = [i for i in self.search("user=%s&action=read&outcome=success"
                                       % self.clinician.id)["items"]][0]

        for field in ("id", "occurred_at", "actor_kind", "actor_role", "session_id",
                      "source_address", "user_agent", "resource_id", "reason", "request_id",
                      "node"):
            self.assertIn(field, item)
        self.assertEqual(item["actor_role"], "clinician")
        self.assertEqual(item["node"], "test-node")
        self.assertTrue(item["source_address"].startswith("127.0.0.1"))

    def test_each_search_is_audited_with_its_filters(self):
        marker = fx.unique("marker")
        reply = self.audit_get("/api/v1/audit/events?action=" + marker)

        events = self.own_events(reply.header("X-Request-Id"))

        self.assertEqual(len(events), 1, events)
        self.assertEqual(events[0]["action"], "search")
        self.assertEqual(events[0]["resource_type"], "audit_event")
        self.assertEqual(events[0]["outcome"], "success")
        self.assertIn("action=" + marker, events[0]["reason"])

    def test_audit_search_names_the_patients_it_revealed(self):
        reply = self.audit_get("/api/v1/audit/events?user=" + self.clinician.id)

        event = self.own_events(reply.header("X-Request-Id"))[0]

        self.assertIn(self.own_patient, event["patient_ids"])
        self.assertIn(self.other_patient, event["patient_ids"])

    def test_only_audit_readers_may_search(self):
        clinician = self.daemon.get("/api/v1/audit/events", token=self.clinician.token)
        operator = self.daemon.admin("GET", "/api/v1/audit/events")
        anonymous = self.daemon.get("/api/v1/audit/events")

        self.assertStatus(clinician, 403)
        self.assertStatus(operator, 403)
        self.assertStatus(anonymous, 401)


class ReportTest(AuditQueryTestCase):

    def test_access_report_lists_the_clinicians_read(self):
        report = self.audit_get("/api/v1/audit/reports/access?patient=" + self.own_patient).json()

        self.assertEqual(report["patient_id"], self.own_patient)
        reads = [i for i in report["items"]
                 if i["actor_user_id"] == self.clinician.id and i["action"] == "read"]
        self.assertTrue(reads, report)
        self.assertEqual(reads[0]["actor_role"], "clinician")
        self.assertEqual(reads[0]["outcome"], "success")
        self.assertFalse(reads[0]["emergency"])
        summary = [row for row in report["summary"]
                   if row["actor_user_id"] == self.clinician.id and row["action"] == "read"]
        self.assertEqual(summary[0]["count"], len(reads))

    def test_access_report_needs_a_patient(self):
        self.audit_get("/api/v1/audit/reports/access", status=400)

    def test_user_report_summarises_one_persons_activity(self):
        report = self.audit_get("/api/v1/audit/reports/user?user=" + self.clinician.id).json()

        self.assertEqual({i["actor_user_id"] for i in report["items"]}, {self.clinician.id})
        grouped = {(row["action"], row["resource_type"], row["outcome"]): row["count"]
                   for row in report["summary"]}
        self.assertGreaterEqual(grouped.get(("read", "patient_record", "success"), 0), 1)
        self.assertGreaterEqual(grouped.get(("read", "patient_record", "denied"), 0), 1)

    def test_emergency_report_joins_grant_review_and_use(self):
        report = self.audit_get("/api/v1/audit/reports/emergency").json()

        grants = [g for g in report["items"] if g["id"] == self.grant_id]
        self.assertEqual(len(grants), 1, report)
        grant = grants[0]
        self.assertEqual(grant["user_id"], self.covering.id)
        self.assertEqual(grant["patient_id"], self.other_patient)
        self.assertEqual(grant["review_state"], "pending")
        self.assertEqual(grant["access_count"], 1)
        self.assertEqual(grant["accesses"][0]["action"], "read")
        self.assertGreaterEqual(report["pending_review"], 1)

    def test_failed_logins_are_grouped_by_user_and_source(self):
        report = self.audit_get("/api/v1/audit/reports/failed-logins").json()

        mine = [row for row in report["items"] if row["actor_user_id"] == self.clinician.id]
        self.assertEqual(len(mine), 1, report)
        self.assertGreaterEqual(mine[0]["count"], 1)
        self.assertIn("wrong password", mine[0]["reasons"])
        self.assertTrue(mine[0]["source_address"].startswith("127.0.0.1"))
        unknown = [row for row in report["items"] if row["actor_user_id"] == ""]
        self.assertTrue(unknown and "unknown username" in unknown[0]["reasons"], report)
        self.assertEqual(report["total"], sum(row["count"] for row in report["items"]))

    def test_failed_logins_honour_the_interval(self):
        later = self.audit_get("/api/v1/audit/reports/failed-logins?from="
                               + rfc3339(time.time() + 3600)).json()

        self.assertEqual(later["items"], [])

    def test_each_report_is_audited(self):
        for path in ("/api/v1/audit/reports/access?patient=" + self.own_patient,
                     "/api/v1/audit/reports/user?user=" + self.clinician.id,
                     "/api/v1/audit/reports/emergency",
                     "/api/v1/audit/reports/failed-logins"):
            reply = self.audit_get(path)

            events = self.own_events(reply.header("X-Request-Id"))

            self.assertEqual([e["action"] for e in events], ["report"], path)
        access = self.audit_get("/api/v1/audit/reports/access?patient=" + self.own_patient)
        self.assertEqual(self.own_events(access.header("X-Request-Id"))[0]["patient_id"],
                         self.own_patient)


class ExportTest(AuditQueryTestCase):

    def export(self, query):
        reply = self.audit_get("/api/v1/audit/export?" + query)
        self.assertEqual((reply.header("Transfer-Encoding") or "").lower(), "chunked")
        return reply, int(reply.header("X-Audit-Event-Count"))

    def events_through(self, reply):
        through = int(reply.header("X-Audit-Through-Seq"))
        return int(self.daemon.sql("SELECT COUNT(*) FROM audit_events WHERE seq <= %d"
                                   % through)[0])

    def test_ndjson_has_one_line_per_event_of_the_snapshot(self):
        reply, announced = self.export("format=ndjson")

        lines = reply.body.decode().splitlines()
        self.assertEqual(len(lines), announced)
        self.assertEqual(len(lines), self.events_through(reply))
        events = [json.loads(line) for line in lines]
        self.assertEqual(len({e["id"] for e in events}), len(events))
        self.assertIn((self.clinician.id, "read", self.own_patient),
                      {(e["actor_user_id"], e["action"], e["patient_id"]) for e in events})

    def test_fhir_lines_are_r4_audit_events(self):
        reply, announced = self.export("format=fhir")

        lines = reply.body.decode().splitlines()
        self.assertEqual(len(lines), announced)
        for line in lines:
            resource = json.loads(line)
            for field in FHIR_REQUIRED:
                self.assertIn(field, resource, line)
            self.assertEqual(resource["resourceType"], "AuditEvent")
            self.assertTrue(all(agent["requestor"] is True for agent in resource["agent"]))
            self.assertIn("observer", resource["source"])
            self.assertTrue(resource["entity"])
        patients = {entity["what"].get("reference") for line in lines
                    for entity in json.loads(line)["entity"]}
        self.assertIn("Patient/" + self.own_patient, patients)

    def test_csv_parses_with_one_row_per_event(self):
        reply, announced = self.export("format=csv")

        rows = list(csv.DictReader(io.StringIO(reply.body.decode(), newline="")))
        self.assertEqual(len(rows), announced)
        self.assertEqual(len(rows), self.events_through(reply))
        self.assertIn((self.clinician.id, "read", self.own_patient),
                      {(r["actor_user_id"], r["action"], r["patient_id"]) for r in rows})

    def test_filters_and_interval_narrow_the_export(self):
        reply, announced = self.export("format=ndjson&user=%s&from=%s" % (
            self.clinician.id, rfc3339(self.started)))

        events = [json.loads(line) for line in reply.body.decode().splitlines()]
        self.assertEqual(len(events), announced)
        self.assertTrue(events)
        self.assertEqual({e["actor_user_id"] for e in events}, {self.clinician.id})

    def test_each_export_is_audited_before_it_streams(self):
        reply, _ = self.export("format=csv&action=read")

        events = self.own_events(reply.header("X-Request-Id"))

        self.assertEqual(len(events), 1, events)
        self.assertEqual(events[0]["action"], "export")
        self.assertEqual(events[0]["resource_id"], "csv")
        self.assertIn("action=read", events[0]["reason"])
        self.assertIn("through=" + reply.header("X-Audit-Through-Seq"), events[0]["reason"])

    def test_unknown_format_is_refused(self):
        self.audit_get("/api/v1/audit/export?format=xml", status=400)


class ThctlTest(AuditQueryTestCase):

    def run_json(self, *args):
        result = self.thctl("--output", "json", *args)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def test_search_prints_events_as_json(self):
        events = self.run_json("audit", "search", "--user", self.clinician.id)

        self.assertTrue(events)
        self.assertEqual({e["actor_user_id"] for e in events}, {self.clinician.id})

    def test_search_all_follows_every_page(self):
        one_page = self.run_json("audit", "search", "--user", self.clinician.id, "--limit", "1000")
        followed = self.run_json("audit", "search", "--user", self.clinician.id, "--limit", "1",
                                 "--all")

        self.assertEqual([e["seq"] for e in followed], [e["seq"] for e in one_page])

    def test_search_without_all_notes_the_next_cursor(self):
        result = self.thctl("audit", "search", "--user", self.clinician.id, "--limit", "1")

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("--after", result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), 2, result.stdout)  # the headings and one event
        self.assertIn(self.clinician.id, lines[1])

    def test_search_filters_as_csv(self):
        result = self.thctl("--output", "csv", "audit", "search", "--action", "read",
                            "--outcome", "denied")

        self.assertEqual(result.returncode, 0, result.stderr)
        rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
        self.assertTrue(rows)
        self.assertEqual({(r["action"], r["outcome"]) for r in rows}, {("read", "denied")})

    def test_report_access_table_names_the_clinician(self):
        result = self.thctl("audit", "report", "access", "--patient", self.own_patient)

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(self.clinician.id, result.stdout)
        self.assertIn("clinician", result.stdout)

    def test_report_user_and_emergency_and_failed_logins(self):
        user = self.run_json("audit", "report", "user", "--user", self.clinician.id)
        emergency = self.run_json("audit", "report", "emergency")
        failed = self.run_json("audit", "report", "failed-logins")

        self.assertEqual(user["user_id"], self.clinician.id)
        self.assertIn(self.grant_id, [g["id"] for g in emergency["items"]])
        self.assertIn(self.clinician.id, [row["actor_user_id"] for row in failed["items"]])

    def test_export_to_a_file_in_each_format(self):
        for fmt in ("csv", "ndjson", "fhir"):
            path = os.path.join(self.daemon.dir, "export." + fmt)
            result = self.thctl("audit", "export", "--format", fmt, "--out", path)

            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertFalse(os.path.exists(path + ".partial"))
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
            with open(path, newline="") as exported:
                text = exported.read()
            if fmt == "csv":
                self.assertTrue(list(csv.DictReader(io.StringIO(text, newline=""))))
            else:
                lines = text.splitlines()
                self.assertTrue(lines)
                for line in lines:
                    json.loads(line)

    def test_export_streams_to_standard_output(self):
        result = self.thctl("audit", "export", "--format", "fhir", "--from",
                            rfc3339(self.started), "--user", self.clinician.id)

        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertTrue(lines)
        self.assertTrue(all(json.loads(line)["resourceType"] == "AuditEvent" for line in lines))

    def test_operator_socket_lacks_audit_read(self):
        result = self.daemon.thctl("audit", "search")

        self.assertNotEqual(result.returncode, 0)
        self.assertIn("audit.read", result.stderr)


class FailClosedTest(AuditQueryTestCase):
    """When the auditor's own event cannot be recorded, nothing is answered."""

    def setUp(self):
        if harness.BACKEND == "postgresql":
            self.daemon.sql(
                "CREATE FUNCTION refuse_audit_reads() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN IF NEW.resource_type = 'audit_event' THEN "
                "RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$")
            self.daemon.sql(
                "CREATE TRIGGER refuse_audit_reads BEFORE INSERT ON audit_events "
                "FOR EACH ROW EXECUTE FUNCTION refuse_audit_reads()")
        else:
            self.daemon.sql(
                "CREATE TRIGGER refuse_audit_reads BEFORE INSERT ON audit_events "
                "WHEN NEW.resource_type = 'audit_event' "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")

    def tearDown(self):
        self.daemon.sql("DROP TRIGGER refuse_audit_reads" +
                        (" ON audit_events" if harness.BACKEND == "postgresql" else ""))
        if harness.BACKEND == "postgresql":
            self.daemon.sql("DROP FUNCTION refuse_audit_reads()")

    def test_search_report_and_export_answer_nothing(self):
        for path in ("/api/v1/audit/events?user=" + self.clinician.id,
                     "/api/v1/audit/reports/access?patient=" + self.own_patient,
                     "/api/v1/audit/export?format=ndjson"):
            reply = self.daemon.get(path, token=self.officer.token)

            self.assertGreaterEqual(reply.status, 400, path)
            self.assertNotIn(self.clinician.id.encode(), reply.body, path)


class CutShortExportTest(AuditQueryTestCase):
    """An export that fails after its headers went out must not look complete:
    the connection ends without the final chunk, and thctl says so instead of
    leaving a short file. A stored row that does not decode stands in for a
    database failure midway. It takes the next position, so that the log
    itself goes on appending."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.daemon.sql(
            "INSERT INTO audit_events (seq, id, occurred_at, actor_user_id, actor_role, action, "
            "resource_type, resource_id, patient_id, outcome, emergency, request_id, node, body, "
            "leaf_hash) SELECT MAX(seq) + 1, 'undecodable', 0, '', '', 'read', 'test', '', '', "
            "'success', 0, '', '', 'not json', '%s' FROM audit_events" % ("00" * 32))

    def test_http_client_sees_the_body_cut_short(self):
        with self.assertRaises(http.client.IncompleteRead):
            self.daemon.get("/api/v1/audit/export?format=ndjson", token=self.officer.token)

    def test_thctl_fails_and_leaves_no_file(self):
        path = os.path.join(self.daemon.dir, "short.ndjson")

        result = self.thctl("audit", "export", "--format", "ndjson", "--out", path)

        self.assertNotEqual(result.returncode, 0)
        self.assertIn("cut short", result.stderr)
        self.assertFalse(os.path.exists(path))
        self.assertFalse(os.path.exists(path + ".partial"))


if __name__ == "__main__":
    harness.main()
