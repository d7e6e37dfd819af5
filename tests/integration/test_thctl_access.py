#!/usr/bin/env python3
"""thctl's access-control commands, end to end against a real daemon.

A fresh daemon is taken from nothing to an administrator, a clinician with
MFA and a patient using only thctl (over the admin socket and over HTTPS
with a token) and the HTTPS sign-in API, the way an operator would set up a
clinic. The tests then check what each command promises: output formats
that parse, all-or-nothing CSV import, revocation that takes effect at once,
separation of duties for the local operator, and exit codes.

Runs on SQLite by default and on PostgreSQL with TH_TEST_BACKEND=postgresql.
"""

import base64
import csv
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import struct
import tempfile
import time

import harness

PASSWORD = "correct horse battery staple"


def totp(secret_b32, offset_steps=0):
    """RFC 6238 TOTP (SHA-1, 6 digits, 30 s steps), offset_steps steps from now."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int(time.time() // 30) + offset_steps
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1000000)


class ThctlAccessTest(harness.DaemonTestCase):
    """One clinic, set up in setUpClass; each test checks one promise of a command."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scratch = tempfile.mkdtemp(prefix="th-access-")
        cls.admin_token = cls.provision_administrator()
        cls.service_token_file = cls.provision_service_token("svc", "admin")
        cls.clinician_id, cls.clinician_token, cls.clinician_recovery = cls.provision_clinician()
        cls.patient_id, cls.patient_user_token = cls.provision_patient()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch, ignore_errors=True)
        super().tearDownClass()

    # -- set-up steps, each done as an operator would --

    @classmethod
    def local(cls, *args):
        """thctl over the admin socket; fails the set-up unless it succeeds."""
        result = cls.daemon.thctl(*args)
        if result.returncode != 0:
            raise AssertionError("thctl %s: exit %d\n%s" % (" ".join(args), result.returncode,
                                                            result.stderr))
        return result

    @classmethod
    def local_json(cls, *args):
        return json.loads(cls.local("--output", "json", *args).stdout)

    @classmethod
    def sign_in(cls, username, otp_code=None):
        body = {"username": username, "password": PASSWORD}
        if otp_code:
            body["otp_code"] = otp_code
        reply = cls.daemon.post("/api/v1/auth/login", body)
        if reply.status != 200:
            raise AssertionError("login of %s: %d %s" % (username, reply.status, reply.body))
        return reply.json()

    @classmethod
    def create_and_enrol(cls, *create_args):
        """Creates a user with thctl and redeems their enrolment code; returns the user."""
        user = cls.local_json("user", "create", *create_args)
        reply = cls.daemon.post("/api/v1/auth/enrol", {
            "username": user["username"], "code": user["enrolment_code"], "password": PASSWORD})
        if reply.status != 200:
            raise AssertionError("enrol %s: %d %s" % (user["username"], reply.status, reply.body))
        return user

    @classmethod
    def enrol_mfa(cls, username):
        """Signs in, enrols TOTP and signs in again with a code; returns (login, recovery codes)."""
        first = cls.sign_in(username)
        assert first["mfa_enrolment_required"], first
        begun = cls.daemon.post("/api/v1/auth/mfa/enrol", token=first["token"]).json()
        confirmed = cls.daemon.post("/api/v1/auth/mfa/confirm", {"code": totp(begun["secret"])},
                                    token=first["token"])
        if confirmed.status != 200:
            raise AssertionError("MFA confirm of %s: %s" % (username, confirmed.body))
        # Codes are single-use, and the daemon accepts the next step's code
        # too: signing in with it needs no wait for the clock to move on.
        login = cls.sign_in(username, totp(begun["secret"], 1))
        return login, confirmed.json()["recovery_codes"]

    @classmethod
    def provision_administrator(cls):
        cls.create_and_enrol("--username", "alice", "--role", "admin", "--email",
                             "alice@example.org")
        login, _ = cls.enrol_mfa("alice")
        return login["token"]

    @classmethod
    def provision_service_token(cls, username, role):
        cls.local("user", "create", "--username", username, "--role", role, "--kind", "service")
        path = os.path.join(cls.scratch, username + ".token")
        result = cls.local("--quiet", "token", "create", "--user", username, "--name", "tests")
        with open(path, "w") as out:
            out.write(result.stdout)
        os.chmod(path, 0o600)
        return path

    @classmethod
    def provision_clinician(cls):
        user = cls.create_and_enrol("--username", "dr.chen", "--role", "clinician")
        login, recovery = cls.enrol_mfa("dr.chen")
        return user["id"], login["token"], recovery

    @classmethod
    def provision_patient(cls):
        patient = cls.local_json("patient", "create", "--mrn", "MRN-1001", "--given-name", "Ana",
                                 "--family-name", "Ruiz", "--birth-date", "1980-04-02",
                                 "--sex", "female", "--state", "CA", "--phone", "555-0100")
        cls.create_and_enrol("--username", "ana.ruiz", "--role", "patient", "--patient",
                             "MRN-1001")
        cls.local("careteam", "add", "--patient", "MRN-1001", "--user", "dr.chen")
        return patient["id"], cls.sign_in("ana.ruiz")["token"]

    # -- helpers --

    def remote(self, *args, token_file=None):
        return self.daemon.thctl(*args, remote=True,
                                 token_file=token_file or self.service_token_file)

    def write_file(self, name, text):
        path = os.path.join(self.scratch, name)
        with open(path, "w") as out:
            out.write(text)
        return path

    def assert_exit(self, result, code):
        self.assertEqual(result.returncode, code,
                         "stdout:\n%s\nstderr:\n%s" % (result.stdout, result.stderr))

    def usernames(self):
        return {user["username"] for user in self.local_json("user", "list")}

    # -- the administrator and the service token --

    def test_administrator_holds_mfa_and_manages_users_over_https(self):
        me = self.daemon.get("/api/v1/me", token=self.admin_token).json()
        users = self.daemon.get("/api/v1/users", token=self.admin_token)

        self.assertEqual(me["role"], "admin")
        self.assertFalse(me["mfa_enrolment_required"])
        self.assertTrue(self.local_json("user", "show", "alice")["mfa_enabled"])
        self.assertEqual(users.status, 200, users.body)

    def test_user_create_table_shows_the_enrolment_code_once(self):
        result = self.daemon.thctl("user", "create", "--username", "carol", "--role", "nurse")

        self.assert_exit(result, 0)
        codes = re.findall(r"^enrolment code \(shown once\): (\S+)$", result.stdout, re.MULTILINE)
        self.assertEqual(len(codes), 1, result.stdout)
        self.assertNotIn(codes[0], self.local("user", "show", "carol").stdout)
        self.assertEqual(self.daemon.post("/api/v1/auth/enrol", {
            "username": "carol", "code": codes[0], "password": PASSWORD}).status, 200)

    def test_status_over_https_with_the_service_token(self):
        result = self.remote("status")

        self.assert_exit(result, 0)
        self.assertRegex(result.stdout, r"(?m)^version\s+\S")

    def test_user_list_over_https_is_json(self):
        result = self.remote("user", "list", "-o", "json")

        self.assert_exit(result, 0)
        users = {user["username"]: user for user in json.loads(result.stdout)}
        self.assertEqual(users["svc"]["kind"], "service")
        self.assertEqual(users["alice"]["role"], "admin")
        self.assertTrue(users["alice"]["mfa_enabled"])
        self.assertNotIn("enrolment_code", users["alice"])

    def test_token_create_json_holds_the_token_and_csv_parses(self):
        created = self.local_json("token", "create", "--user", "svc", "--name", "json-check",
                                  "--expires-in-days", "1")
        listed = self.local("-o", "csv", "token", "list", "--user", "svc")

        self.assertTrue(created["token"])
        self.assertEqual(created["name"], "json-check")
        self.assert_exit(listed, 0)
        rows = list(csv.DictReader(io.StringIO(listed.stdout)))
        self.assertIn(created["id"], [row["id"] for row in rows])
        self.assertNotIn("token", rows[0])

    def test_revoked_token_fails_at_once(self):
        token_file = self.write_file("short-lived.token", self.local(
            "-q", "token", "create", "--user", "svc", "--name", "to-revoke").stdout)
        self.assert_exit(self.remote("status", token_file=token_file), 0)
        tokens = self.local_json("token", "list", "--user", "svc")
        token_id = next(token["id"] for token in tokens if token["name"] == "to-revoke")

        revoked = self.daemon.thctl("token", "revoke", token_id)
        after = self.remote("status", token_file=token_file)

        self.assert_exit(revoked, 0)
        self.assert_exit(after, 77)
        self.assertTrue(after.stderr.startswith("thctl: error: "), after.stderr)
        self.assertEqual(len(after.stderr.splitlines()), 1, after.stderr)

    # -- clinician, patient and care team --

    def test_careteam_list_shows_the_clinician_in_json_and_csv(self):
        members = self.local_json("careteam", "list", "--patient", "MRN-1001")
        as_csv = self.local("-o", "csv", "careteam", "list", "--patient", self.patient_id)

        self.assertEqual([member["user_id"] for member in members], [self.clinician_id])
        rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
        self.assertEqual([row["user_id"] for row in rows], [self.clinician_id])
        self.assertEqual(rows[0]["patient_id"], self.patient_id)

    def test_clinician_on_the_care_team_reads_the_record(self):
        reply = self.daemon.get("/api/v1/patients/MRN-1001", token=self.clinician_token)

        self.assertEqual(reply.status, 200, reply.body)
        self.assertEqual(reply.json()["patient"]["mrn"], "MRN-1001")

    def test_patient_user_reads_only_their_own_record(self):
        other = self.local_json("patient", "create", "--mrn", "MRN-4004", "--given-name", "Kai",
                                "--family-name", "Berg", "--birth-date", "2001-07-07",
                                "--sex", "unknown", "--state", "WA")

        own = self.daemon.get("/api/v1/patients/" + self.patient_id, token=self.patient_user_token)
        theirs = self.daemon.get("/api/v1/patients/" + other["id"], token=self.patient_user_token)
        users = {user["username"]: user for user in self.local_json("user", "list")}

        self.assertEqual(own.status, 200, own.body)
        self.assertEqual(theirs.status, 404, theirs.body)
        self.assertEqual(users["ana.ruiz"]["kind"], "patient")
        self.assertEqual(users["ana.ruiz"]["patient_id"], self.patient_id)

    def test_careteam_remove_then_add_again(self):
        self.local("patient", "create", "--mrn", "MRN-2002", "--given-name", "Lee",
                   "--family-name", "Park", "--birth-date", "1975-11-30", "--sex", "male",
                   "--state", "NY")
        self.local("careteam", "add", "--patient", "MRN-2002", "--user", "dr.chen")

        removed = self.daemon.thctl("careteam", "remove", "--patient", "MRN-2002", "--user",
                                    "dr.chen")
        again = self.daemon.thctl("careteam", "remove", "--patient", "MRN-2002", "--user",
                                  "dr.chen")

        self.assert_exit(removed, 0)
        self.assertEqual(self.local_json("careteam", "list", "--patient", "MRN-2002"), [])
        self.assert_exit(again, 1)

    def test_patient_user_cannot_be_on_a_care_team(self):
        result = self.daemon.thctl("careteam", "add", "--patient", "MRN-1001", "--user",
                                   "ana.ruiz")

        self.assert_exit(result, 65)

    def test_local_operator_creates_patients_but_cannot_read_them(self):
        shown = self.daemon.thctl("patient", "show", "MRN-1001")
        listed = self.daemon.thctl("patient", "list")

        self.assert_exit(shown, 77)
        self.assert_exit(listed, 77)

    def test_front_desk_token_reads_demographics_over_https(self):
        token_file = self.provision_service_token("desk-kiosk", "front_desk")

        shown = self.remote("-o", "json", "patient", "show", "MRN-1001", token_file=token_file)
        listed = self.remote("-o", "csv", "patient", "list", token_file=token_file)

        self.assert_exit(shown, 0)
        self.assertEqual(json.loads(shown.stdout)["family_name"], "Ruiz")
        self.assert_exit(listed, 0)
        rows = list(csv.DictReader(io.StringIO(listed.stdout)))
        self.assertIn("MRN-1001", [row["mrn"] for row in rows])

    # -- emergency access review --

    def test_emergency_access_is_listed_and_reviewed(self):
        self.local("patient", "create", "--mrn", "MRN-3003", "--given-name", "Sam",
                   "--family-name", "Okafor", "--birth-date", "1990-01-15", "--sex", "other",
                   "--state", "TX")
        opened = self.daemon.post("/api/v1/patients/MRN-3003/emergency-access", {
            "reason": "unconscious in the emergency department",
            "mfa_code": self.clinician_recovery[0]}, token=self.clinician_token)
        self.assertEqual(opened.status, 201, opened.body)
        grant_id = opened.json()["id"]
        reviewer = self.provision_service_token("compliance-bot", "compliance_officer")

        pending = self.remote("-o", "json", "access", "emergency", "list", "--pending",
                              token_file=reviewer)
        reviewed = self.remote("access", "emergency", "review", grant_id, "--outcome",
                               "justified", "--comment", "confirmed with the ED chart",
                               token_file=reviewer)
        after = self.remote("-o", "json", "access", "emergency", "list", "--pending",
                            token_file=reviewer)
        everything = self.remote("-o", "json", "access", "emergency", "list", token_file=reviewer)

        self.assert_exit(pending, 0)
        self.assertIn(grant_id, [grant["id"] for grant in json.loads(pending.stdout)])
        self.assert_exit(reviewed, 0)
        self.assertNotIn(grant_id, [grant["id"] for grant in json.loads(after.stdout)])
        grant = next(g for g in json.loads(everything.stdout) if g["id"] == grant_id)
        self.assertEqual(grant["review_state"], "justified")
        self.assertEqual(grant["user_id"], self.clinician_id)

    def test_emergency_review_needs_the_reviewers_permission(self):
        listed = self.daemon.thctl("access", "emergency", "list")

        self.assert_exit(listed, 77)

    def test_emergency_review_outcome_is_checked_before_sending(self):
        result = self.daemon.thctl("access", "emergency", "review", "some-id", "--outcome",
                                   "maybe")

        self.assert_exit(result, 64)

    # -- CSV import --

    def test_import_with_two_bad_rows_creates_nobody_and_names_both_lines(self):
        path = self.write_file("bad-staff.csv", "username,role,email\r\n"
                               "imp.one,nurse,one@example.org\r\n"
                               "imp.two,no_such_role,two@example.org\r\n"
                               "imp.three,front_desk,\r\n"
                               "Not A Username,billing,\r\n")

        result = self.daemon.thctl("user", "import", path)

        self.assert_exit(result, 65)
        lines = result.stderr.splitlines()
        self.assertTrue(any(line.startswith(path + ":3: ") for line in lines), result.stderr)
        self.assertTrue(any(line.startswith(path + ":5: ") for line in lines), result.stderr)
        self.assertFalse(any(":2: " in line or ":4: " in line for line in lines), result.stderr)
        self.assertTrue(lines[-1].startswith("thctl: error: "), result.stderr)
        self.assertEqual(len(lines), 3, result.stderr)
        self.assertFalse(self.usernames() & {"imp.one", "imp.two", "imp.three"})

    def test_import_of_a_good_file_creates_everyone_with_codes(self):
        path = self.write_file("good-staff.csv", "username,role,email\n"
                               "good.one,nurse,one@example.org\n"
                               "good.two,billing,\n"
                               "\"good.three\",front_desk,\"three@example.org\"\n")

        result = self.daemon.thctl("-o", "json", "user", "import", path)

        self.assert_exit(result, 0)
        created = json.loads(result.stdout)
        self.assertEqual(sorted(user["username"] for user in created),
                         ["good.one", "good.three", "good.two"])
        self.assertTrue(all(user["enrolment_code"] for user in created))
        self.assertLessEqual({"good.one", "good.two", "good.three"}, self.usernames())

    def test_import_of_a_missing_file_fails_without_contacting_anyone(self):
        result = self.daemon.thctl("user", "import", os.path.join(self.scratch, "absent.csv"))

        self.assertNotEqual(result.returncode, 0)
        self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)

    # -- patient import --

    PATIENT_HEADER = "mrn,given_name,family_name,birth_date,sex,state,phone,email,address\n"

    def patient_count(self):
        return int(self.daemon.sql("SELECT COUNT(*) FROM patients")[0])

    def test_patient_import_of_a_good_file_registers_and_audits_everyone(self):
        path = self.write_file("good-patients.csv", self.PATIENT_HEADER +
                               "IMP-2001,Lena,Ortiz,1975-06-30,female,CA,555-0101,,\n"
                               "IMP-2002,Omar,Haddad,1990-01-15,male,OR,,omar@example.org,\n"
                               "IMP-2003,Kim,Park,2001-11-02,other,WA,,,\"1 Main St, Apt 2\"\n")

        result = self.daemon.thctl("-o", "json", "patient", "import", path)

        self.assert_exit(result, 0)
        created = json.loads(result.stdout)
        self.assertEqual(sorted(row["mrn"] for row in created),
                         ["IMP-2001", "IMP-2002", "IMP-2003"])
        for row in created:
            events = self.daemon.sql("SELECT outcome FROM audit_events WHERE action = 'create' "
                                     "AND resource_type = 'patient' AND resource_id = '%s'"
                                     % row["id"])
            self.assertEqual(events, ["success"], "patient %s has no creation event" % row["id"])
        shown = self.remote("-o", "json", "patient", "show", "IMP-2003",
                            token_file=self.provision_service_token("desk-import", "front_desk"))
        self.assert_exit(shown, 0)
        self.assertEqual(json.loads(shown.stdout)["address"], "1 Main St, Apt 2")

    def test_patient_import_with_bad_lines_registers_nobody_and_names_every_line(self):
        path = self.write_file("bad-patients.csv", self.PATIENT_HEADER +
                               "IMP-3001,Ada,Stone,1960-02-29,female,CA,,,\n"  # 2: good
                               "IMP-3002,Bo,Lind,1960-13-01,male,CA,,,\n"  # 3: bad date
                               "MRN-1001,Ana,Ruiz,1980-04-02,female,CA,,,\n"  # 4: stored MRN
                               "IMP-3004,Cy,Moss,1970-01-01,robot,CA,,,\n"  # 5: bad sex
                               "IMP-3001,Di,Vega,1971-03-03,female,ZZ,,,\n"  # 6: repeat, state
                               "IMP-3006,Ed,Wong,1972-04-04,male,NY,,,\n")  # 7: good
        patients_before = self.patient_count()
        creations = ("SELECT COUNT(*) FROM audit_events WHERE action = 'create' "
                     "AND resource_type = 'patient'")
        events_before = self.daemon.sql(creations)

        result = self.daemon.thctl("patient", "import", path)

        self.assert_exit(result, 65)
        lines = result.stderr.splitlines()
        for line in (3, 4, 5, 6):
            self.assertTrue(any(text.startswith("%s:%d: " % (path, line)) for text in lines),
                            "line %d is not reported:\n%s" % (line, result.stderr))
        self.assertFalse(any(":2: " in text or ":7: " in text for text in lines), result.stderr)
        self.assertTrue(lines[-1].startswith("thctl: error: "), result.stderr)
        self.assertEqual(len(lines), 5, result.stderr)
        self.assertIn("the MRN of line 2 appears again", result.stderr)
        for personal in ("IMP-3001", "MRN-1001", "Stone", "1960-13-01"):
            self.assertNotIn(personal, result.stderr)
        self.assertEqual(self.patient_count(), patients_before)
        self.assertEqual(self.daemon.sql(creations), events_before)

    def test_patient_import_without_a_required_column_names_the_column(self):
        path = self.write_file("no-state.csv", "mrn,given_name,family_name,birth_date,sex\n"
                               "IMP-4001,Fay,Nash,1980-05-05,female\n")

        result = self.daemon.thctl("patient", "import", path)

        self.assert_exit(result, 65)
        self.assertIn("state", result.stderr)
        self.assertTrue(result.stderr.startswith(path + ": "), result.stderr)

    # -- roles, users and sessions --

    def test_role_create_grant_revoke(self):
        created = self.local_json("role", "create", "scheduler", "--permission",
                                  "appointment.read", "--description", "books visits",
                                  "--idle-timeout", "600", "--no-mfa")
        granted = self.daemon.thctl("role", "grant", "scheduler", "schedule.manage")
        revoked = self.daemon.thctl("role", "revoke", "scheduler", "appointment.read")
        shown = self.local_json("role", "show", "scheduler")
        table = self.local("role", "list").stdout

        self.assertEqual(created["permissions"], ["appointment.read"])
        self.assertFalse(created["mfa_required"])
        self.assertEqual(created["idle_timeout_seconds"], 600)
        self.assert_exit(granted, 0)
        self.assert_exit(revoked, 0)
        self.assertEqual(shown["permissions"], ["schedule.manage"])
        self.assertRegex(table, r"(?m)^scheduler\s")

    def test_role_grant_of_an_unknown_permission_exits_65(self):
        result = self.daemon.thctl("role", "create", "typo_role", "--permission", "patient.reed")

        self.assert_exit(result, 65)

    def test_user_disable_ends_the_users_existing_session(self):
        self.daemon.thctl("role", "create", "no_mfa_staff", "--permission", "appointment.read",
                          "--no-mfa")
        self.create_and_enrol("--username", "bob", "--role", "no_mfa_staff")
        token = self.sign_in("bob")["token"]
        self.assertEqual(self.daemon.get("/api/v1/me", token=token).status, 200)
        sessions = self.local_json("session", "list", "--user", "bob")
        self.assertEqual(len(sessions), 1, sessions)

        disabled = self.daemon.thctl("user", "disable", "bob")
        after = self.daemon.get("/api/v1/me", token=token)

        self.assert_exit(disabled, 0)
        self.assertEqual(after.status, 401, after.body)
        self.assertRegex(after.json()["error"]["message"], r"session_revoked|account_disabled")
        self.assertEqual(self.local_json("user", "show", "bob")["status"], "disabled")
        self.assertEqual(self.local_json("session", "list", "--user", "bob"), [])

    def test_session_revoke_ends_one_session(self):
        self.daemon.thctl("role", "create", "no_mfa_desk", "--permission", "appointment.read",
                          "--no-mfa")
        self.create_and_enrol("--username", "dana", "--role", "no_mfa_desk")
        kept = self.sign_in("dana")["token"]
        ended = self.sign_in("dana")
        session_id = ended["session"]["id"]

        result = self.daemon.thctl("session", "revoke", session_id)

        self.assert_exit(result, 0)
        self.assertEqual(self.daemon.get("/api/v1/me", token=ended["token"]).status, 401)
        self.assertEqual(self.daemon.get("/api/v1/me", token=kept).status, 200)

    def test_user_enrolment_reissues_a_code_and_the_old_one_stops_working(self):
        first = self.local_json("user", "create", "--username", "erin", "--role", "billing")

        again = self.daemon.thctl("-q", "user", "enrolment", "erin")

        self.assert_exit(again, 0)
        code = again.stdout.strip()
        self.assertTrue(code)
        old = self.daemon.post("/api/v1/auth/enrol", {
            "username": "erin", "code": first["enrolment_code"], "password": PASSWORD})
        self.assertNotEqual(old.status, 200)
        new = self.daemon.post("/api/v1/auth/enrol", {
            "username": "erin", "code": code, "password": PASSWORD})
        self.assertEqual(new.status, 200, new.body)

    def test_user_show_csv_is_a_header_and_one_row(self):
        result = self.local("-o", "csv", "user", "show", "alice")

        rows = list(csv.reader(io.StringIO(result.stdout)))
        self.assertEqual(len(rows), 2, result.stdout)
        record = dict(zip(rows[0], rows[1]))
        self.assertEqual(record["username"], "alice")
        self.assertEqual(record["mfa_enabled"], "true")

    def test_user_show_of_an_unknown_user_exits_1(self):
        result = self.daemon.thctl("user", "show", "nobody-here")

        self.assert_exit(result, 1)
        self.assertEqual(result.stderr, "thctl: error: no user 'nobody-here'\n")

    def test_duplicate_username_exits_65(self):
        result = self.daemon.thctl("user", "create", "--username", "alice", "--role", "admin")

        self.assert_exit(result, 65)

    # -- the command line itself --

    def test_unknown_noun_exits_64(self):
        result = self.daemon.thctl("frobnicate")

        self.assert_exit(result, 64)
        self.assertEqual(result.stderr,
                         "thctl: error: unknown command 'frobnicate' (see 'thctl --help')\n")

    def test_mistyped_verb_exits_64_with_a_suggestion(self):
        result = self.daemon.thctl("-o", "json", "user", "lsit")

        self.assert_exit(result, 64)
        self.assertEqual(result.stderr,
                         "thctl: error: unknown command 'user lsit' (did you mean 'user list'?)\n")

    def test_mistyped_noun_exits_64_with_a_suggestion(self):
        result = self.daemon.thctl("sesion", "list")

        self.assert_exit(result, 64)
        self.assertIn("did you mean 'session'?", result.stderr)

    def test_missing_required_option_exits_64(self):
        result = self.daemon.thctl("user", "create", "--username", "frank")

        self.assert_exit(result, 64)
        self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)

    def test_argument_that_cannot_be_a_path_segment_is_refused(self):
        result = self.daemon.thctl("user", "show", "../status")

        self.assert_exit(result, 65)


if __name__ == "__main__":
    harness.main()
