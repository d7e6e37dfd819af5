"""Sessions: listing and revoking one's own, an administrator revoking
someone else's, sign-out, cookie sign-in with its CSRF token, a session row
edited behind the daemon's back, and the idle timeout (automatic log-off).

The daemon's clock cannot be moved from outside. One test therefore ages a
session that the daemon has not yet loaded by rewriting its last-activity
time (what a freshly loaded session is judged by, and the one time outside
the session's integrity tag), and one test, IdleTimeoutTest, really waits:
the smallest configurable staff idle timeout is one minute, so it sleeps
about 62 seconds once. The unit tests in
tests/unit/access/credential_cache_test.cc cover the same rules, the
absolute lifetime included, with a manual clock.
"""

import json
import time
import unittest

import access_fixtures as fx
import harness
import ws_client

COOKIE = "th_session"


def cookie_from(login):
    """The session cookie's name=value pair from a sign-in's Set-Cookie."""
    return login.cookie.split(";", 1)[0]


class SessionManagementTest(fx.AccessTestCase):
    DAEMON_OVERRIDES = {"auth": dict(fx.UNTHROTTLED, session_lifetime_minutes=5)}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Patients sign in without MFA, so their extra sessions cost no
        # authenticator steps; staff accounts are used where the role matters.
        cls.patient = fx.create_account(cls.daemon, "patient")
        cls.other_patient = fx.create_account(cls.daemon, "patient")
        cls.nurse = fx.create_account(cls.daemon, "nurse")
        cls.clinician = fx.create_account(cls.daemon, "clinician")
        cls.admin = fx.create_account(cls.daemon, "admin")

    def assertSignedOut(self, token, reason="session_revoked"):
        self.assertErrorCode(self.daemon.get("/api/v1/me", token=token), 401, reason)

    def test_lists_own_sessions_and_marks_the_current_one(self):
        other = fx.sign_in(self.daemon, self.patient)

        reply = self.daemon.get("/api/v1/me/sessions", token=self.patient.token)

        self.assertStatus(reply, 200)
        items = {item["id"]: item for item in reply.json()["items"]}
        self.assertTrue(items[self.patient.session_id]["current"])
        self.assertFalse(items[other.session_id]["current"])
        self.assertEqual({item["user_id"] for item in items.values()}, {self.patient.id})
        self.assertNotIn(other.token.encode(), reply.body)
        self.assertNotIn(b"token_hash", reply.body)

    def test_sign_in_states_the_lifetime_and_sets_a_strict_cookie(self):
        login = fx.sign_in(self.daemon, self.clinician)

        self.assertEqual(login.session["idle_timeout_seconds"], 15 * 60)
        self.assertIn("Max-Age=300", login.cookie)
        for attribute in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
            self.assertIn(attribute, login.cookie)
        self.assertTrue(cookie_from(login).startswith(COOKIE + "="))

    def test_revokes_own_session_by_id(self):
        other = fx.sign_in(self.daemon, self.patient)

        reply = self.daemon.request("DELETE", "/api/v1/me/sessions/" + other.session_id,
                                    token=self.patient.token)
        again = self.daemon.request("DELETE", "/api/v1/me/sessions/" + other.session_id,
                                    token=self.patient.token)

        self.assertStatus(reply, 200)
        self.assertSignedOut(other.token)
        self.assertStatus(self.daemon.get("/api/v1/me", token=self.patient.token), 200)
        self.assertStatus(again, 409)

    def test_cannot_revoke_someone_elses_session_as_own(self):
        other = fx.sign_in(self.daemon, self.other_patient)

        reply = self.daemon.request("DELETE", "/api/v1/me/sessions/" + other.session_id,
                                    token=self.nurse.token)

        self.assertStatus(reply, 404)
        self.assertStatus(self.daemon.get("/api/v1/me", token=other.token), 200)

    def test_operator_revokes_someone_elses_session_over_the_socket(self):
        other = fx.sign_in(self.daemon, self.other_patient)
        owner = self.other_patient.id
        listed = self.daemon.admin("GET", "/api/v1/sessions?user=" + owner).json()

        reply = self.daemon.admin("DELETE", "/api/v1/sessions/" + other.session_id)
        after = self.daemon.admin("GET", "/api/v1/sessions?user=" + owner).json()

        self.assertIn(other.session_id, [item["id"] for item in listed["items"]])
        self.assertStatus(reply, 200)
        self.assertSignedOut(other.token)
        self.assertNotIn(other.session_id, [item["id"] for item in after["items"]])
        self.assertStatus(self.daemon.get("/api/v1/me", token=self.other_patient.token), 200)

    def test_admin_revokes_someone_elses_session_over_https(self):
        other = fx.sign_in(self.daemon, self.patient)

        reply = self.daemon.request("DELETE", "/api/v1/sessions/" + other.session_id,
                                    token=self.admin.token)

        self.assertStatus(reply, 200)
        self.assertSignedOut(other.token)

    def test_sign_out_ends_the_session_and_clears_the_cookie(self):
        other = fx.sign_in(self.daemon, self.patient)

        reply = self.daemon.post("/api/v1/auth/logout", token=other.token)

        self.assertStatus(reply, 200)
        self.assertIn("Max-Age=0", reply.header("Set-Cookie"))
        self.assertSignedOut(other.token)

    def test_cookie_reads_without_csrf_but_writes_only_with_it(self):
        login = fx.sign_in(self.daemon, self.nurse)
        cookie = {"Cookie": cookie_from(login)}

        read = self.daemon.get("/api/v1/me", headers=cookie)
        no_csrf = self.daemon.post("/api/v1/auth/logout", headers=cookie)
        wrong_csrf = self.daemon.post("/api/v1/auth/logout",
                                      headers=dict(cookie, **{"X-CSRF-Token": "0" * 64}))
        other_csrf = self.daemon.post("/api/v1/auth/logout",
                                      headers=dict(cookie,
                                                   **{"X-CSRF-Token": self.nurse.csrf_token}))
        still_signed_in = self.daemon.get("/api/v1/me", headers=cookie)
        with_csrf = self.daemon.post("/api/v1/auth/logout",
                                     headers=dict(cookie, **{"X-CSRF-Token": login.csrf_token}))
        after = self.daemon.get("/api/v1/me", headers=cookie)

        self.assertStatus(read, 200)
        self.assertEqual(read.json()["session_id"], login.session_id)
        for refused in (no_csrf, wrong_csrf, other_csrf):
            self.assertErrorCode(refused, 403, "csrf_failed")
        self.assertStatus(still_signed_in, 200)
        self.assertStatus(with_csrf, 200)
        self.assertErrorCode(after, 401, "session_revoked")

    def test_bearer_header_needs_no_csrf_token(self):
        login = fx.sign_in(self.daemon, self.patient)

        reply = self.daemon.post("/api/v1/auth/logout", token=login.token)

        self.assertStatus(reply, 200)

    def test_session_whose_stored_row_was_edited_is_refused_and_audited(self):
        # The expiry and role are under the session's integrity tag: an edit
        # behind the daemon's back makes the credential unusable, not longer
        # lived or stronger (the absolute lifetime itself is tested with a
        # controllable clock in tests/unit/access/credential_cache_test.cc).
        edits = {"expires_at = expires_at + 86400000000": "expires_at = expires_at - 86400000000",
                 "role = 'admin'": "role = 'patient'"}
        for edit, undo in edits.items():
            with self.subTest(edit=edit):
                login = fx.sign_in(self.daemon, self.patient)
                # Not used yet, so the daemon judges it by what is stored.
                self.daemon.sql("UPDATE sessions SET %s WHERE id = '%s'"
                                % (edit, login.session_id))
                # Put back, so that listings in other tests still read.
                self.addCleanup(self.daemon.sql, "UPDATE sessions SET %s WHERE id = '%s'"
                                % (undo, login.session_id))

                reply = self.daemon.get("/api/v1/me", token=login.token)

                self.assertStatus(reply, 500)
                self.assertEqual(reply.json()["error"]["code"], "data_loss")
                self.assertNotIn(b"admin", reply.body)
                denials = [json.loads(body)["reason"] for body in self.daemon.sql(
                    "SELECT body FROM audit_events WHERE action = 'access' AND "
                    "outcome = 'denied'")]
                self.assertEqual(denials.count("session %s failed its integrity check"
                                                % login.session_id), 1)

    def test_session_idle_in_storage_is_logged_off_on_first_use(self):
        login = fx.sign_in(self.daemon, self.clinician)
        self.daemon.sql("UPDATE sessions SET last_seen_at = last_seen_at - %d WHERE id = '%s'"
                        % ((15 * 60 + 5) * 1000000, login.session_id))

        first = self.daemon.get("/api/v1/me", token=login.token)
        second = self.daemon.get("/api/v1/me", token=login.token)

        self.assertErrorCode(first, 401, "session_idle_timeout")
        self.assertErrorCode(second, 401, "session_idle_timeout")
        self.assertEqual(self.daemon.sql("SELECT revoked_reason FROM sessions WHERE id = '%s'"
                                         % login.session_id), ["session_idle_timeout"])

    def test_unknown_or_malformed_bearer_is_refused(self):
        for token in ("thu_" + "A" * 43, "x" * 200):
            self.assertErrorCode(self.daemon.get("/api/v1/me", token=token), 401,
                                 "invalid_token")
        basic = self.daemon.get("/api/v1/me", headers={"Authorization": "Basic Zm9vOmJhcg=="})
        self.assertErrorCode(basic, 401, "invalid_token")


