#!/usr/bin/env python3
"""The browser client end to end: the real daemon serves the page, and
tests/browser/visit_e2e.mjs drives Debian's Chromium (playwright-core, fake
camera, microphone and screen) through a whole video visit between a
patient, a clinician and an invited guest, each in a browser context of
their own: the patient and the clinician sign in through the page, the
guest opens the link of their invitation email on the guest page. See that
script for the steps; this test provisions the clinic (a clinician with an
authenticator, whose TOTP code is computed here, a patient with a visit
that opens for check-in now, the guest's invitation, read from the email a
real SMTP server received, and a nurse who has yet to enrol an
authenticator, which the script does on the page) and checks the script's
verdict. Screenshots of every view are kept in build/tests/browser-output/
as WHO-VIEW.png.

Also checks how the pages and their files are served: content types, the
pages' content security policy, validators and revalidation.

Runs on SQLite by default and on PostgreSQL with TH_TEST_BACKEND=postgresql.
"""

import datetime
import json
import os
import re
import subprocess

import access_fixtures as fx
import harness
import test_scheduling as sched
import test_visit_invitations as invitations

SCRIPT = os.path.join(harness.SOURCE_DIR, "tests", "browser", "visit_e2e.mjs")
OUTPUT_DIR = os.path.join(harness.BINARY_DIR, "tests", "browser-output")
PRACTITIONER = "Dr. Okafor"
# The emailed link's path and fragment; its origin is the daemon's listen
# address, which on port 0 is not where the test's daemon ended up.
GUEST_LINK = re.compile(r"https://[^/\s]+(/guest#token=([A-Za-z0-9_-]{43}))")
SCREENSHOTS = [
    "patient-visits", "patient-waiting", "clinician-queue", "patient-call", "clinician-call",
    "guest-invalid-link", "guest-waiting", "patient-three-way-call", "clinician-three-way-call",
    "guest-three-way-call", "patient-sent-back", "clinician-patient-screen", "patient-ended",
    "clinician-ended", "guest-ended", "guest-access-ended",
]


