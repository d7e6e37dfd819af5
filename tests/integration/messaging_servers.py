"""Real servers for the reminder tests, run inside the test process:

  - an SMTP submission server (aiosmtpd, Debian's python3-aiosmtpd) that
    requires STARTTLS before anything else and AUTH after it, whose handler
    can stall or refuse on cue;
  - an HTTPS stand-in for an SMS provider's API (http.server with ssl), whose
    answers can be scripted;
  - a certificate authority made with openssl for both servers' certificates;
  - the fixture tool (tests/tools/notify_fixture.cc) that reports appointment
    changes to a daemon's database the way booking will.

python3-aiosmtpd and python3-icalendar install into the system interpreter's
dist-packages; when the python3 running the tests is another one (pyenv),
import_system_package() finds them there.
"""

import asyncio
import email
import email.policy
import http.server
import importlib
import json
import os
import ssl
import subprocess
import sys
import threading
import time
import warnings

import harness

# aiosmtpd 1.4 warns about its own use of a deprecated attribute during AUTH.
warnings.filterwarnings("ignore", message="Session.login_data is deprecated")

SYSTEM_PACKAGES = "/usr/lib/python3/dist-packages"
FIXTURE = os.path.join(harness.BINARY_DIR, "tests", "th_notify_fixture")


def import_system_package(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        if SYSTEM_PACKAGES not in sys.path:
            sys.path.append(SYSTEM_PACKAGES)
        return importlib.import_module(name)


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


class CertificateAuthority:
    """A throwaway CA in `directory`; issue() makes server certificates."""

    def __init__(self, directory, name="ca"):
        self.directory = directory
        self.cert = os.path.join(directory, name + ".pem")
        self.key = os.path.join(directory, name + "-key.pem")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-subj", "/CN=Reminder test CA " + name, "-days", "2",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-keyout", self.key, "-out", self.cert)

    def issue(self, name, dns_names=("localhost",)):
        cert = os.path.join(self.directory, name + ".pem")
        key = os.path.join(self.directory, name + "-key.pem")
        request = os.path.join(self.directory, name + ".csr")
        extensions = os.path.join(self.directory, name + ".ext")
        with open(extensions, "w") as out:
            out.write("subjectAltName=%s\n" % ",".join("DNS:" + n for n in dns_names))
            out.write("basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-subj", "/CN=" + dns_names[0], "-keyout", key, "-out", request)
        openssl("x509", "-req", "-in", request, "-CA", self.cert, "-CAkey", self.key,
                "-CAcreateserial", "-days", "2", "-extfile", extensions, "-out", cert)
        return cert, key


