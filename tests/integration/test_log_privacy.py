"""No personal data or secret in the daemon's log (the logging policy in
lib/logging/logging.h), at debug level, in both log formats.

A scripted workload touches every family of routes with known values:
enrolment and sign-in (a wrong password, then the right one, with MFA),
authenticator enrolment, a password change, cookie and bearer sessions,
patients created, read and listed, users created, listed, shown and
imported, tokens, emergency access, and requests that fail with personal
values where a careless log line would pick them up: a malformed body, a
value of the wrong type, an oversized body, an unknown path and query, a
method that is not allowed, a forged bearer token and cookie, a header the
HTTP parser refuses. Then every value it entered or received (names, birth
date, phone, e-mail, address, MRN, usernames, passwords, enrolment codes,
TOTP secrets and codes, recovery codes, tokens, CSRF tokens, cookies) is
looked for in everything the daemon wrote to stdout and stderr, in any
letter case.
"""

import json
import os
import socket
import ssl
import unittest

import access_fixtures as fx
import harness

PATIENT = {"mrn": "LQV-77120", "given_name": "Esmeralda", "family_name": "Thistlewaite",
           "birth_date": "1949-02-27", "sex": "female", "state": "NM",
           "phone": "+1 505 555 0138", "email": "esmeralda.thistlewaite@example.net",
           "address": "31 Piñon Mesa Drive, Taos"}
IMPORTED_EMAIL = "gideon.marchbanks@example.org"
IMPORTED_USERNAME = "gideon.marchbanks"
EMERGENCY_REASON = "Thistlewaite found collapsed at the Taos pharmacy, on-call cover"
PROBE_NAME = "Ottoline-Featherstonehaugh"
PROBE_EMAIL = "ottoline.featherstonehaugh@example.com"


