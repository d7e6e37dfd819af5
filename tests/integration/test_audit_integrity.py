"""The tamper-evident audit log, end to end: signed checkpoints, `thctl audit
verify` against a database edited behind the daemon's back, inclusion and
consistency proofs checked by an independent verifier and by openssl, and
the database-level defences (append-only triggers, and on PostgreSQL a
daemon role that may not rewrite audit rows).

Tampering goes straight to the database with the sqlite3 or psql command
line, as someone holding the database file or a superuser would: the
triggers are dropped (SQLite) or disabled (PostgreSQL) first, then rows are
changed. Each kind of tampering gets a fresh daemon and database.
"""

import base64
import hashlib
import json
import os
import subprocess
import tempfile
import unittest

import harness
import rfc6962_verify

EXIT_DATA_ERROR = 65
EXIT_NO_PERMISSION = 77
SQLITE_TRIGGERS = ["audit_events_no_update", "audit_events_no_delete",
                   "audit_patients_no_update", "audit_patients_no_delete"]
AUDIT_TABLES = ["audit_events", "audit_event_patients", "audit_checkpoints"]
ONLY_POSTGRESQL = "needs TH_TEST_BACKEND=postgresql (backend is %s)" % harness.BACKEND


def audit_daemon(audit=None, database=None, overrides=None):
    """A daemon (not started) with a signing key; checkpoints only on request
    unless `audit` sets intervals."""
    sections = {"auth": {"login_attempts_per_minute": 100000}}
    sections.update(overrides or {})
    daemon = harness.Daemon(sections, database=database)
    daemon.sections["audit"] = {"signing_key_file": harness.make_signing_key(daemon.dir),
                                "checkpoint_interval_events": 1000000,
                                "checkpoint_interval_seconds": 86400}
    daemon.sections["audit"].update(audit or {})
    daemon.write_config()
    return daemon


def dispose(daemon):
    """Stops a daemon (closing its log) and removes its folder."""
    daemon.stop()
    daemon.cleanup()


def generate_events(daemon, count=12):
    """Audited activity: users created over the admin socket, then refused
    sign-ins of unknown and known users."""
    for i in range(2):
        reply = daemon.admin("POST", "/api/v1/users",
                             {"username": "audit-user-%d-%s" % (i, os.urandom(3).hex()),
                              "role": "clinician", "email": "u%d@example.org" % i})
        assert reply.status == 201, reply.body
    for i in range(count - 2):
        daemon.post("/api/v1/auth/login", {"username": "nobody-%d" % i, "password": "wrong"})


def count_events(daemon):
    return int(daemon.sql("SELECT COUNT(*) FROM audit_events")[0])


def thctl_json(daemon, *args, **kwargs):
    return daemon.thctl_json(*args, **kwargs)


def split_note(note):
    """(signed text, key name, 4-byte key id, 64-byte signature) of a signed note."""
    text, _, signatures = note.partition("\n\n")
    line = signatures.splitlines()[0]
    assert line.startswith("\u2014 "), line
    name, _, encoded = line[2:].rpartition(" ")
    raw = base64.b64decode(encoded, validate=True)
    return text + "\n", name, raw[:4], raw[4:]


def tamper(daemon, *statements):
    """Runs statements on the daemon's database with its defences down."""
    if harness.BACKEND == "postgresql":
        script = ["ALTER TABLE %s DISABLE TRIGGER ALL" % t for t in AUDIT_TABLES]
        script += list(statements)
        script += ["ALTER TABLE %s ENABLE TRIGGER ALL" % t for t in AUDIT_TABLES]
    else:
        script = ["DROP TRIGGER IF EXISTS %s" % t for t in SQLITE_TRIGGERS] + list(statements)
    daemon.sql("; ".join(script))