def server_tls_context(cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context


class Delivery:
    """One message as the SMTP server accepted it."""

    def __init__(self, envelope):
        self.sender = envelope.mail_from
        self.recipients = list(envelope.rcpt_tos)
        self.raw = envelope.original_content or envelope.content
        self.message = email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def message_id(self):
        return self.message["Message-ID"]

    def text(self):
        return self.message.get_body(preferencelist=("plain",)).get_content()

    def calendar_part(self):
        for part in self.message.walk():
            if part.get_content_type() == "text/calendar":
                return part
        return None


class SmtpHandler:
    """Records accepted messages. `mode` decides what the next DATA gets:
      accept              record it, 250
      stall_then_refuse   wait for release(), then 451 without recording it
                          (the server never took the message)
      accept_then_stall   record it, wait for release(), then 250 (the
                          server took it; the client may be gone by then)
      refuse              550
    The stalling modes apply once, then fall back to accept."""

    def __init__(self):
        self.mode = "accept"
        self.delay = 0.0
        self.deliveries = []
        self.stalled = threading.Event()
        self.released = threading.Event()
        self.lock = threading.Lock()

    def release(self):
        self.released.set()

    async def wait_for_release(self):
        self.stalled.set()
        while not self.released.is_set():
            await asyncio.sleep(0.02)

    async def handle_DATA(self, server, session, envelope):
        mode = self.mode
        if mode in ("stall_then_refuse", "accept_then_stall"):
            self.mode = "accept"
        if self.delay:
            await asyncio.sleep(self.delay)
        if mode == "refuse":
            return "550 5.1.1 mailbox unavailable"
        if mode == "stall_then_refuse":
            await self.wait_for_release()
            return "451 4.3.0 try again later"
        with self.lock:
            self.deliveries.append(Delivery(envelope))
        if mode == "accept_then_stall":
            await self.wait_for_release()
        return "250 2.0.0 OK"

    def count(self):
        with self.lock:
            return len(self.deliveries)


class SmtpServer:
    """An aiosmtpd server on loopback. With a TLS context it requires
    STARTTLS before MAIL and AUTH after it (user/password below); without
    one it offers neither, like a server that cannot encrypt."""

    USERNAME = "mailer"
    PASSWORD = "mail-secret-7d1f"

    def __init__(self, tls_context=None):
        controller_module = import_system_package("aiosmtpd.controller")
        smtp_module = import_system_package("aiosmtpd.smtp")
        self.handler = SmtpHandler()
        self.port = harness.free_port()
        self.logins = []

        def authenticate(server, session, envelope, mechanism, auth_data):
            login = auth_data.login.decode()
            password = auth_data.password.decode()
            self.logins.append(login)
            ok = login == self.USERNAME and password == self.PASSWORD
            return smtp_module.AuthResult(success=ok, handled=False)

        options = {}
        if tls_context is not None:
            options = dict(tls_context=tls_context, require_starttls=True, auth_required=True,
                           auth_require_tls=True, authenticator=authenticate)
        self.controller = controller_module.Controller(
            self.handler, hostname="127.0.0.1", port=self.port, server_hostname="localhost",
            **options)
        self.controller.start()

    def stop(self):
        self.handler.release()
        self.controller.stop()


class SmsProvider:
    """An HTTPS endpoint standing in for an SMS provider: it records each
    POST (path, headers, parsed JSON body) and answers with the next status
    of `statuses`, 200 once they run out."""

    def __init__(self, cert, key):
        self.requests = []
        self.statuses = []
        self.lock = threading.Lock()
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with provider.lock:
                    provider.requests.append((self.path, dict(self.headers), body))
                    status = provider.statuses.pop(0) if provider.statuses else 200
                reply = json.dumps({"status": "queued" if status == 200 else "error"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = server_tls_context(cert, key).wrap_socket(self.server.socket,
                                                                       server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "https://localhost:%d/v1/messages" % self.port

    def received(self):
        with self.lock:
            return [(path, headers, json.loads(body)) for path, headers, body in self.requests]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def report_change(daemon, appointment, start, kind="booked", sequence=1, practitioner="prac-1",
                  patient="pat-1", email_address="", phone="", zone="America/New_York",
                  count=1, minutes=20, initials=""):
    """Reports an appointment change through the fixture tool; returns the
    number of messages it queued."""
    command = [FIXTURE, "--config", daemon.config_path, "--kind", kind,
               "--appointment", appointment, "--sequence", str(sequence),
               "--start", str(int(start)), "--minutes", str(minutes),
               "--practitioner", practitioner, "--practitioner-name", "Dr. Lee",
               "--patient", patient, "--email", email_address, "--phone", phone, "--zone", zone,
               "--count", str(count), "--initials", initials]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise AssertionError("th_notify_fixture failed: " + result.stderr)
    return int(result.stdout.strip())


def reminders(daemon, status=None):
    """The outbox as `thctl reminder list -o json` shows it."""
    args = ["-o", "json", "reminder", "list", "--limit", "1000"]
    if status:
        args += ["--status", status]
    result = daemon.thctl(*args)
    if result.returncode != 0:
        raise AssertionError("thctl reminder list failed: " + result.stderr)
    return json.loads(result.stdout)


def wait_for_status(daemon, dedupe_key, status, timeout=20):
    def reached():
        for row in reminders(daemon):
            if row["dedupe_key"] == dedupe_key and row["status"] == status:
                return row
        return None
    return harness.wait_until(reached, timeout=timeout, interval=0.2,
                              message="%s to be %s" % (dedupe_key, status))


def in_three_days():
    return (int(time.time()) // 60 + 3 * 24 * 60) * 60