class Workload:
    """Runs the requests against one daemon and keeps every sensitive value
    it sent or received."""

    def __init__(self, daemon):
        self.daemon = daemon
        self.secrets = set()

    def keep(self, *values):
        for value in values:
            if value:
                self.secrets.add(str(value))

    def keep_account(self, account):
        self.keep(account.username, account.password, account.token, account.csrf_token)
        if account.authenticator:
            self.keep(account.authenticator.secret, account.authenticator.used_code())
            self.keep(*account.recovery_codes)

    def run(self):
        daemon = self.daemon
        self.keep(*PATIENT.values(), PATIENT["mrn"].replace("-", ""), IMPORTED_EMAIL,
                  IMPORTED_USERNAME, EMERGENCY_REASON, PROBE_NAME, PROBE_EMAIL)
        self.secrets -= {"female", "NM"}
        self.clinician = fx.create_account(daemon, "clinician",
                                           username="dr.hollowell-prendergast")
        self.front_desk = fx.create_account(daemon, "front_desk",
                                            username="desk.winifred-ashcombe")
        self.keep_account(self.clinician)
        self.keep_account(self.front_desk)
        self.sign_in_and_sessions()
        self.patients()
        self.users_and_tokens()
        self.failing_requests()

    def sign_in_and_sessions(self):
        daemon, clinician = self.daemon, self.clinician
        wrong = "Wrong horse battery %s" % os.urandom(4).hex()
        self.keep(wrong)
        fx.expect(fx.login(daemon, clinician.username, wrong), 401, "wrong password")
        fx.expect(fx.login(daemon, "nobody.%s" % os.urandom(3).hex(), wrong), 401,
                  "unknown user")
        login = fx.sign_in(daemon, clinician)
        cookie = {"Cookie": login.cookie.split(";")[0]}
        self.keep(login.token, login.csrf_token, cookie["Cookie"],
                  clinician.authenticator.used_code())
        fx.expect(daemon.get("/api/v1/me", headers=cookie), 200, "me by cookie")
        fx.expect(daemon.post("/api/v1/auth/logout", {}, headers=dict(cookie, **{
            "X-CSRF-Token": "f" * 64})), 403, "bad csrf")
        fx.expect(daemon.get("/api/v1/me/sessions", token=login.token), 200, "own sessions")

        # A password change and an authenticator enrolment of a fresh account.
        nurse = fx.create_account(daemon, "nurse", mfa=False,
                                  username="nurse.perpetua-langridge")
        fresh = fx.strong_password()
        fx.expect(daemon.post("/api/v1/auth/password",
                              {"current_password": nurse.password, "new_password": fresh},
                              token=nurse.token), 200, "change password")
        self.keep_account(nurse)
        self.keep(fresh)
        relogin = fx.Login(fx.expect(fx.login(daemon, nurse.username, fresh), 200, "relogin"))
        nurse.token = relogin.token
        fx.enrol_mfa(daemon, nurse)
        self.keep_account(nurse)
        self.keep(relogin.token, relogin.csrf_token)
        fx.expect(daemon.post("/api/v1/auth/mfa/confirm", {"code": "123456"}, token=nurse.token),
                  409, "confirm again")
        fx.expect(daemon.post("/api/v1/auth/logout", {}, token=nurse.token), 200, "logout")

    def patients(self):
        daemon, clinician, desk = self.daemon, self.clinician, self.front_desk
        created = fx.expect(daemon.post("/api/v1/patients", PATIENT, token=clinician.token),
                            201, "create patient").json()
        fx.expect(daemon.post("/api/v1/patients", PATIENT, token=clinician.token), 409,
                  "duplicate MRN")
        patient_id = created["id"]
        fx.expect(daemon.get("/api/v1/patients/%s/demographics" % PATIENT["mrn"],
                             token=desk.token), 200, "demographics by MRN")
        fx.expect(daemon.get("/api/v1/patients", token=desk.token), 200, "list patients")
        fx.expect(daemon.get("/api/v1/patients/" + patient_id, token=clinician.token), 404,
                  "outside the care team")
        fx.expect(daemon.post("/api/v1/patients/%s/emergency-access" % patient_id,
                              {"reason": EMERGENCY_REASON,
                               "mfa_code": clinician.recovery_codes[0]},
                              token=clinician.token), 201, "emergency access")
        fx.expect(daemon.get("/api/v1/patients/" + patient_id, token=clinician.token), 200,
                  "emergency read")
        fx.add_to_care_team(daemon, patient_id, self.front_desk.id)

    def users_and_tokens(self):
        daemon = self.daemon
        service = fx.expect(daemon.admin("POST", "/api/v1/users",
                                         {"username": "bot.marchbanks-ledger", "role": "admin",
                                          "kind": "service", "email": PROBE_EMAIL}),
                            201, "service user").json()
        self.keep("bot.marchbanks-ledger")
        token = fx.expect(daemon.admin("POST", "/api/v1/tokens",
                                       {"user": service["id"], "name": "nightly"}),
                          201, "token").json()["token"]
        self.keep(token)
        fx.expect(daemon.get("/api/v1/users", token=token), 200, "users by token")
        fx.expect(daemon.admin("GET", "/api/v1/users/" + self.clinician.username), 200,
                  "user by name")
        fx.expect(daemon.admin("GET", "/api/v1/users/no.such.%s" % PROBE_NAME.lower()), 404,
                  "unknown user")
        reissued = fx.expect(daemon.admin("POST", "/api/v1/users/%s/enrolment"
                                          % self.front_desk.id), 200, "enrolment").json()
        self.keep(reissued.get("enrolment_code"))
        csv = ("username,role,email\n%s,nurse,%s\n%s,no_such_role,%s\n"
               % (IMPORTED_USERNAME, IMPORTED_EMAIL, PROBE_NAME.lower(), PROBE_EMAIL))
        fx.expect(self.raw_admin("POST", "/api/v1/users/import", csv, "text/csv"), 400,
                  "bad import")
        fx.expect(daemon.admin("POST", "/api/v1/users",
                               {"username": IMPORTED_USERNAME, "role": "nurse",
                                "email": IMPORTED_EMAIL}), 201, "user")
        fx.expect(daemon.admin("POST", "/api/v1/users",
                               {"username": IMPORTED_USERNAME, "role": "nurse"}), 409,
                  "taken username")

    def raw_admin(self, method, path, body, content_type):
        connection = harness.UnixHTTPConnection(self.daemon.socket_path)
        try:
            connection.request(method, path, body=body, headers={"Content-Type": content_type})
            response = connection.getresponse()
            return harness.Reply(response.status, response.getheaders(), response.read())
        finally:
            connection.close()

    def failing_requests(self):
        daemon, token = self.daemon, self.clinician.token
        name, email = PROBE_NAME, PROBE_EMAIL
        json_type = {"Content-Type": "application/json"}
        fx.expect(daemon.post("/api/v1/patients", '{"given_name": "%s", "email": "%s"'
                              % (name, email), headers=json_type, token=token), 400, "malformed")
        fx.expect(daemon.post("/api/v1/patients", '{"mrn": ["%s"], "given_name": {"x": "%s"}}'
                              % (name, email), headers=json_type, token=token), 400, "types")
        fx.expect(daemon.post("/api/v1/auth/login", '{"username": "%s", "password": %s}'
                              % (name, email), headers=json_type), 400, "malformed login")
        fx.expect(daemon.get("/api/v1/%s/records?email=%s&name=%s" % (name, email, name),
                             token=token), 404, "unknown path")
        fx.expect(daemon.get("/api/v1/patients/%s/demographics?dob=%s"
                             % (name, PATIENT["birth_date"]), token=token), 404, "unknown MRN")
        fx.expect(daemon.request("DELETE", "/api/v1/patients?name=" + name, token=token), 405,
                  "method")
        forged = "th_" + os.urandom(24).hex()
        self.keep(forged)
        fx.expect(daemon.get("/api/v1/me", token=forged), 401, "forged token")
        fx.expect(daemon.get("/api/v1/me", headers={"Authorization": "Basic " + forged}), 401,
                  "wrong scheme")
        fx.expect(daemon.get("/api/v1/me", headers={"Cookie": "th_session=" + forged}), 401,
                  "forged cookie")
        big = json.dumps({"given_name": name, "address": email * 40000})
        reply = daemon.post("/api/v1/patients", big, headers=json_type, token=token)
        fx.expect(reply, 413, "oversized")
        self.raw_requests(name, forged)

    def raw_requests(self, name, secret):
        """Requests no client library would send, with values in the request
        line and the headers: a header line without a colon, a method of the
        peer's invention, a Content-Length that is not a number, a header
        name far longer than any real one; the parser's refusals must not
        quote them."""
        for request in ("GET /api/v1/%s HTTP/1.1\r\nHost: localhost\r\n%s %s\r\n"
                        "Authorization: Bearer %s\r\n\r\n" % (name, name, secret, secret),
                        "%s /api/v1/patients HTTP/1.1\r\nHost: localhost\r\n\r\n" % name,
                        "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n"
                        "Content-Length: %s\r\n\r\n{}" % secret,
                        "GET / HTTP/1.1\r\nHost: localhost\r\n%s: x\r\n\r\n" % (name * 20)):
            self.send_raw(request.encode())

    def send_raw(self, data):
        context = self.daemon.tls_context()
        with socket.create_connection(("127.0.0.1", self.daemon.port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                tls.sendall(data)
                try:
                    tls.recv(4096)
                except (OSError, ssl.SSLError):
                    pass


class LogPrivacyMixin:
    LOG_FORMAT = None

    @classmethod
    def setUpClass(cls):
        cls.daemon = harness.Daemon({"auth": dict(fx.UNTHROTTLED),
                                     "log": {"level": "debug", "format": cls.LOG_FORMAT},
                                     "server": {"max_body_bytes": 1048576}}).start()
        cls.workload = Workload(cls.daemon)
        try:
            cls.workload.run()
        finally:
            cls.daemon.stop()
        cls.log = cls.daemon.log()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.cleanup()

    def test_log_is_at_debug_and_covers_the_workload(self):
        for fragment in ("POST /api/v1/auth/login -> 401", "POST /api/v1/auth/login -> 200",
                         "POST /api/v1/patients -> 201", "unmatched -> 404",
                         "POST unmatched -> 413", "GET /api/v1/me -> 401",
                         "other unmatched -> 405", "other unmatched -> 400",
                         "malformed request: a header line is not 'Name: value'"):
            self.assertTrue(fragment in self.log, "%r is not in the log" % fragment)
        self.assertGreater(len(self.workload.secrets), 40)

    def test_no_personal_value_or_secret_is_logged(self):
        lines = self.log.casefold().splitlines()
        for secret in sorted(self.workload.secrets):
            with self.subTest(secret=secret[:4] + "..."):
                leaks = [line for line in lines if secret.casefold() in line]
                self.assertEqual(leaks, [], "logged %d time(s)" % len(leaks))


class JsonLogPrivacyTest(LogPrivacyMixin, unittest.TestCase):
    LOG_FORMAT = "json"

    def test_every_line_is_a_json_record(self):
        for line in self.log.splitlines():
            self.assertIsInstance(json.loads(line), dict, line)


class TextLogPrivacyTest(LogPrivacyMixin, unittest.TestCase):
    LOG_FORMAT = "text"


if __name__ == "__main__":
    harness.main()
