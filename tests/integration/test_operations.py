"""The daemon's life as an operator sees it: configuration checks, reload on
SIGHUP, drain on SIGTERM, the systemd notify protocol, start-up failures, and
behaviour under a saturated listener."""

import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

import harness


class OperationsTestCase(unittest.TestCase):
    """Each test starts the daemons it needs; they are removed afterwards."""

    def make_daemon(self, overrides=None, database=None):
        daemon = harness.Daemon(overrides, database)
        self.addCleanup(self.remove, daemon)
        return daemon

    @staticmethod
    def remove(daemon):
        daemon.cleanup()
        if getattr(daemon, "log_file", None) is not None:
            daemon.log_file.close()

    def tls_socket(self, daemon, timeout=10, context=None):
        raw = socket.create_connection(("127.0.0.1", daemon.port), timeout=timeout)
        try:
            return (context or daemon.tls_context()).wrap_socket(raw, server_hostname="127.0.0.1")
        except BaseException:
            raw.close()
            raise


class CheckConfigTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="th-check-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        # Only the file is checked: no database or certificate is opened.
        self.sections = {
            "server": {"listen": "127.0.0.1:8443", "worker_threads": 4},
            "tls": {"certificate_file": os.path.join(self.dir, "cert.pem"),
                    "key_file": os.path.join(self.dir, "key.pem")},
            "storage": {"url": "sqlite://" + os.path.join(self.dir, "th.db")},
        }

    def write(self, text):
        path = os.path.join(self.dir, "telehealthd.toml")
        with open(path, "w") as out:
            out.write(text)
        return path

    def check(self, text):
        path = self.write(text)
        return path, harness.run_telehealthd("--check-config", "--config", path)

    def test_valid_file_passes(self):
        path, result = self.check(harness.render_toml(self.sections))

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(path, result.stdout)
        self.assertIn("valid", result.stdout)

    def test_mistyped_key_names_file_line_key_and_the_likely_one(self):
        text = harness.render_toml(self.sections).replace(
            'listen = "127.0.0.1:8443"', 'listn = "127.0.0.1:8443"')
        line = text.splitlines().index('listn = "127.0.0.1:8443"') + 1

        path, result = self.check(text)

        self.assertEqual(result.returncode, 1)
        self.assertIn("%s:%d:" % (path, line), result.stderr)
        self.assertIn("'server.listn'", result.stderr)
        self.assertIn("did you mean 'server.listen'", result.stderr)

    def test_wrong_type_names_the_key_and_the_expected_type(self):
        self.sections["server"]["worker_threads"] = "eight"

        path, result = self.check(harness.render_toml(self.sections))

        self.assertEqual(result.returncode, 1)
        self.assertIn(path + ":", result.stderr)
        self.assertIn("'server.worker_threads' must be an integer", result.stderr)

    def test_out_of_range_value_names_the_key_and_the_range(self):
        self.sections["server"]["worker_threads"] = 0

        path, result = self.check(harness.render_toml(self.sections))

        self.assertEqual(result.returncode, 1)
        self.assertIn(path + ":", result.stderr)
        self.assertIn("'server.worker_threads'", result.stderr)
        self.assertIn("between 1 and", result.stderr)
        self.assertIn("got 0", result.stderr)


