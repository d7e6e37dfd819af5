"""A small WebSocket client (RFC 6455) over TLS for the integration tests,
standard library only. It speaks just enough to test the daemon's hub:
the opening handshake, masked frames (whole or fragmented), pings, and the
closing handshake; raw_send() puts arbitrary bytes on the wire.
"""

import base64
import hashlib
import json
import os
import socket
import struct

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

TEXT, BINARY, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0


class UpgradeRefused(Exception):
    def __init__(self, status, body):
        super().__init__("upgrade refused with %d: %s" % (status, body[:200]))
        self.status = status
        self.body = body


class Closed(Exception):
    def __init__(self, code, reason):
        super().__init__("closed with %s %r" % (code, reason))
        self.code = code
        self.reason = reason


def encode_frame(opcode, payload, final=True, mask=True):
    if isinstance(payload, str):
        payload = payload.encode()
    head = bytes([(0x80 if final else 0) | opcode])
    mask_bit = 0x80 if mask else 0
    length = len(payload)
    if length < 126:
        head += bytes([mask_bit | length])
    elif length <= 0xFFFF:
        head += bytes([mask_bit | 126]) + struct.pack("!H", length)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", length)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


class WebSocket:
    def __init__(self, daemon, token=None, cookie=None, origin=None, timeout=10,
                 path="/api/v1/ws", extra_headers=None, after_request=b""):
        raw = socket.create_connection(("127.0.0.1", daemon.port), timeout=timeout)
        self.sock = daemon.tls_context().wrap_socket(raw, server_hostname="127.0.0.1")
        self.buffer = b""
        key = base64.b64encode(os.urandom(16)).decode()
        lines = ["GET %s HTTP/1.1" % path, "Host: 127.0.0.1:%d" % daemon.port,
                 "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + key,
                 "Sec-WebSocket-Version: 13"]
        if token:
            lines.append("Authorization: Bearer " + token)
        if cookie:
            lines.append("Cookie: th_session=" + cookie)
        if origin:
            lines.append("Origin: " + origin)
        lines += list(extra_headers or [])
        # after_request: bytes sent in the same write as the upgrade request,
        # before its answer (RFC 6455 forbids it; the server must not lose them).
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + after_request)
        status, headers = self._read_response_head()
        if status != 101:
            body = self._read_body(headers)
            self.sock.close()
            raise UpgradeRefused(status, body)
        expected = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        if headers.get("sec-websocket-accept") != expected:
            raise AssertionError("wrong Sec-WebSocket-Accept: %r" % headers)
        self.headers = headers
        self.passed = []
        self.hello = self.receive_json()

    def _read_until(self, marker):
        while marker not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed during the handshake")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(marker, 1)
        return head

    def _read_response_head(self):
        head = self._read_until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = int(head[0].split(" ")[1])
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return status, headers

    def _read_body(self, headers):
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.buffer += chunk
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return body

    def _read_exact(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def read_frame(self):
        """(opcode, payload bytes) of the next frame from the server."""
        first, second = self._read_exact(2)
        if second & 0x80:
            raise AssertionError("the server masked a frame")
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read_exact(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read_exact(8))[0]
        return first & 0x0F, self._read_exact(length)

    def receive(self):
        """The next text message; answers pings; raises Closed on a close frame."""
        while True:
            opcode, payload = self.read_frame()
            if opcode == PING:
                self.raw_send(encode_frame(PONG, payload))
            elif opcode == CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                try:
                    self.raw_send(encode_frame(CLOSE, payload[:2]))
                except OSError:
                    pass
                raise Closed(code, payload[2:].decode())
            elif opcode == TEXT:
                return payload.decode()
            elif opcode == PONG:
                continue
            else:
                raise AssertionError("unexpected opcode %d" % opcode)

    def receive_json(self):
        return json.loads(self.receive())

    def receive_type(self, wanted):
        """Skips messages until one of type `wanted` arrives (looking first
        at those a request() passed over); returns it."""
        for index, message in enumerate(self.passed):
            if message["type"] == wanted:
                del self.passed[: index + 1]
                return message
        self.passed = []
        while True:
            message = self.receive_json()
            if message["type"] == wanted:
                return message

    def send_json(self, type_, payload=None, id_=""):
        envelope = {"type": type_, "id": id_}
        if payload is not None:
            envelope["payload"] = payload
        self.send_text(json.dumps(envelope))

    def send_text(self, text):
        self.raw_send(encode_frame(TEXT, text))

    def raw_send(self, data):
        self.sock.sendall(data)

    def request(self, type_, payload=None, id_="r1"):
        """Sends a message and returns the reply or error that names its id;
        what arrived before it is kept in self.passed."""
        self.send_json(type_, payload, id_)
        self.passed = []
        while True:
            message = self.receive_json()
            if message.get("payload", {}).get("ref") == id_:
                return message
            self.passed.append(message)

    def expect_close(self):
        """Reads until the server's close frame; returns its code."""
        try:
            while True:
                self.receive()
        except Closed as closed:
            return closed.code

    def close(self, code=1000):
        try:
            self.raw_send(encode_frame(CLOSE, struct.pack("!H", code)))
            self.expect_close()
        except (OSError, ConnectionError):
            pass
        finally:
            self.sock.close()
