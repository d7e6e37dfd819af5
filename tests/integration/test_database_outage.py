"""PostgreSQL going away and coming back under a running or starting daemon.

Each test runs a throwaway cluster of its own, so that it can be stopped
without disturbing the database the rest of the suite uses.
"""

import os
import shutil
import subprocess
import tempfile
import unittest

import harness

PG_BIN = os.environ.get("TH_PG_BIN", "/usr/lib/postgresql/15/bin")
ONLY_POSTGRESQL = ("the outage tests need TH_TEST_BACKEND=postgresql (backend is %s)"
                   % harness.BACKEND)


class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary folder, trusting 127.0.0.1. Run as
    the postgres OS user when the tests run as root (initdb refuses root)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="th-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = harness.free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        self.run("initdb", "--no-sync", "-A", "trust", "-U", "postgres", "-D", self.data)

    @property
    def url(self):
        return "postgresql://postgres@127.0.0.1:%d/postgres" % self.port

    def run(self, tool, *args):
        result = subprocess.run(self.as_user + [os.path.join(PG_BIN, tool), *args],
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise AssertionError("%s failed: %s%s" % (tool, result.stdout, result.stderr))

    def start(self):
        options = "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off" % (self.port, self.dir)
        self.run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"),
                 "-o", options, "-w", "start")

    def stop(self):
        self.run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")

    def remove(self):
        subprocess.run(self.as_user + [os.path.join(PG_BIN, "pg_ctl"), "-D", self.data,
                                       "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


@unittest.skipUnless(harness.BACKEND == "postgresql", ONLY_POSTGRESQL)
class DatabaseOutageTest(unittest.TestCase):
    def setUp(self):
        self.cluster = ThrowawayCluster()

    def tearDown(self):
        self.cluster.remove()

    def make_daemon(self, startup_timeout=5):
        daemon = harness.Daemon({"storage": {"startup_timeout_seconds": startup_timeout,
                                             "connect_timeout_seconds": 2}},
                                database=self.cluster.url)
        self.addCleanup(self.remove, daemon)
        return daemon

    @staticmethod
    def remove(daemon):
        daemon.cleanup()
        if getattr(daemon, "log_file", None) is not None:
            daemon.log_file.close()

    def readyz_status(self, daemon):
        return daemon.get("/readyz").status

    def start_and_lose_the_database(self):
        self.cluster.start()
        daemon = self.make_daemon().start()
        self.cluster.stop()
        harness.wait_until(lambda: self.readyz_status(daemon) == 503, timeout=5,
                           message="/readyz to answer 503")
        return daemon

    def test_outage_fails_readiness_but_not_liveness(self):
        daemon = self.start_and_lose_the_database()

        self.assertEqual(daemon.get("/readyz").body, b"database unavailable\n")
        self.assertEqual(daemon.get("/healthz").status, 200)
        self.assertEqual(daemon.process.poll(), None)

    def test_status_during_an_outage_is_a_json_503(self):
        daemon = self.start_and_lose_the_database()

        down = daemon.admin("GET", "/api/v1/status")

        self.assertEqual(down.status, 503, "status answered %d while the database was down: %s"
                         % (down.status, down.body.decode()))
        self.assertTrue(down.json()["error"]["message"])

    def test_daemon_recovers_when_the_database_returns_without_a_restart(self):
        daemon = self.start_and_lose_the_database()

        self.cluster.start()

        try:
            harness.wait_until(lambda: self.readyz_status(daemon) == 200, timeout=10,
                               message="/readyz to answer 200 again after the database came back")
        except AssertionError as failure:
            reconnects = [line for line in daemon.get("/metrics").body.decode().splitlines()
                          if line.startswith("telehealthd_db_reconnects_total ")]
            raise AssertionError("%s (%s)" % (failure, reconnects)) from None
        up = daemon.admin("GET", "/api/v1/status")
        self.assertEqual(up.status, 200)
        self.assertTrue(up.json()["database_reachable"])
        self.assertEqual(daemon.process.poll(), None)
        metrics = daemon.get("/metrics").body.decode().splitlines()
        self.assertNotIn("telehealthd_db_reconnects_total 0", metrics)

    def test_daemon_started_before_the_database_waits_for_it(self):
        daemon = self.make_daemon(startup_timeout=30)

        daemon.start(wait=False)
        daemon.wait_for_log("database not reachable yet, retrying")
        self.cluster.start()

        daemon.wait_ready(timeout=30)
        status = daemon.admin("GET", "/api/v1/status").json()
        self.assertEqual(status["storage_backend"], "postgresql")
        self.assertTrue(status["database_reachable"])

    def test_database_down_past_the_startup_timeout_stops_the_daemon(self):
        daemon = self.make_daemon(startup_timeout=2)

        code, log = daemon.run_to_exit(timeout=30)

        self.assertEqual(code, 1)
        failures = [r["msg"] for r in daemon.log_records() if r["level"] == "critical"]
        self.assertEqual(len(failures), 1, log)
        self.assertIn("connect to postgresql database", failures[0])
        # Clear means it says where or why, not only that it failed.
        self.assertTrue("127.0.0.1" in failures[0] or "refused" in failures[0].lower(),
                        "the start-up failure names neither the database address nor the "
                        "reason: " + failures[0])


if __name__ == "__main__":
    harness.main()
