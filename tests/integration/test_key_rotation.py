#!/usr/bin/env python3
"""Key-encryption-key rotation on a running daemon, end to end.

The operator's flow as thctl(1) documents it: `thctl keys generate` a new KEK
file, make it keys.kek_file and move the old one into keys.previous_kek_files,
reload (SIGHUP), `thctl keys rotate`, check that `thctl keys status` shows
nothing left under the old key, then drop the old file. Personal data written
before the rotation stays readable throughout and after a restart with only
the new KEK; a daemon started without the KEK its data keys need stops with
one clear error; a second daemon sharing the database keeps serving.

Python standard library only.
"""

import base64
import hashlib
import json
import os
import signal
import unittest

import access_fixtures as fx
import harness

EXIT_DATA_ERROR = 65
PURPOSES = ["blind_index", "data", "integrity"]
DOCUMENT = b"rotation survives: sealed document content\n"


def kek_id(path):
    """The id the daemon gives the KEK in `path`: labelled SHA-256, 16 hex digits."""
    with open(path) as key_file:
        raw = base64.b64decode(key_file.read().strip())
    return hashlib.sha256(b"telehealthd key-encryption key id v1\0" + raw).hexdigest()[:16]


def key_text(path):
    with open(path) as key_file:
        return key_file.read().strip()


def new_daemon(database=None, node="keys-node", share_keys_of=None):
    """A daemon (not started); `share_keys_of` gives it another daemon's KEK
    and audit signing key, as a second node of one clinic would have."""
    return harness.node_daemon({"auth": dict(fx.UNTHROTTLED)}, node, database, share_keys_of)


def configure_keys(daemon, current, previous=()):
    daemon.sections["keys"] = {"kek_file": current, "previous_kek_files": ",".join(previous)}
    daemon.write_config()


def reload_events(daemon, count):
    """The audit events of the first `count` reloads, once they are recorded:
    (outcome, reason) pairs, oldest first."""
    def recorded():
        rows = daemon.sql("SELECT outcome, body FROM audit_events WHERE action = 'reload' "
                          "ORDER BY seq")
        return rows if len(rows) >= count else None
    rows = harness.wait_until(recorded, timeout=10, message="the reload's audit event")
    events = []
    for row in rows:
        outcome, body = row.split("|", 1)
        events.append((outcome, json.loads(body)["reason"]))
    return events


def reload(daemon, expected="reloaded the key-encryption keys"):
    """Sends SIGHUP; returns the log from there once `expected` is in it."""
    mark = daemon.log_offset()
    daemon.send_signal(signal.SIGHUP)
    return daemon.wait_for_log(expected, since=mark)


