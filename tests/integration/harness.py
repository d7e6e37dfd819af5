"""Black-box test harness: starts the real telehealthd on loopback with a
temporary configuration, talks real HTTPS to it, and runs the real thctl.

The backend comes from TH_TEST_BACKEND (sqlite, the default, or postgresql).
For PostgreSQL the suite runs inside pg_virtualenv, which exports PGHOST,
PGPORT, PGUSER and PGPASSWORD; each daemon gets a database of its own.

Python standard library only.
"""

import base64
import grp
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
import uuid

BINARY_DIR = os.environ.get("TH_BINARY_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
SOURCE_DIR = os.environ.get("TH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "../.."))
TELEHEALTHD = os.path.join(BINARY_DIR, "daemon", "telehealthd")
THCTL = os.path.join(BINARY_DIR, "cli", "thctl")
BACKEND = os.environ.get("TH_TEST_BACKEND", "sqlite")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_certificate(directory, name="cert", days=2):
    cert = os.path.join(directory, name + ".pem")
    key = os.path.join(directory, name + "-key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-subj", "/CN=localhost", "-days", str(days),
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", key, "-out", cert],
        check=True, capture_output=True)
    os.chmod(key, 0o600)
    return cert, key


def run_telehealthd(*args, timeout=60):
    """Runs telehealthd to completion (for --check-config and the like)."""
    return subprocess.run([TELEHEALTHD, *args], capture_output=True, text=True, timeout=timeout)


def certificate_der(path):
    """The DER bytes of the first certificate in a PEM file."""
    with open(path) as pem:
        return ssl.PEM_cert_to_DER_cert(pem.read())


def wait_until(predicate, timeout=10, interval=0.05, message="condition"):
    """Polls predicate until it returns something true; returns that value."""
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() >= deadline:
            raise AssertionError("timed out after %s s waiting for %s" % (timeout, message))
        time.sleep(interval)


def make_kek(directory, name="kek"):
    """A key-encryption key file as `thctl keys generate` writes it."""
    path = os.path.join(directory, name)
    with open(path, "w") as out:
        out.write(base64.b64encode(os.urandom(32)).decode() + "\n")
    os.chmod(path, 0o600)
    return path


def make_signing_key(directory):
    """An Ed25519 audit signing key as `openssl genpkey` writes it, readable by its owner only."""
    path = os.path.join(directory, "audit-signing.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", path],
                   check=True, capture_output=True)
    os.chmod(path, 0o600)
    return path


def create_postgresql_database():
    name = "th_" + uuid.uuid4().hex[:12]
    subprocess.run(["createdb", name], check=True, capture_output=True)
    return name


def database_url(state_dir):
    if BACKEND == "postgresql":
        return "postgresql:///" + create_postgresql_database()
    return "sqlite://" + os.path.join(state_dir, "telehealth.db")


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)


def render_toml(sections):
    lines = []
    for section, keys in sections.items():
        lines.append("[%s]" % section)
        for key, value in keys.items():
            lines.append("%s = %s" % (key, toml_value(value)))
        lines.append("")
    return "\n".join(lines)


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=30):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