class IdleTimeoutTest(fx.AccessTestCase):
    """The one real wait of the suite (about 62 s)."""

    DAEMON_OVERRIDES = {"auth": dict(fx.UNTHROTTLED, staff_idle_timeout_minutes=1,
                                     patient_idle_timeout_minutes=2)}

    def test_idle_sessions_are_logged_off_and_active_ones_kept(self):
        account = fx.create_account(self.daemon, "front_desk")
        idle = account.token
        active = fx.sign_in(self.daemon, account)
        polling = fx.sign_in(self.daemon, account)
        patient = fx.create_account(self.daemon, "patient")
        started = time.monotonic()
        for token in (idle, active.token, polling.token, patient.token):
            self.assertStatus(self.daemon.get("/api/v1/me", token=token), 200)
        # A socket that only sends heartbeats does not keep its session alive.
        idle_socket = ws_client.WebSocket(self.daemon, token=idle)
        active_socket = ws_client.WebSocket(self.daemon, token=active.token)
        for socket in (idle_socket, active_socket):
            self.addCleanup(socket.sock.close)

        self.heartbeat_until(started + 35, idle_socket, active_socket)
        self.assertStatus(self.daemon.get("/api/v1/me", token=active.token), 200)
        # Background polling authenticates but is not activity.
        self.assertStatus(self.daemon.get("/api/v1/me", token=polling.token,
                                          headers={"X-Background": "1"}), 200)
        self.heartbeat_until(started + 59, idle_socket, active_socket)
        time.sleep(max(0.0, 62 - (time.monotonic() - started)))

        self.assertEqual(active.session["idle_timeout_seconds"], 60)
        self.assertErrorCode(self.daemon.get("/api/v1/me", token=idle), 401,
                             "session_idle_timeout")
        self.assertErrorCode(self.daemon.get("/api/v1/me", token=polling.token), 401,
                             "session_idle_timeout")
        self.assertStatus(self.daemon.get("/api/v1/me", token=active.token), 200)
        self.assertStatus(self.daemon.get("/api/v1/me", token=patient.token), 200)
        sessions = self.daemon.admin("GET", "/api/v1/sessions?user=" + account.id).json()
        self.assertEqual([item["id"] for item in sessions["items"]], [active.session_id])
        patient_sessions = self.daemon.admin("GET", "/api/v1/sessions?user=" + patient.id).json()
        self.assertEqual([item["idle_timeout_seconds"] for item in patient_sessions["items"]],
                         [120])
        harness.wait_until(lambda: self.daemon.sql(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'logout' AND resource_id = '%s'"
            % account.session_id) == ["1"], message="the automatic log-off audit event")

        with self.assertRaises(ws_client.Closed) as closed:
            while True:
                idle_socket.receive()
        self.assertEqual((closed.exception.code, closed.exception.reason),
                         (4401, "session_idle_timeout"))
        self.assertEqual(active_socket.request("ping", id_="still-open")["type"], "pong")

    @staticmethod
    def heartbeat_until(deadline, *sockets):
        """Pings every socket (an application-level heartbeat) every few
        seconds until `deadline` (time.monotonic())."""
        while time.monotonic() < deadline:
            for number, socket in enumerate(sockets):
                reply = socket.request("ping", id_="heartbeat-%d" % number)
                if reply["type"] != "pong":
                    raise AssertionError("no pong: %r" % reply)
            time.sleep(min(5.0, max(0.0, deadline - time.monotonic())))