class ReloadTest(OperationsTestCase):
    def reload(self, daemon, expected_line):
        mark = daemon.log_offset()
        daemon.send_signal(signal.SIGHUP)
        return daemon.wait_for_log(expected_line, since=mark)

    def test_sighup_serves_a_new_certificate_to_new_connections_and_keeps_old_ones(self):
        daemon = self.make_daemon().start()
        old_der = harness.certificate_der(daemon.cert)
        kept = daemon.connection()
        self.addCleanup(kept.close)
        self.assertEqual(daemon.get("/healthz", connection=kept).status, 200)
        kept_socket = kept.sock
        fresh_dir = tempfile.mkdtemp(dir=daemon.dir)
        cert, key = harness.make_certificate(fresh_dir, "fresh")
        os.replace(key, daemon.key)
        os.replace(cert, daemon.cert)

        self.reload(daemon, "reloaded TLS certificate " + daemon.cert)

        new_der = harness.certificate_der(daemon.cert)
        self.assertNotEqual(new_der, old_der)
        second = daemon.get("/healthz", connection=kept)
        self.assertEqual(second.status, 200)
        self.assertIs(kept.sock, kept_socket, "the kept-alive connection was replaced")
        self.assertEqual(kept.sock.getpeercert(binary_form=True), old_der)
        self.assertEqual(daemon.peer_certificate(), new_der)
        self.assertIn("reloading configuration", daemon.log())

    def test_broken_config_file_keeps_the_running_configuration(self):
        daemon = self.make_daemon().start()
        old_der = harness.certificate_der(daemon.cert)
        with open(daemon.config_path, "w") as out:
            out.write("[server\nlisten = \n")

        log = self.reload(daemon, "reload failed, keeping the running configuration")

        self.assertIn(daemon.config_path, log)
        self.assertEqual(daemon.get("/healthz").status, 200)
        self.assertEqual(daemon.peer_certificate(), old_der)
        self.assertEqual(daemon.process.poll(), None)

    def test_unusable_new_certificate_keeps_the_previous_one(self):
        daemon = self.make_daemon().start()
        trusted_copy = os.path.join(daemon.dir, "old-cert.pem")
        shutil.copy(daemon.cert, trusted_copy)
        old_der = harness.certificate_der(daemon.cert)
        with open(daemon.cert, "w") as out:
            out.write("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")

        log = self.reload(daemon, "reload kept the previous TLS certificate")

        self.assertIn(daemon.cert, log)
        context = ssl.create_default_context(cafile=trusted_copy)
        self.assertEqual(daemon.peer_certificate(context=context), old_der)

    def test_sighup_applies_a_new_log_level(self):
        daemon = self.make_daemon({"log": {"level": "info"}}).start()
        connection = daemon.connection()
        self.addCleanup(connection.close)
        quiet_id = daemon.get("/healthz", connection=connection).header("X-Request-Id")
        # The second answer on the same connection comes from the same worker
        # after it finished logging the first request, so the log is complete.
        daemon.get("/healthz", connection=connection)
        self.assertNotIn("request " + quiet_id, daemon.log())
        daemon.sections["log"]["level"] = "debug"
        daemon.write_config()

        self.reload(daemon, "reloaded TLS certificate")
        loud_id = daemon.get("/healthz").header("X-Request-Id")

        log = daemon.wait_for_log("request " + loud_id)
        self.assertIn("/healthz -> 200", log)
        debug = [r for r in daemon.log_records() if loud_id in r["msg"]]
        self.assertEqual([r["level"] for r in debug], ["debug"])


    def test_reloads_during_traffic_do_not_interrupt_service(self):
        daemon = self.make_daemon().start()
        failures = []
        done = threading.Event()

        def client():
            connection = daemon.connection(timeout=10)
            try:
                while not done.is_set():
                    status = daemon.get("/healthz", connection=connection).status
                    if status != 200:
                        failures.append(status)
            except Exception as error:  # the first failure ends this client
                failures.append(repr(error))
            finally:
                connection.close()

        clients = [threading.Thread(target=client) for _ in range(6)]
        for thread in clients:
            thread.start()
        for _ in range(200):
            if daemon.process.poll() is not None:
                break
            daemon.send_signal(signal.SIGHUP)
            time.sleep(0.01)
        done.set()
        for thread in clients:
            thread.join(15)

        self.assertIsNone(daemon.process.poll(),
                          "telehealthd ended (status %s) while reloading under traffic"
                          % daemon.process.returncode)
        self.assertEqual(failures, [])