class Daemon:
    """One telehealthd process with its own folder, port and database."""

    def __init__(self, overrides=None, database=None):
        self.dir = tempfile.mkdtemp(prefix="th-test-")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.cert, self.key = make_certificate(self.dir)
        self.kek = make_kek(self.dir)
        self.log_path = os.path.join(self.dir, "daemon.log")
        self.socket_path = os.path.join(self.dir, "admin.sock")
        self.database_url = database or database_url(self.dir)
        self.sections = {
            "server": {"listen": "127.0.0.1:%d" % self.port, "header_timeout_seconds": 3,
                       "drain_timeout_seconds": 5, "worker_threads": 8},
            "tls": {"certificate_file": self.cert, "key_file": self.key},
            "admin": {"socket_path": self.socket_path,
                      "group": grp.getgrgid(os.getgid()).gr_name},
            "storage": {"url": self.database_url, "startup_timeout_seconds": 5},
            "log": {"level": "debug", "format": "json"},
            "node": {"name": "test-node"},
            "keys": {"kek_file": self.kek},
        }
        for section, keys in (overrides or {}).items():
            self.sections.setdefault(section, {}).update(keys)
        self.config_path = os.path.join(self.dir, "telehealthd.toml")
        self.write_config()
        self.process = None
        self.env = dict(os.environ)

    def write_config(self):
        with open(self.config_path, "w") as out:
            out.write(render_toml(self.sections))

    @property
    def base_url(self):
        return "https://127.0.0.1:%d" % self.port

    def start(self, wait=True, extra_args=()):
        self.log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [TELEHEALTHD, "--config", self.config_path, *extra_args],
            stdout=self.log_file, stderr=self.log_file, env=self.env)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("telehealthd exited with %d:\n%s"
                                     % (self.process.returncode, self.log()))
            try:
                if self.get("/readyz").status == 200:
                    return
            except (OSError, ssl.SSLError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        raise AssertionError("telehealthd did not become ready:\n" + self.log())

    def run_to_exit(self, timeout=60, extra_args=()):
        """Runs the daemon expecting it to stop by itself; returns (code, log)."""
        self.start(wait=False, extra_args=extra_args)
        code = self.process.wait(timeout=timeout)
        return code, self.log()

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.log_file.close()

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def cleanup(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self):
        try:
            with open(self.log_path, "rb") as log:
                return log.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_records(self):
        records = []
        for line in self.log().splitlines():
            line = line.strip()
            if line.startswith("{"):
                records.append(json.loads(line))
        return records


    def send_signal(self, sig):
        self.process.send_signal(sig)

    def log_offset(self):
        """A mark in the log; wait_for_log(since=mark) looks only after it."""
        return len(self.log())

    def wait_for_log(self, fragment, since=0, timeout=10):
        """Waits until fragment appears in the log after since; returns the log from there."""
        def found():
            text = self.log()[since:]
            return text if fragment in text else None
        try:
            return wait_until(found, timeout=timeout, message=repr(fragment))
        except AssertionError as failure:
            raise AssertionError("%s in the log:\n%s" % (failure, self.log())) from None

    def peer_certificate(self, context=None):
        """DER bytes of the certificate the daemon presents to a new connection."""
        context = context or self.tls_context()
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                return tls.getpeercert(binary_form=True)

    def sql(self, statement):
        """Runs one SQL statement on the daemon's database; returns the output rows."""
        if self.database_url.startswith("sqlite://"):
            command = ["sqlite3", "-batch", self.database_url[len("sqlite://"):], statement]
        else:
            name = self.database_url[len("postgresql:///"):]
            command = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", name,
                       "-c", statement]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise AssertionError("%s failed: %s" % (command[0], result.stderr))
        return result.stdout.splitlines()

    # -- clients --

    def tls_context(self, minimum=None, maximum=None):
        context = ssl.create_default_context(cafile=self.cert)
        if minimum is not None:
            context.minimum_version = minimum
        if maximum is not None:
            context.maximum_version = maximum
        return context

    def connection(self, timeout=30, context=None):
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                           context=context or self.tls_context())

    def request(self, method, path, body=None, headers=None, token=None, connection=None):
        own = connection is None
        connection = connection or self.connection()
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = "Bearer " + token
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return Reply(response.status, response.getheaders(), response.read())
        finally:
            if own:
                connection.close()

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body=body, **kwargs)

    def admin(self, method, path, body=None):
        connection = UnixHTTPConnection(self.socket_path)
        headers = {}
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            headers["Content-Type"] = "application/json"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return Reply(response.status, response.getheaders(), response.read())
        finally:
            connection.close()

    def thctl(self, *args, remote=False, token_file=None, input=None, env=None):
        command = [THCTL]
        if remote:
            command += ["--url", self.base_url, "--ca-file", self.cert]
            if token_file:
                command += ["--token-file", token_file]
        else:
            command += ["--socket", self.socket_path]
        command += list(args)
        result = subprocess.run(command, capture_output=True, text=True, input=input,
                                env=env, timeout=60)
        return result

    def thctl_json(self, *args, **kwargs):
        """thctl with --output json: (result, parsed stdout or None when empty)."""
        result = self.thctl("--output", "json", *args, **kwargs)
        try:
            return result, json.loads(result.stdout) if result.stdout.strip() else None
        except ValueError:
            raise AssertionError("not JSON: %r %r" % (result.stdout, result.stderr)) from None


def node_daemon(overrides, node, database=None, share_keys_of=None):
    """A daemon (not started) named `node` with an audit signing key;
    `share_keys_of` gives it another daemon's key-encryption key and audit
    signing key, as a second node of one clinic has."""
    daemon = Daemon(dict(overrides, node={"name": node}), database=database)
    if share_keys_of is None:
        signing_key = make_signing_key(daemon.dir)
    else:
        daemon.sections["keys"]["kek_file"] = share_keys_of.sections["keys"]["kek_file"]
        signing_key = share_keys_of.sections["audit"]["signing_key_file"]
    daemon.sections["audit"] = {"signing_key_file": signing_key}
    daemon.write_config()
    return daemon


def start_two_nodes(overrides):
    """Two started daemons, node-a and node-b, sharing one database and the
    keys of one clinic (PostgreSQL)."""
    first = node_daemon(overrides, "node-a").start()
    second = node_daemon(overrides, "node-b", first.database_url, first).start()
    return first, second


def stop_all(*daemons):
    for daemon in daemons:
        daemon.stop()
        daemon.cleanup()


class DaemonTestCase(unittest.TestCase):
    """Starts one daemon per test class (overrides in DAEMON_OVERRIDES)."""

    DAEMON_OVERRIDES = None

    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon(cls.DAEMON_OVERRIDES).start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()
        cls.daemon.cleanup()


def main():
    unittest.main(verbosity=2)
