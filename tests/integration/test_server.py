"""The HTTPS server's contract: endpoints, headers, errors, limits, TLS."""

import re
import socket
import ssl
import threading
import time

import harness


class ServerTest(harness.DaemonTestCase):
    def test_healthz_and_readyz_answer_without_credentials(self):
        self.assertEqual(self.daemon.get("/healthz").status, 200)
        ready = self.daemon.get("/readyz")
        self.assertEqual(ready.status, 200)
        self.assertEqual(ready.body, b"ready\n")

    def test_every_response_carries_a_fresh_request_id_and_security_headers(self):
        first = self.daemon.get("/healthz")
        second = self.daemon.get("/api/v1/status")

        ids = {first.header("X-Request-Id"), second.header("X-Request-Id")}
        self.assertEqual(len(ids), 2)
        for reply in (first, second):
            self.assertRegex(reply.header("X-Request-Id"), r"^[0-9a-f]{32}$")
            self.assertEqual(reply.header("Cache-Control"), "no-store")
            self.assertEqual(reply.header("X-Content-Type-Options"), "nosniff")
            self.assertIn("max-age=", reply.header("Strict-Transport-Security"))
            self.assertIn("default-src 'none'", reply.header("Content-Security-Policy"))

    def test_request_id_appears_in_the_log(self):
        reply = self.daemon.get("/healthz")

        request_id = reply.header("X-Request-Id")
        deadline = time.time() + 5
        while request_id not in self.daemon.log() and time.time() < deadline:
            time.sleep(0.05)
        self.assertIn(request_id, self.daemon.log())

    def test_unknown_path_is_a_json_404_and_wrong_method_a_405(self):
        missing = self.daemon.get("/api/v1/no-such-thing")
        wrong_method = self.daemon.request("DELETE", "/healthz")

        self.assertEqual(missing.status, 404)
        self.assertEqual(missing.json()["error"]["code"], "not_found")
        self.assertEqual(wrong_method.status, 405)
        self.assertEqual(wrong_method.json()["error"]["code"], "method_not_allowed")

    def test_status_requires_credentials_over_tls(self):
        reply = self.daemon.get("/api/v1/status")

        self.assertEqual(reply.status, 401)
        self.assertEqual(reply.json()["error"]["code"], "unauthenticated")

    def test_admin_socket_serves_the_local_operator(self):
        reply = self.daemon.admin("GET", "/api/v1/status")

        self.assertEqual(reply.status, 200)
        status = reply.json()
        self.assertEqual(status["storage_backend"],
                         "postgresql" if harness.BACKEND == "postgresql" else "sqlite3")
        self.assertGreaterEqual(status["schema_version"], 1)
        self.assertEqual(status["node"], "test-node")
        self.assertIn("tls_certificate_expires_at", status)
        self.assertIsNone(reply.header("Strict-Transport-Security"))

    def test_metrics_count_requests_by_route_and_status(self):
        self.daemon.get("/healthz")
        self.daemon.get("/api/v1/status")

        metrics = self.daemon.get("/metrics").body.decode()
        self.assertIn('telehealthd_http_requests_total{method="GET",route="/healthz",status="200"}',
                      metrics)
        self.assertIn('route="/api/v1/status",status="401"', metrics)
        self.assertIn("telehealthd_http_request_duration_seconds_bucket", metrics)
        self.assertIn("telehealthd_open_connections", metrics)
        self.assertIn("telehealthd_db_pool_in_use", metrics)

    def test_oversized_body_gets_413_and_others_are_still_served(self):
        big = b"x" * (2 * 1024 * 1024)

        reply = self.daemon.request("POST", "/api/v1/status", body=big,
                                    headers={"Content-Type": "application/json"})

        self.assertEqual(reply.status, 413)
        self.assertEqual(reply.json()["error"]["code"], "payload_too_large")
        self.assertEqual(self.daemon.get("/healthz").status, 200)

    def test_chunked_oversized_body_gets_413(self):
        connection = self.daemon.connection()
        connection.putrequest("POST", "/api/v1/status")
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        chunk = b"y" * 65536
        try:
            for _ in range(20):
                connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            connection.send(b"0\r\n\r\n")
            status = connection.getresponse().status
        except (BrokenPipeError, ConnectionResetError):
            status = 413  # closed after the limit, which is also a refusal
        finally:
            connection.close()
        self.assertEqual(status, 413)

    def test_silent_client_is_disconnected_while_others_are_served(self):
        raw = socket.create_connection(("127.0.0.1", self.daemon.port))
        raw.settimeout(15)
        started = time.time()

        self.assertEqual(self.daemon.get("/healthz").status, 200)
        data = raw.recv(1024)  # the server gives up on the handshake and closes
        raw.close()
        self.assertEqual(data, b"")
        self.assertLess(time.time() - started, 12)

    def test_slow_headers_are_cut_off(self):
        context = self.daemon.tls_context()
        raw = socket.create_connection(("127.0.0.1", self.daemon.port))
        tls = context.wrap_socket(raw, server_hostname="127.0.0.1")
        tls.settimeout(15)
        tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finishes the headers
        started = time.time()

        served = []
        worker = threading.Thread(target=lambda: served.append(self.daemon.get("/healthz").status))
        worker.start()
        worker.join(10)
        try:
            data = tls.recv(1024)
        except (ConnectionResetError, ssl.SSLError):
            data = b""
        tls.close()
        self.assertEqual(served, [200])
        self.assertFalse(data.startswith(b"HTTP/1.1 200"))
        self.assertLess(time.time() - started, 12)


    def open_tls(self):
        raw = socket.create_connection(("127.0.0.1", self.daemon.port), timeout=15)
        tls = self.daemon.tls_context().wrap_socket(raw, server_hostname="127.0.0.1")
        self.addCleanup(tls.close)
        return tls

    def read_all(self, tls):
        data = b""
        try:
            while True:
                chunk = tls.recv(65536)
                if not chunk:
                    return data
                data += chunk
        except (ConnectionResetError, ssl.SSLError, socket.timeout):
            return data

    def test_trickled_headers_are_cut_off_at_the_deadline_while_others_are_served(self):
        tls = self.open_tls()
        tls.sendall(b"GET /healthz HTTP/1.1\r\n")
        started = time.time()
        cut_off = None
        # One header byte every half second: each read is quick, but the
        # head never completes within the 3 s header deadline.
        while time.time() - started < 10:
            self.assertEqual(self.daemon.get("/healthz").status, 200)
            try:
                tls.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                cut_off = time.time() - started
                break
            time.sleep(0.5)
        if cut_off is None:
            tls.settimeout(5)
            self.assertEqual(self.read_all(tls), b"")
            cut_off = time.time() - started
        self.assertLess(cut_off, 8)
        self.assertGreater(cut_off, 2)

    def test_pipelined_requests_are_answered_in_order(self):
        tls = self.open_tls()

        tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                    b"GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"
                    b"GET /no-such-thing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = self.read_all(tls)

        statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", data)
        self.assertEqual(statuses, [b"200", b"200", b"404"])
        self.assertIn(b"ready\n", data)

    def test_malformed_request_line_gets_400_and_others_are_still_served(self):
        tls = self.open_tls()

        tls.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        data = self.read_all(tls)

        self.assertTrue(data.startswith(b"HTTP/1.1 400 "), data[:100])
        self.assertIn(b"Connection: close", data)
        self.assertIn(b'"code":"bad_request"', data)
        self.assertIn(b"X-Request-Id: ", data)
        self.assertEqual(self.daemon.get("/healthz").status, 200)

    def test_oversized_headers_get_431(self):
        tls = self.open_tls()

        tls.sendall(b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 17000 + b"\r\n\r\n")
        data = self.read_all(tls)

        self.assertTrue(data.startswith(b"HTTP/1.1 431 "), data[:100])

    def test_http_1_0_is_answered_and_closed(self):
        tls = self.open_tls()

        tls.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
        data = self.read_all(tls)

        self.assertTrue(data.startswith(b"HTTP/1.1 200 "), data[:100])
        self.assertIn(b"Connection: close", data)

    def test_kept_alive_connection_serves_many_requests(self):
        connection = self.daemon.connection()
        self.addCleanup(connection.close)

        statuses = [self.daemon.get("/healthz", connection=connection).status for _ in range(20)]

        self.assertEqual(statuses, [200] * 20)

    def test_connection_close_is_honoured(self):
        tls = self.open_tls()

        tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        data = self.read_all(tls)

        self.assertEqual(data.count(b"HTTP/1.1 200 "), 1)
        self.assertIn(b"Connection: close", data)


class TlsVersionTest(harness.DaemonTestCase):
    def handshake(self, version):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(self.daemon.cert)
        context.minimum_version = version
        context.maximum_version = version
        if version < ssl.TLSVersion.TLSv1_2:
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with socket.create_connection(("127.0.0.1", self.daemon.port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                return tls.version()

    def test_tls_1_2_and_1_3_are_accepted(self):
        self.assertEqual(self.handshake(ssl.TLSVersion.TLSv1_2), "TLSv1.2")
        self.assertEqual(self.handshake(ssl.TLSVersion.TLSv1_3), "TLSv1.3")

    def test_tls_1_0_and_1_1_are_refused(self):
        for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            with self.subTest(version=version):
                with self.assertRaises((ssl.SSLError, ConnectionResetError)):
                    self.handshake(version)

    def test_tls_1_3_is_preferred(self):
        context = self.daemon.tls_context()
        with socket.create_connection(("127.0.0.1", self.daemon.port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                self.assertEqual(tls.version(), "TLSv1.3")


if __name__ == "__main__":
    harness.main()