def forged_row(seq, at_micros=1767225600000000):
    """An INSERT of a well-formed event at `seq`, its body, columns and hash
    consistent, as someone who read the format would write it."""
    event = {"action": "read", "actor_kind": "user", "actor_role": "clinician",
             "actor_user_id": "forger", "emergency": False, "id": "forged-event-id",
             "node": "test-node", "occurred_at": "2026-01-01T00:00:00.000000Z",
             "outcome": "success", "patient_id": "", "patient_ids": [], "reason": "",
             "request_id": "", "resource_id": "r-1", "resource_type": "patient_record",
             "session_id": "", "source_address": "", "user_agent": "", "seq": seq}
    body = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    leaf = rfc6962_verify.leaf_hash(body.encode()).hex()
    return ("INSERT INTO audit_events (seq, id, occurred_at, actor_user_id, actor_role, action, "
            "resource_type, resource_id, patient_id, outcome, emergency, request_id, node, body, "
            "leaf_hash) VALUES (%d, 'forged-event-id', %d, 'forger', 'clinician', 'read', "
            "'patient_record', 'r-1', '', 'success', 0, '', 'test-node', '%s', '%s')"
            % (seq, at_micros, body, leaf))


class AuditIntegrityTest(unittest.TestCase):
    """One daemon whose log is only ever appended to."""

    @classmethod
    def setUpClass(cls):
        cls.daemon = audit_daemon().start()
        generate_events(cls.daemon)

    @classmethod
    def tearDownClass(cls):
        dispose(cls.daemon)

    def checkpoint_now(self):
        result, checkpoint = thctl_json(self.daemon, "audit", "checkpoint", "--now")
        self.assertEqual(result.returncode, 0, result.stderr)
        return checkpoint

    def test_verify_succeeds_on_an_untouched_log(self):
        self.checkpoint_now()

        result, report = thctl_json(self.daemon, "audit", "verify")

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(report["ok"], True)
        self.assertIsNone(report["first_failure"])
        self.assertGreaterEqual(report["events_checked"], 10)
        self.assertGreaterEqual(report["checkpoints_checked"], 1)

    def test_each_verification_is_itself_audited(self):
        before = count_events(self.daemon)

        self.assertEqual(self.daemon.thctl("audit", "verify").returncode, 0)

        rows = self.daemon.sql("SELECT action, resource_type, actor_role, outcome FROM audit_events "
                               "WHERE seq = %d" % before)
        self.assertEqual(rows, ["verify|audit_log|local_operator|success"])

    def test_checkpoint_prints_the_signed_note_as_it_is(self):
        checkpoint = self.checkpoint_now()

        table = self.daemon.thctl("audit", "checkpoint")

        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertEqual(table.stdout, checkpoint["note"])
        origin, size, root = rfc6962_verify.note_checkpoint(checkpoint["note"])
        self.assertEqual(origin, checkpoint["origin"])
        self.assertEqual(origin, "telehealthd/test-node")
        self.assertEqual(size, checkpoint["tree_size"])
        self.assertEqual(root.hex(), checkpoint["root_hash"])
        self.assertIn("\ntimestamp %d\n" % checkpoint["timestamp"], checkpoint["note"])

    def test_note_signature_verifies_with_openssl_and_the_published_key(self):
        checkpoint = self.checkpoint_now()
        result, key = thctl_json(self.daemon, "audit", "public-key")
        self.assertEqual(result.returncode, 0, result.stderr)
        text, name, key_id, signature = split_note(checkpoint["note"])

        with tempfile.TemporaryDirectory() as scratch:
            paths = {part: os.path.join(scratch, part) for part in ("key.pem", "text", "sig")}
            for part, content in (("key.pem", key["public_key_pem"].encode()),
                                  ("text", text.encode()), ("sig", signature)):
                with open(paths[part], "wb") as out:
                    out.write(content)
            verified = subprocess.run(
                ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", paths["key.pem"], "-rawin",
                 "-in", paths["text"], "-sigfile", paths["sig"]], capture_output=True, text=True)

        self.assertEqual(verified.returncode, 0, verified.stdout + verified.stderr)
        self.assertEqual(name, key["origin"])
        raw_key = bytes.fromhex(key["public_key"])
        expected_id = hashlib.sha256(name.encode() + b"\n\x01" + raw_key).digest()[:4]
        self.assertEqual(key_id, expected_id)
        self.assertEqual(key["verifier_key"], "%s+%s+%s" % (
            name, expected_id.hex(), base64.b64encode(b"\x01" + raw_key).decode()))

    def test_public_key_prints_pem_and_verifier_key(self):
        result = self.daemon.thctl("audit", "public-key")

        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(lines[0], "-----BEGIN PUBLIC KEY-----")
        self.assertEqual(lines[-2], "-----END PUBLIC KEY-----")
        self.assertTrue(lines[-1].startswith("telehealthd/test-node+"), lines[-1])

    def test_inclusion_proof_checks_out_with_an_independent_verifier(self):
        event_id = self.daemon.sql("SELECT id FROM audit_events WHERE seq = 3")[0]
        result, proof = thctl_json(self.daemon, "audit", "prove", event_id)
        self.assertEqual(result.returncode, 0, result.stderr)

        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as out:
            json.dump(proof, out)
        self.addCleanup(os.unlink, out.name)
        checked = subprocess.run(["python3", rfc6962_verify.__file__, out.name],
                                 capture_output=True, text=True)
        digest = subprocess.run(["openssl", "dgst", "-sha256", "-r"],
                                input=b"\x00" + proof["body"].encode(), capture_output=True)

        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
        self.assertEqual(proof["leaf_index"], 3)
        self.assertEqual(digest.stdout.split()[0].decode(), proof["leaf_hash"])
        self.assertEqual(json.loads(proof["body"])["seq"], 3)
        _, size, root = rfc6962_verify.note_checkpoint(proof["checkpoint"]["note"])
        self.assertEqual((size, root.hex()), (proof["tree_size"], proof["root_hash"]))

    def test_verifier_refuses_a_proof_with_a_changed_hash(self):
        event_id = self.daemon.sql("SELECT id FROM audit_events WHERE seq = 5")[0]
        _, proof = thctl_json(self.daemon, "audit", "prove", event_id)
        proof["audit_path"][0] = "00" * 32

        problem = rfc6962_verify.check_document(proof)

        self.assertEqual(problem, "the audit path does not lead to the root")

    def test_inclusion_proof_of_a_new_event_signs_a_checkpoint_for_it(self):
        generate_events(self.daemon, 3)
        newest = self.daemon.sql("SELECT id, seq FROM audit_events ORDER BY seq DESC LIMIT 1")[0]
        event_id, seq = newest.split("|")

        result, proof = thctl_json(self.daemon, "audit", "prove", event_id)

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(proof["leaf_index"], int(seq))
        self.assertGreater(proof["tree_size"], int(seq))
        self.assertIsNone(rfc6962_verify.check_document(proof))

    def test_consistency_proof_between_two_checkpoints_checks_out(self):
        older = self.checkpoint_now()
        generate_events(self.daemon, 5)
        newer = self.checkpoint_now()

        result, proof = thctl_json(self.daemon, "audit", "consistency", "--from",
                                   str(older["tree_size"]), "--to", str(newer["tree_size"]))

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(proof["from_root_hash"], older["root_hash"])
        self.assertEqual(proof["to_root_hash"], newer["root_hash"])
        self.assertIsNone(rfc6962_verify.check_document(proof))
        self.assertFalse(rfc6962_verify.verify_consistency(
            older["tree_size"], newer["tree_size"], bytes(32),
            bytes.fromhex(proof["to_root_hash"]),
            [bytes.fromhex(h) for h in proof["consistency_path"]]))

    def test_consistency_needs_checkpoint_sizes(self):
        result = self.daemon.thctl("audit", "consistency", "--from", "1", "--to", "2")

        self.assertNotEqual(result.returncode, 0)
        self.assertIn("no", result.stderr)

    def test_triggers_refuse_update_and_delete(self):
        # The patient index may be empty here: the probe row is rolled back.
        probe = ("BEGIN; INSERT INTO audit_event_patients (seq, patient_id) VALUES (0, 'probe'); "
                 "%s; ROLLBACK")
        for statement in ("UPDATE audit_events SET actor_user_id = 'x' WHERE seq = 0",
                          "DELETE FROM audit_events WHERE seq = 0",
                          probe % "UPDATE audit_event_patients SET patient_id = 'x'",
                          probe % "DELETE FROM audit_event_patients",
                          "UPDATE audit_checkpoints SET root_hash = 'x'",
                          "DELETE FROM audit_checkpoints"):
            with self.subTest(statement=statement):
                with self.assertRaises(AssertionError) as refused:
                    self.daemon.sql(statement)
                self.assertIn("append-only", str(refused.exception))

    @unittest.skipUnless(harness.BACKEND == "postgresql", ONLY_POSTGRESQL)
    def test_triggers_refuse_truncate(self):
        for table in AUDIT_TABLES:
            with self.subTest(table=table):
                with self.assertRaises(AssertionError) as refused:
                    self.daemon.sql("TRUNCATE %s" % table)
                self.assertIn("append-only", str(refused.exception))

    def test_compliance_officer_verifies_over_https_and_others_may_not(self):
        import access_fixtures as fx
        officer = fx.create_account(self.daemon, "compliance_officer")
        clinician = fx.create_account(self.daemon, "clinician")
        outcomes = {}
        for who, account in (("officer", officer), ("clinician", clinician)):
            with tempfile.NamedTemporaryFile("w", delete=False) as token_file:
                token_file.write(account.token)
            self.addCleanup(os.unlink, token_file.name)
            outcomes[who] = self.daemon.thctl("audit", "verify", remote=True,
                                              token_file=token_file.name)

        self.assertEqual(outcomes["officer"].returncode, 0, outcomes["officer"].stderr)
        self.assertEqual(outcomes["clinician"].returncode, EXIT_NO_PERMISSION)


