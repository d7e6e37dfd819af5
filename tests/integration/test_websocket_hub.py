"""The WebSocket endpoint wss://HOST/api/v1/ws and the envelope level of the
real-time protocol (lib/realtime/PROTOCOL.md): authentication before the
upgrade, the Origin check, hello, ping, error frames with audited denials,
protocol violations closing only the offending socket, a revoked session
closing its sockets, and the HTTP API staying responsive with hundreds of
sockets open on a small worker pool.
"""

import json
import socket as socket_module
import struct

import access_fixtures as fx
import harness
import ws_client


class WebSocketHubTest(fx.AccessTestCase):
    DAEMON_OVERRIDES = {
        "auth": dict(fx.UNTHROTTLED),
        "server": {"worker_threads": 2, "max_connections": 64},
        "hub": {"max_message_bytes": 4096, "ping_interval_seconds": 30,
                "send_queue_messages": 8},
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.patient = fx.create_account(cls.daemon, "patient")

    def open(self, **kwargs):
        socket = ws_client.WebSocket(self.daemon, **kwargs)
        self.addCleanup(socket.sock.close)
        return socket

    def denials(self):
        return int(self.daemon.sql(
            "SELECT COUNT(*) FROM audit_events WHERE resource_type = 'websocket_message' "
            "AND outcome = 'denied' AND actor_user_id = '%s'" % self.patient.id)[0])

    def test_refuses_the_upgrade_without_credentials(self):
        with self.assertRaises(ws_client.UpgradeRefused) as refused:
            ws_client.WebSocket(self.daemon)

        self.assertEqual(refused.exception.status, 401)

    def test_refuses_the_upgrade_with_an_invalid_token(self):
        with self.assertRaises(ws_client.UpgradeRefused) as refused:
            ws_client.WebSocket(self.daemon, token="not-a-session")

        self.assertEqual(refused.exception.status, 401)

    def test_refuses_a_foreign_origin(self):
        with self.assertRaises(ws_client.UpgradeRefused) as refused:
            ws_client.WebSocket(self.daemon, token=self.patient.token,
                                origin="https://evil.example")

        self.assertEqual(refused.exception.status, 403)

    def test_plain_get_is_told_to_upgrade(self):
        reply = self.daemon.get("/api/v1/ws", token=self.patient.token)

        self.assertStatus(reply, 426)

    def test_greets_with_the_protocol_version_and_answers_pings(self):
        socket = self.open(token=self.patient.token)

        pong = socket.request("ping", id_="p-1")

        self.assertEqual(socket.hello["type"], "hello")
        self.assertEqual(socket.hello["payload"]["protocol"], 1)
        self.assertEqual(socket.hello["payload"]["user_id"], self.patient.id)
        self.assertEqual(socket.hello["payload"]["max_message_bytes"], 4096)
        self.assertEqual(pong["type"], "pong")

    def test_frames_sent_right_behind_the_upgrade_request_are_not_lost(self):
        ping = json.dumps({"type": "ping", "id": "early"})

        socket = self.open(token=self.patient.token,
                           after_request=ws_client.encode_frame(ws_client.TEXT, ping))

        pong = socket.receive_json()
        self.assertEqual(pong["type"], "pong")
        self.assertEqual(pong["payload"]["ref"], "early")

    def test_accepts_the_session_cookie_from_the_own_origin(self):
        login = fx.sign_in(self.daemon, self.patient)
        origin = "https://127.0.0.1:%d" % self.daemon.port

        socket = self.open(cookie=login.token, origin=origin)

        self.assertEqual(socket.hello["payload"]["user_id"], self.patient.id)

    def test_client_hello_with_another_version_gets_an_error_frame(self):
        socket = self.open(token=self.patient.token)

        same = socket.request("hello", {"protocol": 1}, id_="h-1")
        other = socket.request("hello", {"protocol": 99}, id_="h-2")

        self.assertEqual(same["type"], "hello")
        self.assertEqual(other["type"], "error")
        self.assertEqual(other["payload"]["code"], "unsupported_protocol")

    def test_malformed_json_gets_an_error_frame_and_an_audited_denial(self):
        socket = self.open(token=self.patient.token)
        before = self.denials()

        socket.send_text("{not json")
        error = socket.receive_json()
        pong = socket.request("ping", id_="after")

        self.assertEqual(error["type"], "error")
        self.assertEqual(error["payload"]["code"], "malformed_json")
        self.assertEqual(pong["type"], "pong")
        harness.wait_until(lambda: self.denials() == before + 1, message="the audited denial")

    def test_strictly_invalid_json_and_repeated_envelope_members_are_refused(self):
        socket = self.open(token=self.patient.token)
        deep = "[" * 70 + "]" * 70

        codes = []
        for text in ['{"type":"ping","payload":{"a":%s}}' % deep,
                     '{"type":"ping","payload":{"a":"\\ud800"}}',
                     '{"type":"ping","payload":{"a":"\\q"}}',
                     '{"type":"ping","payload":{"a":-01}}',
                     '{"type":"ping","type":"ping"}',
                     '{"type":"ping","id":"a","id":"b"}']:
            socket.send_text(text)
            codes.append(socket.receive_json()["payload"]["code"])
        pong = socket.request("ping", id_="after")

        self.assertEqual(codes, ["malformed_json"] * 4 + ["invalid_envelope"] * 2)
        self.assertEqual(pong["type"], "pong")

    def test_unknown_type_names_the_message_it_answers(self):
        socket = self.open(token=self.patient.token)

        error = socket.request("no.such.type", {}, id_="u-7")

        self.assertEqual(error["type"], "error")
        self.assertEqual(error["payload"]["code"], "unknown_type")
        self.assertEqual(error["payload"]["ref"], "u-7")

    def test_binary_messages_get_an_error_frame(self):
        socket = self.open(token=self.patient.token)

        socket.raw_send(ws_client.encode_frame(ws_client.BINARY, b"\x00\x01"))
        error = socket.receive_json()

        self.assertEqual(error["payload"]["code"], "invalid_envelope")

    def test_joins_fragmented_messages(self):
        socket = self.open(token=self.patient.token)
        text = '{"type":"ping","id":"frag"}'

        socket.raw_send(ws_client.encode_frame(ws_client.TEXT, text[:10], final=False))
        socket.raw_send(ws_client.encode_frame(ws_client.PING, b"beat"))
        socket.raw_send(ws_client.encode_frame(ws_client.CONTINUATION, text[10:]))
        opcode, payload = socket.read_frame()
        reply = socket.receive_json()

        self.assertEqual((opcode, payload), (ws_client.PONG, b"beat"))
        self.assertEqual(reply["payload"]["ref"], "frag")

    def test_every_request_of_a_burst_is_answered_in_order(self):
        # Each ping its own TLS record, sent back to back: the daemon reads
        # them many at a time, must answer the ones left in its TLS buffer
        # without waiting for more input, and must not take five times its
        # send queue (8 here) of replies to its own client for a slow reader.
        socket = self.open(token=self.patient.token)
        count = 40

        for number in range(count):
            ping = json.dumps({"type": "ping", "id": "burst-%d" % number})
            socket.raw_send(ws_client.encode_frame(ws_client.TEXT, ping))
        replies = [socket.receive_json() for _ in range(count)]

        self.assertEqual([reply["type"] for reply in replies], ["pong"] * count)
        self.assertEqual([reply["payload"]["ref"] for reply in replies],
                         ["burst-%d" % number for number in range(count)])

    def test_oversized_message_closes_only_that_socket(self):
        bystander = self.open(token=self.patient.token)
        socket = self.open(token=self.patient.token)

        socket.send_text('{"type":"ping","payload":{"pad":"%s"}}' % ("x" * 5000))
        code = socket.expect_close()

        self.assertEqual(code, 1009)
        self.assertEqual(bystander.request("ping", id_="still")["type"], "pong")
        self.assertStatus(self.daemon.get("/healthz"), 200)

    def test_unmasked_frame_is_a_protocol_error(self):
        socket = self.open(token=self.patient.token)

        socket.raw_send(ws_client.encode_frame(ws_client.TEXT, '{"type":"ping"}', mask=False))

        self.assertEqual(socket.expect_close(), 1002)

    def test_answers_the_closing_handshake(self):
        socket = self.open(token=self.patient.token)

        socket.raw_send(ws_client.encode_frame(ws_client.CLOSE, struct.pack("!H", 1000)))

        self.assertEqual(socket.expect_close(), 1000)

    def test_revoked_session_closes_its_sockets(self):
        login = fx.sign_in(self.daemon, self.patient)
        first = self.open(token=login.token)
        second = self.open(token=login.token)

        self.assertStatus(self.daemon.post("/api/v1/auth/logout", token=login.token), 200)

        self.assertEqual(first.expect_close(), 4401)
        self.assertEqual(second.expect_close(), 4401)

    def test_a_client_that_stops_reading_is_disconnected_alone(self):
        bystander = self.open(token=self.patient.token)
        slow = self.open(token=self.patient.token)
        slow.sock.setsockopt(socket_module.SOL_SOCKET, socket_module.SO_RCVBUF, 4096)
        ping = ws_client.encode_frame(ws_client.TEXT, '{"type":"ping","id":"%s"}' % ("p" * 64))

        # Pings without reading the pongs: the pongs pile up in the server's
        # queue for this socket until it is cut off. The bound on the loop
        # only keeps a broken server from hanging the test.
        ended = False
        for _ in range(400):
            try:
                slow.raw_send(ping * 500)
            except OSError:
                ended = True
                break
        codes = []
        if not ended:
            try:
                codes.append(slow.expect_close())
            except (OSError, ConnectionError):
                pass

        self.assertTrue(ended or codes == [4408], codes)
        self.assertEqual(bystander.request("ping", id_="bystander")["type"], "pong")
        self.assertStatus(self.daemon.get("/healthz"), 200)

    def test_http_stays_responsive_with_many_sockets_open(self):
        # Two request workers and a cap of 64 HTTP connections: 200 open
        # sockets would starve both if they kept their workers.
        login = fx.sign_in(self.daemon, self.patient)
        sockets = [self.open(token=login.token) for _ in range(200)]

        replies = [self.daemon.get("/api/v1/me", token=self.patient.token) for _ in range(20)]
        metrics = self.daemon.get("/metrics").body.decode()

        self.assertTrue(all(reply.status == 200 for reply in replies))
        self.assertIn("telehealthd_websocket_connections", metrics)
        gauge = [line for line in metrics.splitlines()
                 if line.startswith("telehealthd_websocket_connections ")][0]
        self.assertGreaterEqual(float(gauge.split()[1]), 200)
        self.assertEqual(sockets[-1].request("ping", id_="last")["type"], "pong")


if __name__ == "__main__":
    harness.main()