class DrainTest(OperationsTestCase):
    def test_sigterm_finishes_the_request_in_flight_refuses_new_ones_and_exits_0(self):
        daemon = self.make_daemon().start()
        idle = daemon.connection()
        self.addCleanup(idle.close)
        self.assertEqual(daemon.get("/healthz", connection=idle).status, 200)
        busy = self.tls_socket(daemon)
        self.addCleanup(busy.close)
        busy.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n\r\nab")

        mark = daemon.log_offset()
        daemon.send_signal(signal.SIGTERM)
        daemon.wait_for_log("stopping: draining connections", since=mark)

        # The idle connection is closed at once; that happens after the
        # listener stopped accepting, so new connections now go unserved.
        idle.sock.settimeout(5)
        try:
            self.assertEqual(idle.sock.recv(1), b"")
        except (ssl.SSLEOFError, ConnectionResetError):
            pass
        with self.assertRaises((OSError, ssl.SSLError)):
            late = self.tls_socket(daemon, timeout=1)
            late.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            self.assertEqual(late.recv(64), b"")  # not reached when the handshake times out
        busy.sendall(b"cd")
        answer = busy.recv(4096)
        self.assertTrue(answer.startswith(b"HTTP/1.1 200"), answer)
        self.assertEqual(daemon.process.wait(timeout=10), 0)
        messages = [record["msg"] for record in daemon.log_records()]
        self.assertIn("stopped", messages)
        self.assertFalse(any("drain timed out" in m for m in messages), messages)


class SystemdNotifyTest(OperationsTestCase):
    def setUp(self):
        self.daemon = self.make_daemon()
        path = os.path.join(self.daemon.dir, "notify.sock")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(self.notify.close)
        self.notify.bind(path)
        self.daemon.env["NOTIFY_SOCKET"] = path
        self.daemon.env["WATCHDOG_USEC"] = "2000000"
        self.daemon.env.pop("WATCHDOG_PID", None)
        self.messages = []

    def receive_until(self, wanted, timeout=10):
        """Collects datagrams until one holds the line wanted; returns those received."""
        received = []
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.notify.settimeout(max(0.01, deadline - time.time()))
            try:
                message = self.notify.recv(4096).decode()
            except socket.timeout:
                break
            received.append(message)
            self.messages.append(message)
            if wanted in message.splitlines():
                return received
        self.fail("no %r within %s s; received %r" % (wanted, timeout, self.messages))

    def test_ready_watchdog_reloading_and_stopping_are_sent(self):
        self.daemon.start(wait=False)

        ready = self.receive_until("READY=1")[-1]
        self.assertIn("STATUS=serving on 127.0.0.1:%d" % self.daemon.port, ready.splitlines())
        self.assertEqual(self.daemon.get("/healthz").status, 200)  # ready means serving
        started = time.time()
        self.receive_until("WATCHDOG=1", timeout=3)
        self.assertLess(time.time() - started, 3)

        self.daemon.send_signal(signal.SIGHUP)
        self.receive_until("RELOADING=1")
        after_reload = self.receive_until("READY=1")[-1]
        self.assertIn("STATUS=serving on 127.0.0.1:%d" % self.daemon.port,
                      after_reload.splitlines())

        self.daemon.send_signal(signal.SIGTERM)
        self.receive_until("STOPPING=1")
        self.assertEqual(self.daemon.process.wait(timeout=10), 0)


class StartupFailureTest(OperationsTestCase):
    def failure_lines(self, log):
        return [line for line in log.splitlines() if '"level":"critical"' in line]

    def test_port_in_use_exits_with_one_line_naming_the_address(self):
        holder = socket.socket()
        self.addCleanup(holder.close)
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        address = "127.0.0.1:%d" % holder.getsockname()[1]
        daemon = self.make_daemon({"server": {"listen": address}})

        code, log = daemon.run_to_exit(timeout=10)

        self.assertNotEqual(code, 0)
        naming = [line for line in log.splitlines() if address in line]
        self.assertEqual(len(naming), 1, log)
        self.assertEqual(self.failure_lines(log), naming)
        self.assertIn("in use", naming[0])

    def test_second_daemon_on_the_same_port_refuses_to_start(self):
        first = self.make_daemon().start()
        address = "127.0.0.1:%d" % first.port
        second = self.make_daemon({"server": {"listen": address}})

        second.start(wait=False)
        try:
            code = second.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None

        self.assertIsNotNone(
            code, "a second telehealthd bound %s while the first was listening on it "
                  "(the listener sets SO_REUSEPORT), so the kernel now splits "
                  "connections between them:\n%s" % (address, second.log()))
        self.assertNotEqual(code, 0)
        self.assertIn(address, second.log())

    def test_missing_certificate_exits_naming_the_file(self):
        daemon = self.make_daemon()
        missing = os.path.join(daemon.dir, "missing-cert.pem")
        daemon.sections["tls"]["certificate_file"] = missing
        daemon.write_config()

        code, log = daemon.run_to_exit(timeout=30)

        self.assertEqual(code, 1)
        lines = self.failure_lines(log)
        self.assertEqual(len(lines), 1, log)
        self.assertIn(missing, lines[0])

    def test_unusable_certificate_exits_naming_the_file(self):
        daemon = self.make_daemon()
        with open(daemon.cert, "w") as out:
            out.write("this is not a certificate\n")

        code, log = daemon.run_to_exit(timeout=30)

        self.assertEqual(code, 1)
        lines = self.failure_lines(log)
        self.assertEqual(len(lines), 1, log)
        self.assertIn(daemon.cert, lines[0])