class CheckpointScheduleTest(unittest.TestCase):
    def test_daemon_signs_a_checkpoint_after_interval_events(self):
        daemon = audit_daemon({"checkpoint_interval_events": 5}).start()
        self.addCleanup(dispose, daemon)

        generate_events(daemon, 8)

        size = harness.wait_until(
            lambda: daemon.sql("SELECT MAX(tree_size) FROM audit_checkpoints")[0], timeout=15,
            message="a checkpoint")
        self.assertGreaterEqual(int(size), 5)
        self.assertEqual(daemon.thctl("audit", "verify").returncode, 0)


def perfect_subtree(index, tree_size):
    """[first, last] of the perfect subtree of a tree_size-leaf tree holding index."""
    start = 0
    while True:
        width = 1 << ((tree_size - start).bit_length() - 1)
        if index < start + width:
            return start, start + width - 1
        start += width


class TamperingTest(unittest.TestCase):
    """A fresh daemon and database per test: events, a checkpoint of them,
    a clean verification, then one kind of tampering."""

    def setUp(self):
        self.daemon = audit_daemon().start()
        self.addCleanup(dispose, self.daemon)
        generate_events(self.daemon)
        result, checkpoint = thctl_json(self.daemon, "audit", "checkpoint", "--now")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.checkpoint_size = checkpoint["tree_size"]
        self.assertEqual(self.daemon.thctl("audit", "verify").returncode, 0)
        # The clean verification added its own event after the checkpoint.
        self.size = count_events(self.daemon)

    def assertVerifyFailsAt(self, seq, words):
        result, report = thctl_json(self.daemon, "audit", "verify")
        self.assertEqual(result.returncode, EXIT_DATA_ERROR, result.stdout + result.stderr)
        self.assertFalse(report["ok"])
        self.assertEqual(report["first_failure"]["seq"], seq, report["first_failure"])
        self.assertIn(words, report["first_failure"]["reason"])
        return result

    def body_at(self, seq):
        return self.daemon.sql("SELECT body FROM audit_events WHERE seq = %d" % seq)[0]

    def test_detects_a_changed_body(self):
        body = self.body_at(4)
        changed = body.replace('"outcome":"denied"', '"outcome":"success"')
        self.assertNotEqual(changed, body)
        tamper(self.daemon, "UPDATE audit_events SET body = '%s' WHERE seq = 4" % changed)

        self.assertVerifyFailsAt(4, "leaf hash does not match the event body")

    def test_detects_a_changed_actor_and_says_so_in_every_format(self):
        tamper(self.daemon, "UPDATE audit_events SET actor_user_id = 'someone-else' WHERE seq = 6")

        result = self.assertVerifyFailsAt(6, "column 'actor_user_id'")
        table = self.daemon.thctl("audit", "verify")

        self.assertIn("thctl: error: audit log verification failed at seq 6: column "
                      "'actor_user_id' does not match the event body", result.stderr)
        self.assertEqual(table.returncode, EXIT_DATA_ERROR)
        self.assertIn("first failure at seq  6\n", table.stdout)
        self.assertEqual(self.daemon.thctl("--quiet", "audit", "verify").returncode,
                         EXIT_DATA_ERROR)

    def test_detects_a_deleted_event(self):
        tamper(self.daemon, "DELETE FROM audit_events WHERE seq = 5")

        self.assertVerifyFailsAt(5, "no event is stored at seq 5")

    def test_detects_two_events_swapped(self):
        tamper(self.daemon,
               "UPDATE audit_events SET seq = -1 WHERE seq = 3",
               "UPDATE audit_events SET seq = 3 WHERE seq = 8",
               "UPDATE audit_events SET seq = 8 WHERE seq = -1")

        self.assertVerifyFailsAt(3, "records seq 8")

    def test_detects_a_forged_event_inserted_between_others(self):
        tamper(self.daemon,
               "UPDATE audit_events SET seq = -seq - 1 WHERE seq >= 7",
               "UPDATE audit_events SET seq = -seq WHERE seq < 0",
               "UPDATE audit_event_patients SET seq = seq + 1 WHERE seq >= 7",
               forged_row(7))

        # The forged row is self-consistent; the event it displaced is the
        # first position where the stored log provably differs.
        self.assertVerifyFailsAt(8, "records seq 7")

    def test_detects_a_forged_event_appended_by_hand(self):
        tamper(self.daemon, forged_row(self.size).replace("'success', 0", "'success', 1"))

        self.assertVerifyFailsAt(self.size, "column 'emergency'")

    def test_detects_an_event_rewritten_with_its_hash_and_columns(self):
        seq = self.checkpoint_size - 3
        body = self.body_at(seq)
        changed = body.replace('"outcome":"denied"', '"outcome":"success"')
        self.assertNotEqual(changed, body)
        leaf = rfc6962_verify.leaf_hash(changed.encode()).hex()
        tamper(self.daemon, "UPDATE audit_events SET body = '%s', leaf_hash = '%s', "
                            "outcome = 'success' WHERE seq = %d" % (changed, leaf, seq))

        first, last = perfect_subtree(seq, self.checkpoint_size)
        self.assertVerifyFailsAt(first, "seq %d to %d do not hash to the root signed at tree size %d"
                                 % (first, last, self.checkpoint_size))

    def test_detects_events_removed_from_the_end(self):
        keep = self.checkpoint_size - 2
        tamper(self.daemon, "DELETE FROM audit_events WHERE seq >= %d" % keep,
               "DELETE FROM audit_event_patients WHERE seq >= %d" % keep)

        self.assertVerifyFailsAt(keep, "covers events beyond the %d stored" % keep)


