#!/usr/bin/env python3
"""Guests of video visits over HTTPS: invitations by the front desk, the
patient and thctl; the email each guest receives through a real SMTP server
(STARTTLS and AUTH, from messaging_servers) with the visit's date, time,
practitioner and a single-use link, and never the reason for the visit;
redeeming the link once for a guest session that reaches its own visit and
nothing else; expiry; revocation by hand and by cancelling the visit; the
three-guest limit; the audit trail; and the secrets kept out of the
database, the replies and the log.

Runs on SQLite by default and on PostgreSQL with TH_TEST_BACKEND=postgresql.
"""

import datetime
import json
import os
import re
import shutil
import tempfile
import unittest
import zoneinfo

import access_fixtures as fx
import harness
import messaging_servers as ms
import test_scheduling as sched

LINK = re.compile(r"https://clinic\.example/guest#token=([A-Za-z0-9_-]{43})")
REASON = "persistent chest pain"
PRACTITIONER = "Dr. Rivera"


class Servers:
    """A CA and an SMTP server that requires STARTTLS and AUTH."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="th-invitations-")
        self.ca = ms.CertificateAuthority(self.dir)
        cert, key = self.ca.issue("localhost")
        self.smtp = ms.SmtpServer(ms.server_tls_context(cert, key))
        self.password_file = os.path.join(self.dir, "smtp-password")
        with open(self.password_file, "w") as out:
            out.write(ms.SmtpServer.PASSWORD + "\n")
        os.chmod(self.password_file, 0o600)

    def overrides(self):
        return {
            "server": {"public_base_url": "https://clinic.example"},
            "reminders": {"poll_interval_seconds": 1, "retry_initial_seconds": 1,
                          "retry_max_seconds": 1, "clinic_name": "Bay Clinic",
                          "default_time_zone": "America/New_York"},
            "smtp": {"host": "localhost", "port": self.smtp.port,
                     "from": "Bay Clinic <visits@clinic.example>",
                     "username": ms.SmtpServer.USERNAME, "password_file": self.password_file,
                     "ca_file": self.ca.cert, "timeout_seconds": 5},
        }

    def stop(self):
        self.smtp.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class VisitInvitationTest(fx.AccessTestCase):
    @classmethod
    def setUpClass(cls):
        cls.servers = Servers()
        cls.DAEMON_OVERRIDES = dict(sched.DAEMON_OVERRIDES, **cls.servers.overrides())
        super().setUpClass()
        cls.clinic = sched.Clinic(cls.daemon)
        fx.expect(cls.daemon.admin("PUT", "/api/v1/practitioners/" + cls.clinic.practitioner,
                                   {"npi": sched.next_npi(), "license_states": ["OR", "WA"],
                                    "time_zone": "America/New_York", "slot_minutes": 20,
                                    "display_name": PRACTITIONER}),
                  200, "name the practitioner")
        cls.slots = sched.SlotClock()
        cls.record = fx.create_patient(cls.daemon, state="OR", email="pat@example.org")
        cls.patient = fx.create_account(cls.daemon, "patient", patient_mrn=cls.record["mrn"])

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.servers.stop()

    # -- helpers --

    def book(self):
        reply = self.clinic.book(self.record["id"], self.slots.take(), reason=REASON)
        self.assertStatus(reply, 201, "booking")
        return reply.json()

    def invite(self, appointment, email=None, relationship="caregiver", token=None):
        email = email or fx.unique("guest") + "@example.org"
        return self.daemon.post("/api/v1/appointments/%s/invitations" % appointment["id"],
                                {"email": email, "relationship": relationship},
                                token=token or self.clinic.front_desk.token)

    def invited(self, appointment, **kwargs):
        """Invites a guest and waits for their email; returns (invitation, email, secret)."""
        email = fx.unique("guest") + "@example.org"
        reply = self.invite(appointment, email=email, **kwargs)
        self.assertStatus(reply, 201, "invitation")
        delivery = self.wait_for_email_to(email)
        found = LINK.search(delivery.text())
        self.assertIsNotNone(found, delivery.text())
        return reply.json(), delivery, found.group(1)

    def wait_for_email_to(self, address):
        def arrived():
            for delivery in list(self.servers.smtp.handler.deliveries):
                if address in delivery.recipients:
                    return delivery
            return None
        return harness.wait_until(arrived, timeout=20, message="an email to " + address)

    def redeem(self, secret):
        return self.daemon.post("/api/v1/guest/redeem", {"token": secret})

    def guest_session(self, secret):
        reply = self.redeem(secret)
        self.assertStatus(reply, 200, "redeem")
        return reply.json()["token"]

    def audit_rows(self, action, invitation_id):
        """"outcome|reason" of each audit event of `action` on the invitation, oldest first."""
        bodies = self.daemon.sql("SELECT body FROM audit_events WHERE action = '%s' "
                                 "AND resource_type = 'visit_invitation' AND resource_id = '%s' "
                                 "ORDER BY seq" % (action, invitation_id))
        events = [json.loads(body) for body in bodies]
        return ["%s|%s" % (event["outcome"], event.get("reason", "")) for event in events]

    # -- the email --

    def test_email_carries_the_date_time_practitioner_and_link_but_no_reason(self):
        appointment = self.book()

        invitation, delivery, secret = self.invited(appointment)

        text = delivery.text()
        start = sched.parse_time(appointment["start"])
        self.assertIn(PRACTITIONER, text)
        self.assertIn("Bay Clinic", text)
        self.assertIn(start.astimezone(zoneinfo.ZoneInfo("America/New_York"))
                      .strftime("%-I:%M %p"), text)
        self.assertNotIn(REASON, delivery.raw.decode("utf-8", "replace"))
        self.assertNotIn("token", json.dumps(invitation))
        self.assertNotIn(secret, json.dumps(invitation))
        self.assertEqual(invitation["status"], "pending")

    def test_secret_and_address_are_not_stored_in_the_clear(self):
        appointment = self.book()
        address = fx.unique("sealed") + "@example.org"
        reply = self.invite(appointment, email=address)
        self.assertStatus(reply, 201)
        secret = LINK.search(self.wait_for_email_to(address).text()).group(1)

        rows = self.daemon.sql("SELECT email_enc || '|' || token_hash FROM visit_invitations "
                               "WHERE id = '%s'" % reply.json()["id"])

        self.assertEqual(len(rows), 1)
        self.assertNotIn(address, rows[0])
        self.assertNotIn(secret, rows[0])
        self.assertNotIn(secret, self.daemon.log())

        def blanked():
            found = self.daemon.sql("SELECT status || '|' || body_enc FROM outbox_messages "
                                    "WHERE reference = 'invitation:%s'" % reply.json()["id"])
            return found if found and found[0].startswith("sent|") else None
        # Once sent, the outbox keeps nothing of the message: the secret is gone.
        self.assertEqual(harness.wait_until(blanked, timeout=20, message="the email marked sent"),
                         ["sent|"])

    # -- redeeming --

    def test_link_redeems_once_into_a_session_for_its_visit(self):
        appointment = self.book()
        invitation, _, secret = self.invited(appointment)

        first = self.redeem(secret)
        second = self.redeem(secret)
        visit = self.daemon.get("/api/v1/guest/visit", token=first.json()["token"])

        self.assertStatus(first, 200)
        self.assertTrue(first.json()["token"].startswith("guest."))
        self.assertEqual(first.json()["appointment_id"], appointment["id"])
        self.assertErrorCode(second, 401, "invalid_guest_link")
        self.assertStatus(visit, 200)
        self.assertEqual(sorted(visit.json()),
                         ["appointment_id", "end", "practitioner_name", "start"])
        self.assertEqual(visit.json()["appointment_id"], appointment["id"])
        self.assertEqual(visit.json()["start"], appointment["start"])
        self.assertEqual(visit.json()["practitioner_name"], PRACTITIONER)
        self.assertEqual(self.audit_rows("redeem", invitation["id"]),
                         ["success|guest session %s" % self.latest_guest_session(invitation),
                          "denied|already redeemed"])

    def latest_guest_session(self, invitation):
        return self.daemon.sql("SELECT id FROM guest_sessions WHERE invitation_id = '%s'"
                               % invitation["id"])[0]

    def test_guest_session_reaches_nothing_but_its_own_visit(self):
        mine = self.book()
        other = self.book()
        _, _, secret = self.invited(mine)
        guest = self.guest_session(secret)

        probes = [
            ("GET", "/api/v1/appointments/" + other["id"]),
            ("GET", "/api/v1/appointments/" + mine["id"]),
            ("GET", "/api/v1/appointments/%s/invitations" % mine["id"]),
            ("GET", "/api/v1/patients/%s/demographics" % self.record["id"]),
            ("GET", "/api/v1/me"),
            ("POST", "/api/v1/appointments/%s/check-in" % other["id"]),
        ]
        for method, path in probes:
            with self.subTest(route=path):
                self.assertStatus(self.daemon.request(method, path, token=guest), 403)
        visit = self.daemon.get("/api/v1/guest/visit", token=guest).json()
        self.assertEqual(visit["start"], mine["start"])
        self.assertStatus(self.daemon.get("/api/v1/guest/visit",
                                          token=self.clinic.front_desk.token), 403)
        self.assertStatus(self.daemon.get("/api/v1/guest/visit"), 401)

    def test_expired_link_is_refused_and_the_refusal_audited(self):
        appointment = self.book()
        invitation, _, secret = self.invited(appointment)
        self.daemon.sql("UPDATE visit_invitations SET expires_at = 1 WHERE id = '%s'"
                        % invitation["id"])

        reply = self.redeem(secret)

        self.assertErrorCode(reply, 401, "invalid_guest_link")
        self.assertEqual(self.audit_rows("redeem", invitation["id"]), ["denied|expired"])

    def test_expired_guest_session_is_refused(self):
        appointment = self.book()
        _, _, secret = self.invited(appointment)
        guest = self.guest_session(secret)
        self.daemon.sql("UPDATE guest_sessions SET expires_at = 1 WHERE appointment_id = '%s'"
                        % appointment["id"])

        reply = self.daemon.get("/api/v1/guest/visit", token=guest)

        self.assertErrorCode(reply, 401, "session_expired")

    # -- redeeming from a browser --

    def test_browser_redeem_puts_the_session_in_a_strict_cookie_and_not_in_the_reply(self):
        appointment = self.book()
        _, _, secret = self.invited(appointment)

        reply = self.daemon.post("/api/v1/guest/redeem", {"token": secret, "cookie": True})
        cookie = reply.header("Set-Cookie")
        session = cookie.split(";")[0]
        visit = self.daemon.get("/api/v1/guest/visit", headers={"Cookie": session})
        by_bearer = self.daemon.get("/api/v1/guest/visit", token=session.split("=", 1)[1])

        self.assertStatus(reply, 200)
        self.assertNotIn("token", reply.json())
        self.assertRegex(reply.json()["csrf_token"], r"^[0-9a-f]{64}$")
        self.assertEqual(reply.json()["appointment_id"], appointment["id"])
        self.assertTrue(session.startswith("th_session=guest."), cookie)
        for attribute in ("Path=/", "Secure", "HttpOnly", "SameSite=Strict"):
            self.assertIn("; " + attribute, cookie)
        max_age = int(re.search(r"Max-Age=(\d+)", cookie).group(1))
        self.assertTrue(0 < max_age <= 24 * 3600, cookie)
        self.assertStatus(visit, 200)
        self.assertEqual(visit.json()["appointment_id"], appointment["id"])
        self.assertEqual(visit.json()["csrf_token"], reply.json()["csrf_token"])
        self.assertStatus(by_bearer, 200)
        self.assertNotIn("csrf_token", by_bearer.json())

    def test_guest_cookie_writes_need_the_csrf_token_like_a_users(self):
        appointment = self.book()
        _, _, secret = self.invited(appointment)
        reply = self.daemon.post("/api/v1/guest/redeem", {"token": secret, "cookie": True})
        cookie = {"Cookie": reply.header("Set-Cookie").split(";")[0]}
        csrf = reply.json()["csrf_token"]

        without = self.daemon.post("/api/v1/auth/logout", {}, headers=cookie)
        wrong = self.daemon.post("/api/v1/auth/logout", {},
                                 headers=dict(cookie, **{"X-CSRF-Token": "f" * 64}))
        with_token = self.daemon.post("/api/v1/auth/logout", {},
                                      headers=dict(cookie, **{"X-CSRF-Token": csrf}))

        self.assertErrorCode(without, 403, "csrf_failed")
        self.assertErrorCode(wrong, 403, "csrf_failed")
        # Past the CSRF check, the guest is still only a guest.
        self.assertErrorCode(with_token, 403, "guest_session")

    def test_a_new_link_redeems_in_a_browser_holding_an_ended_guest_session(self):
        appointment = self.book()
        _, _, first = self.invited(appointment)
        _, _, second = self.invited(appointment)
        old = self.daemon.post("/api/v1/guest/redeem", {"token": first, "cookie": True})
        self.daemon.sql("UPDATE guest_sessions SET expires_at = 1 WHERE appointment_id = '%s'"
                        % appointment["id"])
        stale = {"Cookie": old.header("Set-Cookie").split(";")[0]}

        ended = self.daemon.get("/api/v1/guest/visit", headers=stale)
        fresh = self.daemon.post("/api/v1/guest/redeem", {"token": second, "cookie": True},
                                 headers=stale)

        self.assertErrorCode(ended, 401, "session_expired")
        self.assertStatus(fresh, 200)
        self.assertNotEqual(fresh.header("Set-Cookie").split(";")[0], stale["Cookie"])

    def test_unknown_link_reads_like_a_used_one(self):
        reply = self.redeem("A" * 43)
        in_query = self.daemon.post("/api/v1/guest/redeem?token=" + "A" * 43, {})

        self.assertErrorCode(reply, 401, "invalid_guest_link")
        self.assertStatus(in_query, 400)

    # -- limits and revocation --

    def test_a_fourth_guest_is_refused(self):
        appointment = self.book()
        for relationship in ("family_member", "caregiver", "interpreter"):
            self.assertStatus(self.invite(appointment, relationship=relationship), 201)

        reply = self.invite(appointment)

        self.assertStatus(reply, 409)

    def test_uninvite_ends_the_link_and_the_session(self):
        appointment = self.book()
        invitation, _, secret = self.invited(appointment)
        guest = self.guest_session(secret)
        _, _, unused = self.invited(appointment)

        revoked = self.daemon.request("DELETE", "/api/v1/appointments/%s/invitations/%s"
                                      % (appointment["id"], invitation["id"]),
                                      token=self.clinic.front_desk.token)

        self.assertStatus(revoked, 200)
        self.assertErrorCode(self.daemon.get("/api/v1/guest/visit", token=guest), 401,
                             "session_revoked")
        self.assertStatus(self.redeem(unused), 200)
        self.assertEqual(self.audit_rows("revoke", invitation["id"]), ["success|"])

    def test_invitation_of_one_visit_cannot_be_revoked_through_another(self):
        mine = self.book()
        other = self.book()
        invitation = self.invite(mine).json()

        reply = self.daemon.request("DELETE", "/api/v1/appointments/%s/invitations/%s"
                                    % (other["id"], invitation["id"]),
                                    token=self.clinic.front_desk.token)

        self.assertStatus(reply, 404)

    def test_cancelling_the_visit_revokes_every_invitation(self):
        appointment = self.book()
        first, _, secret = self.invited(appointment)
        guest = self.guest_session(secret)
        second, _, pending = self.invited(appointment)

        fx.expect(self.daemon.post("/api/v1/appointments/%s/cancel" % appointment["id"],
                                   {"reason": "patient unwell"},
                                   token=self.clinic.front_desk.token), 200, "cancel")

        self.assertErrorCode(self.redeem(pending), 401, "invalid_guest_link")
        self.assertStatus(self.daemon.get("/api/v1/guest/visit", token=guest), 401)
        listed = self.daemon.get("/api/v1/appointments/%s/invitations" % appointment["id"],
                                 token=self.clinic.front_desk.token).json()["items"]
        self.assertEqual({item["status"] for item in listed}, {"revoked"})
        for invitation in (first, second):
            self.assertEqual(self.audit_rows("revoke", invitation["id"]),
                             ["success|visit cancelled"])

    # -- who may invite --

    def test_patient_invites_to_their_own_visit_only(self):
        mine = self.book()
        stranger = fx.create_account(self.daemon, "patient")

        own = self.invite(mine, relationship="family_member", token=self.patient.token)
        other = self.invite(mine, token=stranger.token)
        billing = self.invite(mine, token=fx.create_account(self.daemon, "billing").token)

        self.assertStatus(own, 201)
        self.assertStatus(other, 404)
        self.assertStatus(billing, 403)

    def test_thctl_invites_lists_and_uninvites(self):
        appointment = self.book()
        token_file = self.token_file(self.clinic.front_desk)
        address = fx.unique("thctl") + "@example.org"

        invited = self.daemon.thctl("-o", "json", "appointment", "invite", appointment["id"],
                                    "--email", address, "--relationship", "interpreter",
                                    remote=True, token_file=token_file)
        listed = self.daemon.thctl("-o", "json", "appointment", "invitations", appointment["id"],
                                   remote=True, token_file=token_file)
        invitation = json.loads(invited.stdout) if invited.returncode == 0 else {}
        # Before the uninvite, which would withdraw an email not yet sent.
        secret = LINK.search(self.wait_for_email_to(address).text()).group(1)
        removed = self.daemon.thctl("appointment", "uninvite", appointment["id"],
                                    invitation.get("id", "none"), remote=True,
                                    token_file=token_file)

        self.assertEqual(invited.returncode, 0, invited.stderr)
        self.assertEqual(invitation["email"], address)
        self.assertEqual(invitation["relationship"], "interpreter")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertIn(invitation["id"], [item["id"] for item in json.loads(listed.stdout)])
        self.assertEqual(removed.returncode, 0, removed.stderr)
        self.assertNotIn(secret, invited.stdout + listed.stdout)

    def token_file(self, account):
        return sched.SchedulingTest.token_file(self, account)

if __name__ == "__main__":
    unittest.main(verbosity=2)