class KeyRotationTest(unittest.TestCase):
    def setUp(self):
        self.daemons = []

    def tearDown(self):
        for daemon in self.daemons:
            daemon.stop()
            daemon.cleanup()

    def start(self, daemon):
        self.daemons.append(daemon)
        return daemon.start()

    def thctl_json(self, daemon, *args):
        result = daemon.thctl("-o", "json", "keys", *args)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def generate(self, daemon, name):
        path = os.path.join(daemon.dir, name)
        result = daemon.thctl("keys", "generate", path)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("wrote key-encryption key '%s'" % kek_id(path), result.stdout)
        return path

    def write_personal_data(self, daemon):
        """A patient, a front-desk account that may read them, a user found
        by username (a blind index) and a document uploaded by a clinician of
        the patient's care team: what must survive the rotation."""
        patient = fx.create_patient(daemon, family_name="Rotation-Ruiz")
        reader = fx.create_account(daemon, "front_desk")
        reader.author = fx.create_account(daemon, "clinician")
        fx.add_to_care_team(daemon, patient["id"], reader.author.id)
        uploaded = daemon.request("POST", "/api/v1/patients/%s/documents" % patient["id"],
                                  body=DOCUMENT, headers={"Content-Type": "text/plain"},
                                  token=reader.author.token)
        self.assertEqual(uploaded.status, 201, uploaded.body[:300])
        patient["document_id"] = uploaded.json()["id"]
        return patient, reader

    def assert_data_readable(self, daemon, patient, reader):
        token = fx.sign_in(daemon, reader).token
        demographics = daemon.get("/api/v1/patients/%s/demographics" % patient["id"], token=token)
        by_username = daemon.admin("GET", "/api/v1/users/" + reader.username)
        document = daemon.get("/api/v1/documents/%s/content" % patient["document_id"],
                              token=reader.author.token)

        self.assertEqual((document.status, document.body), (200, DOCUMENT))

        self.assertEqual(demographics.status, 200, demographics.body[:300])
        self.assertEqual(demographics.json()["family_name"], "Rotation-Ruiz")
        self.assertEqual(by_username.status, 200, by_username.body[:300])
        self.assertEqual(by_username.json()["username"], reader.username)

    # ---- the whole flow ----

    def test_rotation_on_a_running_daemon_then_restart_with_only_the_new_kek(self):
        daemon = self.start(new_daemon())
        old_kek = daemon.kek
        patient, reader = self.write_personal_data(daemon)
        new_kek = self.generate(daemon, "kek-2")

        configure_keys(daemon, new_kek, [old_kek])
        reload_log = reload(daemon)
        before = self.thctl_json(daemon, "status")
        rotated = self.thctl_json(daemon, "rotate")
        self.assert_data_readable(daemon, patient, reader)
        after = self.thctl_json(daemon, "status")

        self.assertIn("reloaded the key-encryption keys", reload_log)
        self.assertEqual(before["current_kek_id"], kek_id(new_kek))
        self.assertEqual(before["kek_ids"], [kek_id(old_kek), kek_id(new_kek)])
        self.assertEqual((before["total"], before["remaining"], before["complete"]), (3, 3, False))
        self.assertEqual({key["kek_id"] for key in before["keys"]}, {kek_id(old_kek)})
        self.assertEqual(rotated["rewrapped"], 3)
        self.assertEqual(rotated["from_kek_ids"], [kek_id(old_kek)])
        self.assertEqual((rotated["remaining"], rotated["complete"]), (0, True))
        self.assertIn("remove '%s' from keys.previous_kek_files" % kek_id(old_kek),
                      rotated["next_step"])
        self.assertEqual(sorted(key["purpose"] for key in after["keys"]), PURPOSES)
        for key in after["keys"]:
            self.assertEqual(key["kek_id"], kek_id(new_kek))
            self.assertTrue(key["under_current_kek"])
            self.assertIsNotNone(key["rewrapped_at"])
        # The data keys are the same keys: re-wrapping changed no id.
        self.assertEqual([key["id"] for key in after["keys"]],
                         [key["id"] for key in before["keys"]])

        # Restart with the old key gone from the configuration and the disk.
        daemon.stop()
        configure_keys(daemon, new_kek)
        os.remove(old_kek)
        daemon.start()
        self.assert_data_readable(daemon, patient, reader)
        self.assertEqual(self.thctl_json(daemon, "status")["remaining"], 0)

    def test_every_rotation_is_an_audit_event_without_key_material(self):
        daemon = self.start(new_daemon())
        old_kek = daemon.kek
        new_kek = self.generate(daemon, "kek-2")
        configure_keys(daemon, new_kek, [old_kek])
        reload(daemon)

        first = daemon.thctl("keys", "rotate")
        again = self.thctl_json(daemon, "rotate")
        rows = daemon.sql("SELECT resource_type, resource_id, outcome, body FROM audit_events "
                          "WHERE action = 'rotate' ORDER BY seq")

        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertIn("re-wrapped 3 data key(s) under key-encryption key '%s'" % kek_id(new_kek),
                      first.stdout)
        self.assertEqual(again["rewrapped"], 0)
        self.assertEqual(len(rows), 2, rows)
        for row in rows:
            resource_type, resource_id, outcome = row.split("|")[:3]
            self.assertEqual((resource_type, resource_id, outcome),
                             ("key", kek_id(new_kek), "success"))
        self.assertIn("from '%s'" % kek_id(old_kek), rows[0])
        secrets = [key_text(old_kek), key_text(new_kek)]
        stored = "\n".join(daemon.sql("SELECT body FROM audit_events")) + daemon.log()
        for secret in secrets:
            self.assertNotIn(secret, stored)
        [(outcome, reason)] = reload_events(daemon, 1)
        self.assertEqual(outcome, "success")
        self.assertIn("key-encryption keys reloaded: '%s', '%s' (current last)"
                      % (kek_id(old_kek), kek_id(new_kek)), reason)

    # ---- refusals ----

    def test_daemon_without_the_kek_its_data_keys_need_stops_with_one_clear_error(self):
        daemon = self.start(new_daemon())
        old_id = kek_id(daemon.kek)
        daemon.stop()
        wrong_kek = harness.make_kek(daemon.dir, "wrong-kek")
        configure_keys(daemon, wrong_kek)

        code, log = daemon.run_to_exit()

        self.assertEqual(code, 1, log)
        failures = [record["msg"] for record in daemon.log_records()
                    if record.get("level") == "critical"]
        self.assertEqual(len(failures), 1, log)
        self.assertIn("the blind_index, data and integrity keys are wrapped by key-encryption "
                      "key '%s', which is not configured" % old_id, failures[0])
        self.assertIn("'%s'" % kek_id(wrong_kek), failures[0])
        self.assertIn("keys.previous_kek_files", failures[0])
        self.assertNotIn(key_text(wrong_kek), log)

    def test_rotate_with_a_single_kek_changes_nothing_and_says_how_to_begin(self):
        daemon = self.start(new_daemon())
        wrapped_before = daemon.sql("SELECT wrapped FROM data_keys ORDER BY purpose")

        result = daemon.thctl("keys", "rotate")

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("re-wrapped 0 data key(s)", result.stdout)
        self.assertIn("thctl keys generate FILE", result.stdout)
        self.assertIn("keys.previous_kek_files", result.stdout)
        self.assertEqual(daemon.sql("SELECT wrapped FROM data_keys ORDER BY purpose"),
                         wrapped_before)

    def test_reload_keeps_the_running_keks_when_the_new_set_cannot_read_every_key(self):
        daemon = self.start(new_daemon())
        old_kek = daemon.kek
        new_kek = self.generate(daemon, "kek-2")
        configure_keys(daemon, new_kek)  # the old key dropped before any rotation

        reload_log = reload(daemon, "reload kept the key-encryption keys")
        status = self.thctl_json(daemon, "status")

        self.assertIn(kek_id(old_kek), reload_log)
        self.assertEqual(status["current_kek_id"], kek_id(old_kek))
        self.assertEqual(status["remaining"], 0)
        [(outcome, reason)] = reload_events(daemon, 1)
        self.assertEqual(outcome, "error")
        self.assertIn("key-encryption keys kept", reason)
        self.assertIn("TLS certificate reloaded", reason)

    def test_generate_refuses_to_replace_an_existing_file(self):
        daemon = harness.Daemon()
        self.daemons.append(daemon)
        path = os.path.join(daemon.dir, "kek-new")
        created = daemon.thctl("keys", "generate", path)
        original = key_text(path)

        again = daemon.thctl("keys", "generate", path)

        self.assertEqual(created.returncode, 0, created.stderr)
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        self.assertEqual(len(base64.b64decode(original)), 32)
        self.assertEqual(again.returncode, EXIT_DATA_ERROR)
        self.assertIn("already exists", again.stderr)
        self.assertEqual(key_text(path), original)

    # ---- progress and several daemons ----

    def test_status_shows_the_keys_an_interrupted_rotation_left_and_rotate_finishes(self):
        daemon = self.start(new_daemon())
        old_kek = daemon.kek
        old_data_row = daemon.sql("SELECT kek_id, wrapped FROM data_keys "
                                  "WHERE purpose = 'data'")[0].split("|")
        new_kek = self.generate(daemon, "kek-2")
        configure_keys(daemon, new_kek, [old_kek])
        reload(daemon)
        self.thctl_json(daemon, "rotate")
        # As if the rotation had stopped before it reached the data key.
        daemon.sql("UPDATE data_keys SET kek_id = '%s', wrapped = '%s', rewrapped_at = 0 "
                   "WHERE purpose = 'data'" % tuple(old_data_row))

        partial = self.thctl_json(daemon, "status")
        table = daemon.thctl("keys", "status")
        resumed = self.thctl_json(daemon, "rotate")

        self.assertEqual((partial["remaining"], partial["complete"]), (1, False))
        left = [key for key in partial["keys"] if not key["under_current_kek"]]
        self.assertEqual([(key["purpose"], key["kek_id"]) for key in left],
                         [("data", kek_id(old_kek))])
        self.assertIsNone(left[0]["rewrapped_at"])
        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertRegex(table.stdout, r"under an earlier key\s+1")
        self.assertEqual((resumed["rewrapped"], resumed["remaining"]), (1, 0))

    def test_a_second_daemon_keeps_serving_after_another_rotates_and_needs_the_new_kek(self):
        first = self.start(new_daemon(node="keys-first"))
        second = self.start(new_daemon(database=first.database_url, node="keys-second",
                                       share_keys_of=first))
        patient, reader = self.write_personal_data(first)
        old_kek = first.kek
        new_kek = self.generate(first, "kek-2")
        configure_keys(first, new_kek, [old_kek])
        reload(first)
        self.thctl_json(first, "rotate")

        self.assert_data_readable(second, patient, reader)
        refused = second.thctl("keys", "rotate")
        second_status = self.thctl_json(second, "status")
        second.stop()
        code, log = second.run_to_exit()

        self.assertEqual(refused.returncode, EXIT_DATA_ERROR, refused.stdout)
        self.assertIn("key-encryption key '%s' is not loaded" % kek_id(new_kek), refused.stderr)
        self.assertIn("another daemon may have rotated", refused.stderr)
        self.assertEqual(second_status["current_kek_id"], kek_id(old_kek))
        self.assertEqual(second_status["remaining"], 3)
        self.assertFalse(any(key["kek_held"] for key in second_status["keys"]))
        self.assertEqual(code, 1, log)
        self.assertIn("wrapped by key-encryption key '%s', which is not configured"
                      % kek_id(new_kek), log)


if __name__ == "__main__":
    harness.main()