@unittest.skipUnless(harness.BACKEND == "postgresql", ONLY_POSTGRESQL)
class PostgresqlRolesTest(unittest.TestCase):
    """config/postgresql-roles.sql: the daemon role reads and appends to the
    audit tables and can do nothing else to them."""

    SCRIPT = os.path.join(harness.SOURCE_DIR, "config", "postgresql-roles.sql")

    @classmethod
    def setUpClass(cls):
        suffix = os.urandom(4).hex()
        cls.owner = "th_owner_" + suffix
        cls.role = "th_daemon_" + suffix
        cls.password = os.urandom(12).hex()
        cls.database = harness.create_postgresql_database()
        cls.apply_script()
        for role in (cls.owner, cls.role):
            cls.psql("ALTER ROLE %s PASSWORD '%s'" % (role, cls.password))
        # The owner runs the migrations; then the script grants on the tables.
        cls.owner_daemon = cls.daemon_as(cls.owner)
        cls.owner_daemon.start()
        generate_events(cls.owner_daemon, 4)
        cls.owner_daemon.stop()
        cls.apply_script()

    @classmethod
    def tearDownClass(cls):
        dispose(cls.owner_daemon)
        subprocess.run(["dropdb", "--if-exists", cls.database], capture_output=True)
        for role in (cls.role, cls.owner):
            subprocess.run(["psql", "-X", "-q", "-c", "DROP ROLE IF EXISTS %s" % role],
                           capture_output=True)

    @classmethod
    def daemon_as(cls, role):
        """A daemon connecting as `role`, sharing the first daemon's keys."""
        url = "postgresql://%s@%s:%s/%s" % (role, os.environ.get("PGHOST", "localhost"),
                                            os.environ.get("PGPORT", "5432"), cls.database)
        daemon = audit_daemon(database=url)
        password_file = os.path.join(daemon.dir, "db-password")
        with open(password_file, "w") as out:
            out.write(cls.password)
        os.chmod(password_file, 0o600)
        daemon.sections["storage"]["password_file"] = password_file
        if getattr(cls, "owner_daemon", None) is not None:
            daemon.sections["keys"]["kek_file"] = cls.owner_daemon.kek
            daemon.sections["audit"]["signing_key_file"] = \
                cls.owner_daemon.sections["audit"]["signing_key_file"]
        daemon.write_config()
        return daemon

    @classmethod
    def apply_script(cls):
        result = subprocess.run(["psql", "-X", "-q", "-d", cls.database, "-v", "owner_role=" +
                                 cls.owner, "-v", "daemon_role=" + cls.role, "-f", cls.SCRIPT],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr

    @classmethod
    def psql(cls, statement, role=None):
        env = dict(os.environ)
        if role:
            env.update(PGUSER=role, PGPASSWORD=cls.password)
        command = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", cls.database]
        return subprocess.run(command + ["-c", statement], capture_output=True, text=True,
                              env=env)

    def test_daemon_role_cannot_change_or_remove_audit_rows(self):
        for statement in ("UPDATE audit_events SET actor_user_id = 'x'",
                          "DELETE FROM audit_events", "TRUNCATE audit_events",
                          "UPDATE audit_checkpoints SET note = ''",
                          "DELETE FROM audit_event_patients",
                          "ALTER TABLE audit_events DISABLE TRIGGER ALL",
                          "DROP TRIGGER audit_events_append_only ON audit_events"):
            with self.subTest(statement=statement):
                result = self.psql(statement, role=self.role)
                self.assertNotEqual(result.returncode, 0)
                self.assertRegex(result.stderr, "permission denied|must be owner")

    def test_daemon_role_reads_and_appends_audit_rows_and_writes_elsewhere(self):
        reads = self.psql("SELECT COUNT(*) FROM audit_events", role=self.role)
        appends = self.psql("BEGIN; INSERT INTO audit_event_patients (seq, patient_id) "
                            "VALUES (1000000, 'probe'); ROLLBACK", role=self.role)
        writes = self.psql("UPDATE daemon_nodes SET last_seen_at = last_seen_at", role=self.role)

        self.assertEqual(reads.returncode, 0, reads.stderr)
        self.assertGreaterEqual(int(reads.stdout), 4)
        self.assertEqual(appends.returncode, 0, appends.stderr)
        self.assertEqual(writes.returncode, 0, writes.stderr)

    def test_daemon_serves_as_the_daemon_role(self):
        daemon = self.daemon_as(self.role)
        self.addCleanup(dispose, daemon)

        daemon.start()
        generate_events(daemon, 2)
        patient = daemon.admin("POST", "/api/v1/patients",
                               {"mrn": "ROLE-" + os.urandom(3).hex(), "given_name": "Ada",
                                "family_name": "Role", "birth_date": "1970-01-01",
                                "sex": "unknown", "state": "OR"})

        self.assertEqual(patient.status, 201, patient.body)
        self.assertEqual(daemon.thctl("audit", "checkpoint", "--now").returncode, 0)
        self.assertEqual(daemon.thctl("audit", "verify").returncode, 0)
        self.assertEqual(daemon.thctl("integrity", "check").returncode, 0)


if __name__ == "__main__":
    harness.main()
