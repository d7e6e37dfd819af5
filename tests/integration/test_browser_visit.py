#!/usr/bin/env python3
"""The browser client end to end: the real daemon serves the page, and
tests/browser/visit_e2e.mjs drives Debian's Chromium (playwright-core, fake
camera, microphone and screen) through a whole video visit between a
patient and a clinician, each signed in through the page in a browser
context of their own. See that script for the steps; this test provisions
the clinic (a clinician with an authenticator, whose TOTP code is computed
here, a patient with a visit that opens for check-in now, and a nurse who
has yet to enrol an authenticator, which the script does on the page) and
checks the script's verdict. Screenshots of both views are kept in
build/tests/browser-output/.

Also checks how the page and its files are served: content types, the
page's content security policy, validators and revalidation.

Runs on SQLite by default and on PostgreSQL with TH_TEST_BACKEND=postgresql.
"""

import datetime
import os
import subprocess

import access_fixtures as fx
import harness
import test_scheduling as sched

SCRIPT = os.path.join(harness.SOURCE_DIR, "tests", "browser", "visit_e2e.mjs")
OUTPUT_DIR = os.path.join(harness.BINARY_DIR, "tests", "browser-output")
PRACTITIONER = "Dr. Okafor"


class BrowserVisitTest(fx.AccessTestCase):
    DAEMON_OVERRIDES = sched.DAEMON_OVERRIDES

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clinic = sched.Clinic(cls.daemon, display_name=PRACTITIONER)
        cls.record = fx.create_patient(cls.daemon, state="OR", given_name="Robin")
        cls.patient = fx.create_account(cls.daemon, "patient", patient_mrn=cls.record["mrn"])
        fx.add_to_care_team(cls.daemon, cls.record["id"], cls.clinic.clinician.id)
        cls.enrolling = fx.create_account(cls.daemon, "nurse", mfa=False)

    def book_visit_starting_soon(self):
        """A visit on the next 20-minute mark at least two minutes ahead:
        inside the 30 minutes before its start, when check-in is open."""
        start = sched.on_grid(sched.utc_now() + datetime.timedelta(minutes=2))
        reply = self.clinic.book(self.record["id"], start)
        self.assertStatus(reply, 201, "booking")
        return reply.json()

    def start_conversation(self):
        reply = self.daemon.post("/api/v1/conversations",
                                 {"kind": "care", "patient_id": self.record["id"],
                                  "members": [self.clinic.clinician.id], "subject": "Visit"},
                                 token=self.patient.token)
        self.assertStatus(reply, 201, "conversation")

    def run_script(self, appointment):
        clinician = self.clinic.clinician
        env = dict(os.environ,
                   TH_URL=self.daemon.base_url + "/",
                   TH_APPOINTMENT_ID=appointment["id"],
                   TH_OUTPUT_DIR=OUTPUT_DIR,
                   TH_PATIENT_USERNAME=self.patient.username,
                   TH_PATIENT_PASSWORD=self.patient.password,
                   TH_CLINICIAN_USERNAME=clinician.username,
                   TH_CLINICIAN_PASSWORD=clinician.password,
                   TH_CLINICIAN_OTP=clinician.authenticator.next_code(),
                   TH_ENROLLING_USERNAME=self.enrolling.username,
                   TH_ENROLLING_PASSWORD=self.enrolling.password)
        return subprocess.run(["node", SCRIPT], env=env, capture_output=True, text=True,
                              timeout=180, cwd=os.path.dirname(SCRIPT))

    # -- the visit --

    def test_patient_and_clinician_meet_in_a_video_visit_in_chromium(self):
        appointment = self.book_visit_starting_soon()
        self.start_conversation()

        result = self.run_script(appointment)

        print(result.stdout)
        self.assertEqual(result.returncode, 0,
                         "visit_e2e.mjs failed:\n%s\n%s\ndaemon log tail:\n%s"
                         % (result.stdout, result.stderr, self.daemon.log()[-4000:]))
        self.assertIn("passed", result.stdout)
        for who in ("patient", "clinician"):
            screenshot = os.path.join(OUTPUT_DIR, who + ".png")
            self.assertTrue(os.path.getsize(screenshot) > 10000, screenshot)
        visit = self.daemon.get("/api/v1/appointments/" + appointment["id"],
                                token=self.clinic.front_desk.token).json()
        self.assertEqual(visit["status"], "in_progress")

    # -- how the client is served --

    def test_page_has_a_strict_content_security_policy(self):
        reply = self.daemon.get("/")

        self.assertStatus(reply, 200)
        self.assertEqual(reply.header("Content-Type"), "text/html; charset=utf-8")
        policy = reply.header("Content-Security-Policy")
        self.assertIn("default-src 'self'", policy)
        self.assertIn("script-src 'self';", policy)
        self.assertIn("connect-src 'self' wss://127.0.0.1:%d;" % self.daemon.port, policy)
        self.assertIn("media-src 'self' blob:", policy)
        self.assertIn("frame-ancestors 'none'", policy)
        self.assertNotIn("unsafe-inline", policy)
        self.assertNotIn(b"<script>", reply.body)
        self.assertNotIn(b" style=", reply.body)
        self.assertEqual(reply.header("X-Frame-Options"), "DENY")

    def test_scripts_and_styles_have_their_types_and_revalidate(self):
        script = self.daemon.get("/web/app.js")
        style = self.daemon.get("/web/style.css")
        again = self.daemon.get("/web/app.js", headers={"If-None-Match": script.header("ETag")})

        self.assertStatus(script, 200)
        self.assertEqual(script.header("Content-Type"), "text/javascript; charset=utf-8")
        self.assertEqual(style.header("Content-Type"), "text/css; charset=utf-8")
        self.assertEqual(script.header("Cache-Control"), "no-cache")
        self.assertEqual(script.header("X-Content-Type-Options"), "nosniff")
        self.assertRegex(script.header("ETag"), r'^"[0-9a-f]{32}"$')
        self.assertStatus(again, 304)
        self.assertEqual(again.body, b"")

    def test_unknown_files_and_paths_are_not_found(self):
        for path in ("/web/nothing.js", "/web/index.html", "/web/..%2fapp.js", "/nothing"):
            with self.subTest(path=path):
                self.assertStatus(self.daemon.get(path), 404)


if __name__ == "__main__":
    harness.main()