@unittest.skipUnless(harness.BACKEND == "postgresql",
                     "needs TH_TEST_BACKEND=postgresql (backend is %s)" % harness.BACKEND)
class TwoDaemonsRevocationTest(unittest.TestCase):
    """Two daemons on one PostgreSQL database: a session signed out through
    one stops working on the other, which had it cached, and the other's
    sockets of that session close."""

    @classmethod
    def setUpClass(cls):
        overrides = {"auth": dict(fx.UNTHROTTLED)}
        cls.first, cls.second = harness.start_two_nodes(overrides)

    @classmethod
    def tearDownClass(cls):
        harness.stop_all(cls.second, cls.first)

    def test_a_sign_out_through_one_daemon_ends_the_session_on_the_other(self):
        account = fx.create_account(self.first, "clinician")
        login = fx.sign_in(self.second, account)
        self.assertEqual(self.second.get("/api/v1/me", token=login.token).status, 200)
        socket = ws_client.WebSocket(self.second, token=login.token)
        self.addCleanup(socket.sock.close)

        self.assertEqual(self.first.post("/api/v1/auth/logout", token=login.token).status, 200)

        harness.wait_until(lambda: self.second.get("/api/v1/me", token=login.token).status == 401,
                           message="the other daemon refusing the signed-out session")
        self.assertEqual(socket.expect_close(), 4401)


if __name__ == "__main__":
    harness.main()