class BrowserVisitTest(fx.AccessTestCase):
    @classmethod
    def setUpClass(cls):
        # The invitation email goes through a real SMTP server. No
        # public_base_url: the pages and their socket are on the daemon's
        # own origin, as the browser reaches it.
        cls.servers = invitations.Servers()
        overrides = cls.servers.overrides()
        del overrides["server"]
        cls.DAEMON_OVERRIDES = dict(sched.DAEMON_OVERRIDES, **overrides)
        super().setUpClass()
        cls.clinic = sched.Clinic(cls.daemon, display_name=PRACTITIONER)
        cls.record = fx.create_patient(cls.daemon, state="OR", given_name="Robin")
        cls.patient = fx.create_account(cls.daemon, "patient", patient_mrn=cls.record["mrn"])
        fx.add_to_care_team(cls.daemon, cls.record["id"], cls.clinic.clinician.id)
        cls.enrolling = fx.create_account(cls.daemon, "nurse", mfa=False)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.servers.stop()

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

    def invite_guest(self, appointment):
        """The invitation's id, and the path and fragment of the guest's
        link and its secret, from their email."""
        email = fx.unique("guest") + "@example.org"
        reply = self.daemon.post("/api/v1/appointments/%s/invitations" % appointment["id"],
                                 {"email": email, "relationship": "caregiver"},
                                 token=self.clinic.front_desk.token)
        self.assertStatus(reply, 201, "invitation")
        delivery = invitations.VisitInvitationTest.wait_for_email_to(self, email)
        found = GUEST_LINK.search(delivery.text())
        self.assertIsNotNone(found, delivery.text())
        return reply.json()["id"], found.group(1), found.group(2)

    def run_script(self, appointment, invitation_id, guest_link):
        clinician = self.clinic.clinician
        env = dict(os.environ,
                   TH_URL=self.daemon.base_url + "/",
                   TH_APPOINTMENT_ID=appointment["id"],
                   TH_OUTPUT_DIR=OUTPUT_DIR,
                   TH_PRACTITIONER_NAME=PRACTITIONER,
                   TH_GUEST_LINK=guest_link,
                   TH_INVITATION_ID=invitation_id,
                   TH_FRONT_DESK_TOKEN=self.clinic.front_desk.token,
                   TH_PATIENT_USERNAME=self.patient.username,
                   TH_PATIENT_PASSWORD=self.patient.password,
                   TH_CLINICIAN_USERNAME=clinician.username,
                   TH_CLINICIAN_PASSWORD=clinician.password,
                   TH_CLINICIAN_OTP=clinician.authenticator.next_code(),
                   TH_ENROLLING_USERNAME=self.enrolling.username,
                   TH_ENROLLING_PASSWORD=self.enrolling.password)
        return subprocess.run(["node", SCRIPT], env=env, capture_output=True, text=True,
                              timeout=300, cwd=os.path.dirname(SCRIPT))

    # -- the visit --

    def test_patient_clinician_and_guest_meet_in_a_video_visit_in_chromium(self):
        appointment = self.book_visit_starting_soon()
        self.start_conversation()
        invitation_id, guest_link, guest_secret = self.invite_guest(appointment)

        result = self.run_script(appointment, invitation_id, guest_link)

        print(result.stdout)
        self.assertEqual(result.returncode, 0,
                         "visit_e2e.mjs failed:\n%s\n%s\ndaemon log tail:\n%s"
                         % (result.stdout, result.stderr, self.daemon.log()[-4000:]))
        self.assertIn("passed", result.stdout)
        for view in SCREENSHOTS:
            screenshot = os.path.join(OUTPUT_DIR, view + ".png")
            self.assertTrue(os.path.getsize(screenshot) > 10000, screenshot)
        visit = self.daemon.get("/api/v1/appointments/" + appointment["id"],
                                token=self.clinic.front_desk.token).json()
        self.assertEqual(visit["status"], "completed")
        # The link's secret travelled in a request body only.
        self.assertNotIn(guest_secret, self.daemon.log())

    # -- how the client is served --

    def test_pages_have_a_strict_content_security_policy(self):
        for path in ("/", "/guest"):
            with self.subTest(path=path):
                reply = self.daemon.get(path)

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

    def test_guest_page_is_the_clients_page_with_no_referrer(self):
        guest = self.daemon.get("/guest")
        page = self.daemon.get("/")

        self.assertEqual(guest.body, page.body)
        self.assertEqual(guest.header("ETag"), page.header("ETag"))
        self.assertIn(b'<meta name="referrer" content="no-referrer">', guest.body)
        self.assertStatus(self.daemon.get("/web/guest_view.js"), 200)

    def test_a_dead_session_cookie_does_not_keep_a_browser_from_the_pages_or_sign_in(self):
        dead = {"Cookie": "th_session=" + "A" * 43}
        guest_dead = {"Cookie": "th_session=guest." + "A" * 43}

        page = self.daemon.get("/", headers=dead)
        guest_page = self.daemon.get("/guest", headers=guest_dead)
        login_with_dead = self.daemon.post(
            "/api/v1/auth/login",
            {"username": self.patient.username, "password": self.patient.password},
            headers=dead)
        me = self.daemon.get("/api/v1/me", headers=dead)
        bearer = self.daemon.post(
            "/api/v1/auth/login",
            {"username": self.patient.username, "password": self.patient.password},
            headers={"Authorization": "Bearer " + "A" * 43})

        self.assertStatus(page, 200)
        self.assertStatus(guest_page, 200)
        self.assertStatus(login_with_dead, 200)
        self.assertStatus(me, 401)
        self.assertStatus(bearer, 401)
        # The cookie itself was refused, and that is on the audit trail.
        refusals = [json.loads(body) for body in self.daemon.sql(
            "SELECT body FROM audit_events WHERE action = 'access' "
            "AND resource_id IN ('GET /', 'GET /guest', 'POST /api/v1/auth/login')")]
        self.assertEqual({event["resource_id"] for event in refusals},
                         {"GET /", "GET /guest", "POST /api/v1/auth/login"})
        self.assertEqual({event["outcome"] for event in refusals}, {"denied"})

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
        for path in ("/web/nothing.js", "/web/index.html", "/web/guest.html", "/web/..%2fapp.js",
                     "/nothing", "/guest/x"):
            with self.subTest(path=path):
                self.assertStatus(self.daemon.get(path), 404)


if __name__ == "__main__":
    harness.main()
