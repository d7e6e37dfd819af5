"""The README's first command: `telehealthd --dev --state-dir DIR` brings up a
development instance on SQLite that thctl reaches over the admin socket and
over HTTPS, with everything it needs made inside DIR on first start, and
several such instances side by side.

Dev mode always uses SQLite in DIR, so this test runs the same on both
backends.
"""

import os
import signal
import stat
import subprocess
import tempfile
import unittest

import harness


class DevInstance:
    """One `telehealthd --dev` process and its state folder."""

    def __init__(self):
        self.scratch = tempfile.mkdtemp(prefix="th-dev-")
        self.state_dir = os.path.join(self.scratch, "state")
        self.port = harness.free_port()
        self.log_path = os.path.join(self.scratch, "daemon.log")
        self.process = None

    def start(self):
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [harness.TELEHEALTHD, "--dev", "--state-dir", self.state_dir,
                 "--listen", "127.0.0.1:%d" % self.port],
                stdout=log, stderr=subprocess.STDOUT)
        harness.wait_until(self.answers_status, timeout=30, message="the dev instance to answer")
        return self

    def thctl(self, *args, remote_token=None):
        command = [harness.THCTL]
        if remote_token is None:
            command += ["--socket", os.path.join(self.state_dir, "admin.sock")]
        else:
            command += ["--url", "https://127.0.0.1:%d" % self.port,
                        "--ca-file", os.path.join(self.state_dir, "tls", "cert.pem"),
                        "--token-file", remote_token]
        return subprocess.run(command + list(args), capture_output=True, text=True, timeout=60)

    def answers_status(self):
        if self.process.poll() is not None:
            raise AssertionError("telehealthd --dev exited with %d:\n%s"
                                 % (self.process.returncode, self.log()))
        return self.thctl("status").returncode == 0

    def log(self):
        with open(self.log_path, errors="replace") as log:
            return log.read()

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        return self.process.returncode


class DevModeTest(unittest.TestCase):
    def setUp(self):
        self.instance = DevInstance()
        self.addCleanup(self.instance.stop)
        self.instance.start()

    def service_token(self):
        """A token for a service user, made over the socket as a sysadmin would."""
        self.assertEqual(self.instance.thctl("user", "create", "--username", "ops",
                                             "--role", "admin", "--kind", "service").returncode, 0)
        made = self.instance.thctl("--quiet", "token", "create", "--user", "ops",
                                   "--name", "dev-test")
        self.assertEqual(made.returncode, 0, made.stderr)
        path = os.path.join(self.instance.scratch, "token")
        with open(path, "w") as out:
            out.write(made.stdout)
        os.chmod(path, 0o600)
        return path

    def test_first_start_makes_the_database_certificate_and_keys_inside_the_state_dir(self):
        state = self.instance.state_dir

        for name in ["telehealth.db", "tls/cert.pem", "tls/key.pem", "keys/kek", "admin.sock"]:
            self.assertTrue(os.path.exists(os.path.join(state, name)), name + " is missing")
        for secret in ["tls/key.pem", "keys/kek"]:
            mode = stat.S_IMODE(os.stat(os.path.join(state, secret)).st_mode)
            self.assertEqual(mode & 0o077, 0, "%s is readable by others (%o)" % (secret, mode))
        self.assertIn("self-signed", self.instance.log().lower())

    def test_thctl_status_answers_over_the_socket_and_over_https(self):
        token = self.service_token()

        local = self.instance.thctl("--output", "json", "status")
        remote = self.instance.thctl("--output", "json", "status", remote_token=token)

        self.assertEqual(local.returncode, 0, local.stderr)
        self.assertEqual(remote.returncode, 0, remote.stderr)
        self.assertIn('"storage_backend"', local.stdout)
        self.assertIn("sqlite", remote.stdout)

    def test_restart_keeps_the_same_certificate_and_data(self):
        cert_path = os.path.join(self.instance.state_dir, "tls", "cert.pem")
        with open(cert_path) as cert:
            first_certificate = cert.read()
        token = self.service_token()
        self.assertEqual(self.instance.stop(), 0)

        self.instance.start()

        with open(cert_path) as cert:
            self.assertEqual(cert.read(), first_certificate)
        listed = self.instance.thctl("--output", "json", "user", "list")
        self.assertIn('"ops"', listed.stdout)
        self.assertEqual(self.instance.thctl("status", remote_token=token).returncode, 0)

    def test_two_instances_run_side_by_side(self):
        other = DevInstance()
        self.addCleanup(other.stop)

        other.start()

        self.assertNotEqual(other.port, self.instance.port)
        self.assertEqual(self.instance.thctl("status").returncode, 0)
        self.assertEqual(other.thctl("status").returncode, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