class SchemaTest(OperationsTestCase):
    def test_schema_newer_than_the_binary_stops_start_up(self):
        daemon = self.make_daemon().start()
        self.assertEqual(daemon.stop(), 0)
        daemon.sql("INSERT INTO schema_migrations (version, description, applied_at) "
                   "VALUES (9999, 'from a later release', 0)")

        code, log = daemon.run_to_exit(timeout=30)

        self.assertEqual(code, 1)
        self.assertIn("schema version 9999 is newer than this telehealthd supports", log)
        self.assertIn("upgrade telehealthd", log)

    def test_two_daemons_starting_together_migrate_once(self):
        for _ in range(3):
            first = self.make_daemon()
            second = self.make_daemon({"keys": {"kek_file": first.kek}},
                                      database=first.database_url)

            first.start(wait=False)
            second.start(wait=False)
            first.wait_ready()
            second.wait_ready()

            supported = first.admin("GET", "/api/v1/status").json()["schema_version_supported"]
            for daemon in (first, second):
                self.assertEqual(daemon.admin("GET", "/api/v1/status").json()["schema_version"],
                                 supported)
            rows = first.sql("SELECT version, COUNT(*) FROM schema_migrations "
                             "GROUP BY version ORDER BY version")
            self.assertEqual(rows, ["%d|1" % v for v in range(1, supported + 1)])
            first.stop()
            second.stop()


class SaturationTest(OperationsTestCase):
    @staticmethod
    def served(daemon, path, seconds=20):
        """GET path, retried while the daemon refuses the connection."""
        started = time.time()
        while True:
            try:
                return daemon.get(path)
            except (OSError, ssl.SSLError, harness.http.client.HTTPException):
                if time.time() - started > seconds:
                    raise
                time.sleep(0.1)

    def test_idle_connections_beyond_the_cap_do_not_stop_service_once_timed_out(self):
        daemon = self.make_daemon({"server": {"worker_threads": 2, "max_connections": 4,
                                              "header_timeout_seconds": 2}}).start()
        idle = []
        self.addCleanup(lambda: [s.close() for s in idle])
        for _ in range(10):
            idle.append(socket.create_connection(("127.0.0.1", daemon.port), timeout=10))

        # Four silent clients fill the connections until their header
        # deadline; the rest are closed at accept. Service comes back once
        # they time out, but not necessarily for every request at once:
        # under the sanitizers the request right after the first one served
        # has been seen refused at accept (a CI run). So each is tried until
        # it is served; the claim is that service comes back, within 20 s.
        healthz = self.served(daemon, "/healthz")
        metrics_reply = self.served(daemon, "/metrics")

        self.assertEqual(healthz.status, 200)
        self.assertEqual(metrics_reply.status, 200)
        metrics = metrics_reply.body.decode()
        refused = [line for line in metrics.splitlines()
                   if line.startswith("telehealthd_refused_connections_total ")]
        self.assertEqual(len(refused), 1, metrics)
        self.assertGreaterEqual(float(refused[0].split()[1]), 1)


if __name__ == "__main__":
    harness.main()
