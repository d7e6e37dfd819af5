"""Encryption at rest, seen from outside: personal data and secrets entered
through the API never reach the database in the clear.

Patients with distinctive names, birth date, phone, e-mail, address and MRN,
users with usernames and e-mail addresses, their passwords, enrolment
codes, TOTP secrets, recovery codes and tokens, and an emergency access
grant with its stated reason, are created the way people would create them.
Then the whole database is dumped as an attacker holding a copy would dump
it (`sqlite3 FILE .dump` and the raw bytes of the file and its WAL, or
`pg_dump`), and none of those strings may appear, in any letter case. The
ids and role names that are meant to be stored in the clear must appear, so
the dump is known to hold the rows.
"""

import glob
import os
import subprocess

import access_fixtures as fx
import harness

PATIENTS = [
    {"mrn": "ZQX-40917", "given_name": "Philippa", "family_name": "Drummondhay",
     "birth_date": "1923-07-19", "sex": "female", "state": "ME",
     "phone": "+1 207 555 0163", "email": "philippa.drummondhay@example.net",
     "address": "4 Tidewater Road, Castine"},
    {"mrn": "ZQX-58302", "given_name": "Bartholomew", "family_name": "Okonjo-Faraday",
     "birth_date": "1931-11-02", "sex": "male", "state": "VT",
     "phone": "(802) 555-0117", "email": "b.okonjo.faraday@example.com",
     "address": "Apt 9, 77 Juniper Hollow, Montpelier"},
]
EMERGENCY_REASON = "Collapsed in the lobby of Juniper Hollow clinic, unresponsive"


class DatabaseDumpTest(fx.AccessTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        daemon = cls.daemon
        cls.secrets = []
        cls.clear = []
        cls.patient_ids = []
        for fields in PATIENTS:
            created = fx.create_patient(daemon, **fields)
            cls.patient_ids.append(created["id"])
            cls.secrets += [value for key, value in fields.items() if key not in ("sex", "state")]
            # The MRN as the blind index normalises it, too.
            cls.secrets.append(fields["mrn"].replace("-", ""))
        cls.clinician = fx.create_account(daemon, "clinician",
                                          username="dr.quillfeather-ostrander")
        cls.front_desk = fx.create_account(daemon, "front_desk", username="reception.tamsin-vey")
        patient_user = fx.create_account(daemon, "patient", patient_mrn=PATIENTS[0]["mrn"],
                                         username="philippa.drummondhay")
        for account in (cls.clinician, cls.front_desk, patient_user):
            cls.clear.append(account.id)
            cls.secrets += [account.username, account.password, account.token,
                            account.csrf_token]
            if account.authenticator:
                cls.secrets.append(account.authenticator.secret)
                cls.secrets += account.recovery_codes
        cls.seed_users_and_tokens()
        cls.seed_reads_and_emergency_access()
        cls.clear += cls.patient_ids + ["clinician", "front_desk"]

    @classmethod
    def seed_users_and_tokens(cls):
        daemon = cls.daemon
        user = fx.expect(daemon.admin("POST", "/api/v1/users",
                                      {"username": "ledger-bot-vantongeren", "role": "billing",
                                       "kind": "service",
                                       "email": "ledger.bot@vantongeren.example.org"}),
                         201, "create service user").json()
        token = fx.expect(daemon.admin("POST", "/api/v1/tokens",
                                       {"user": user["id"], "name": "nightly"}),
                          201, "create token").json()
        pending = fx.expect(daemon.admin("POST", "/api/v1/users",
                                         {"username": "locum.aurelio-benedetti",
                                          "role": "nurse",
                                          "email": "aurelio.benedetti@example.org"}),
                            201, "create user").json()
        cls.clear.append(user["id"])
        cls.secrets += ["ledger-bot-vantongeren", "ledger.bot@vantongeren.example.org",
                        token["token"], "locum.aurelio-benedetti",
                        "aurelio.benedetti@example.org", pending["enrolment_code"]]

    @classmethod
    def seed_reads_and_emergency_access(cls):
        daemon = cls.daemon
        for patient_id in cls.patient_ids:
            fx.expect(daemon.get("/api/v1/patients/%s/demographics" % patient_id,
                                 token=cls.front_desk.token), 200, "read demographics")
        fx.expect(daemon.get("/api/v1/patients", token=cls.front_desk.token), 200, "list")
        fx.expect(daemon.post("/api/v1/patients/%s/emergency-access" % cls.patient_ids[1],
                              {"reason": EMERGENCY_REASON,
                               "mfa_code": cls.clinician.recovery_codes.pop()},
                              token=cls.clinician.token), 201, "emergency access")
        fx.expect(daemon.get("/api/v1/patients/" + cls.patient_ids[1],
                             token=cls.clinician.token), 200, "emergency read")
        cls.secrets.append(EMERGENCY_REASON)

    def dumps(self):
        """(what, text) of every form of the database an attacker could copy."""
        url = self.daemon.database_url
        if url.startswith("sqlite://"):
            path = url[len("sqlite://"):]
            dump = subprocess.run(["sqlite3", path, ".dump"], capture_output=True, text=True,
                                  check=True, timeout=60).stdout
            forms = [("sqlite3 .dump", dump)]
            for file in sorted(glob.glob(path + "*")):
                with open(file, "rb") as raw:
                    forms.append((os.path.basename(file), raw.read().decode("latin-1")))
            return forms
        name = url[len("postgresql:///"):]
        dump = subprocess.run(["pg_dump", "--no-owner", "-d", name], capture_output=True,
                              text=True, check=True, timeout=60).stdout
        return [("pg_dump", dump)]

    def test_no_personal_value_or_secret_is_stored_in_the_clear(self):
        self.assertGreater(len(self.secrets), 30)
        for what, text in self.dumps():
            folded = text.casefold()
            for secret in self.secrets:
                with self.subTest(form=what, secret=secret[:6] + "..."):
                    self.assertNotIn(secret.casefold(), folded)

    def test_the_dump_holds_the_rows(self):
        # The dumps only: the main file may not hold rows still in the WAL.
        for what, text in self.dumps():
            if what not in ("sqlite3 .dump", "pg_dump"):
                continue
            for value in self.clear:
                with self.subTest(form=what, value=value):
                    self.assertIn(value, text)

    def test_api_still_returns_what_was_stored(self):
        # The values hidden from the dump are the ones the API gives back.
        reply = fx.expect(self.daemon.get("/api/v1/patients/%s/demographics" %
                                          self.patient_ids[0], token=self.front_desk.token),
                          200, "read")
        body = reply.json()
        for key in ("mrn", "given_name", "family_name", "birth_date", "phone", "email",
                    "address"):
            self.assertEqual(body[key], PATIENTS[0][key])


if __name__ == "__main__":
    harness.main()
