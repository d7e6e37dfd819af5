#!/usr/bin/env python3
"""Patients' uploaded documents end to end: upload, list and download with
the exact bytes and SHA-256; the media-type allow-list (415) and the upload
route's own size limit (413); the care-team scope, refused and audited; a
corrupted row refused on read, audited and reported by `thctl integrity
check`; documents attached to messages over REST and the WebSocket; and a
database dump that holds no plaintext of an uploaded document.

Python standard library only.
"""

import hashlib
import json
import os
import subprocess
import tempfile
import time
import unittest
import urllib.parse

import access_fixtures as fx
import harness
import ws_client

EXIT_DATA_ERROR = 65
EXIT_NO_PERMISSION = 77
MAX_BYTES = 65536
LISTENER_MAX_BYTES = 2048
PHRASE = "Quillfeather tachycardia notes"


class DocumentsTest(fx.AccessTestCase):
    DAEMON_OVERRIDES = {"auth": dict(fx.UNTHROTTLED),
                        "server": {"max_body_bytes": LISTENER_MAX_BYTES},
                        "documents": {"max_bytes": MAX_BYTES}}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        daemon = cls.daemon
        cls.patient = fx.create_account(daemon, "patient")
        cls.other = fx.create_account(daemon, "patient")
        cls.clinician = fx.create_account(daemon, "clinician")
        cls.outsider = fx.create_account(daemon, "clinician")
        for patient in (cls.patient, cls.other):
            fx.add_to_care_team(daemon, patient.patient_id, cls.clinician.id)

    def upload(self, account, patient_id, content, media_type="text/plain", name="notes.txt"):
        headers = {"Content-Type": media_type,
                   "X-Document-Name": urllib.parse.quote(name, safe="")}
        return self.daemon.request("POST", "/api/v1/patients/%s/documents" % patient_id,
                                   body=content, headers=headers, token=account.token)

    def uploaded(self, account, patient_id, content, **kwargs):
        reply = self.upload(account, patient_id, content, **kwargs)
        self.assertStatus(reply, 201)
        return reply.json()

    def content(self, account, document_id):
        return self.daemon.get("/api/v1/documents/%s/content" % document_id, token=account.token)

    def audited(self, condition):
        """[action, resource type, outcome, patient id, reason] of the audit
        events matching `condition`, oldest first."""
        rows = self.daemon.sql("SELECT action, resource_type, outcome, patient_id, body "
                               "FROM audit_events WHERE %s ORDER BY seq" % condition)
        events = []
        for row in rows:
            fields = row.split("|", 4)
            events.append(fields[:4] + [json.loads(fields[4]).get("reason", "")])
        return events

    def document_rows(self):
        return int(self.daemon.sql("SELECT COUNT(*) FROM documents")[0])

    def test_upload_list_and_download_return_the_exact_bytes(self):
        content = bytes(range(256)) * 20  # 5120 bytes: beyond the listener's own limit
        name = "scan \u00fc/../r\u00f6ntgen.png"

        document = self.uploaded(self.clinician, self.patient.patient_id, content,
                                 media_type="image/png", name=name)
        listed = self.daemon.get("/api/v1/patients/%s/documents" % self.patient.patient_id,
                                 token=self.patient.token)
        metadata = self.daemon.get("/api/v1/documents/" + document["id"],
                                   token=self.patient.token)
        download = self.content(self.patient, document["id"])

        self.assertEqual(document["sha256"], hashlib.sha256(content).hexdigest())
        self.assertEqual(document["size_bytes"], len(content))
        self.assertEqual(document["file_name"], "r\u00f6ntgen.png")
        self.assertEqual(document["patient_id"], self.patient.patient_id)
        self.assertIn(document["id"], [item["id"] for item in listed.json()["items"]])
        self.assertEqual(metadata.json(), document)
        self.assertStatus(download, 200)
        self.assertEqual(download.body, content)
        self.assertEqual(download.header("Content-Type"), "image/png")
        self.assertEqual(download.header("X-Content-Type-Options"), "nosniff")
        self.assertTrue(download.header("Content-Disposition").startswith("attachment;"))
        self.assertIn("filename*=UTF-8''r%C3%B6ntgen.png", download.header("Content-Disposition"))
        self.assertEqual(len(self.audited("resource_id = '%s' AND action = 'read' AND "
                                          "resource_type = 'document_content' AND "
                                          "outcome = 'success'" % document["id"])), 1)

    def test_media_type_off_the_list_is_415_and_nothing_is_stored(self):
        before = self.document_rows()

        reply = self.upload(self.clinician, self.patient.patient_id, b"<script>1</script>",
                            media_type="text/html")

        self.assertStatus(reply, 415)
        self.assertEqual(reply.json()["error"]["code"], "unsupported_media_type")
        self.assertEqual(self.document_rows(), before)

    def test_oversize_is_413_while_other_routes_keep_the_listener_limit(self):
        before = self.document_rows()

        too_large = self.upload(self.clinician, self.patient.patient_id, b"x" * (MAX_BYTES + 1))
        at_limit = self.upload(self.clinician, self.patient.patient_id, b"x" * MAX_BYTES)
        other_route = self.daemon.post("/api/v1/conversations",
                                       {"subject": "x" * LISTENER_MAX_BYTES},
                                       token=self.clinician.token)

        self.assertStatus(too_large, 413)
        self.assertStatus(at_limit, 201)
        self.assertStatus(other_route, 413)
        self.assertEqual(self.document_rows(), before + 1)

    def test_upload_is_refused_before_its_body_is_read_for_anyone_not_allowed(self):
        # The upload route admits the caller before it reads a body larger
        # than the listener's limit: these callers get their answer having
        # sent only that much of what they announced.
        front_desk = fx.create_account(self.daemon, "front_desk")
        answers = {}
        started = time.monotonic()
        for who, token in (("anonymous", None), ("front_desk", front_desk.token)):
            connection = self.daemon.connection(timeout=10)
            try:
                connection.putrequest("POST", "/api/v1/patients/%s/documents"
                                      % self.patient.patient_id)
                connection.putheader("Content-Type", "text/plain")
                connection.putheader("Content-Length", str(MAX_BYTES))
                if token:
                    connection.putheader("Authorization", "Bearer " + token)
                connection.endheaders()
                connection.send(b"x" * LISTENER_MAX_BYTES)
                answers[who] = connection.getresponse().status
            finally:
                connection.close()

        elapsed = time.monotonic() - started

        self.assertEqual(answers, {"anonymous": 401, "front_desk": 403})
        self.assertLess(elapsed, 3, "the daemon waited for the rest of the body")

    def test_clinician_off_the_care_team_is_refused_and_audited(self):
        document = self.uploaded(self.clinician, self.patient.patient_id, b"lab values")

        read = self.content(self.outsider, document["id"])
        listing = self.daemon.get("/api/v1/patients/%s/documents" % self.patient.patient_id,
                                  token=self.outsider.token)
        upload = self.upload(self.outsider, self.patient.patient_id, b"not mine to add")

        for reply in (read, listing, upload):
            self.assertErrorCode(reply, 403, "forbidden")
        self.assertNotIn(b"lab values", read.body)
        denials = self.audited("actor_user_id = '%s' AND outcome = 'denied'" % self.outsider.id)
        self.assertEqual([row[:4] for row in denials],
                         [["read", "document_content", "denied", self.patient.patient_id],
                          ["search", "document", "denied", ""],
                          ["create", "document", "denied", self.patient.patient_id]])
        self.assertEqual({row[4] for row in denials}, {"not on the patient's care team"})

    def test_patient_reaches_only_their_own_documents(self):
        own = self.uploaded(self.patient, self.patient.patient_id, b"my own upload")
        theirs = self.uploaded(self.clinician, self.other.patient_id, b"someone else's")

        listed = self.daemon.get("/api/v1/patients/%s/documents" % self.patient.patient_id,
                                 token=self.patient.token).json()["items"]
        other_list = self.daemon.get("/api/v1/patients/%s/documents" % self.other.patient_id,
                                     token=self.patient.token)
        other_read = self.content(self.patient, theirs["id"])

        self.assertIn(own["id"], [item["id"] for item in listed])
        self.assertTrue(all(item["patient_id"] == self.patient.patient_id for item in listed))
        self.assertErrorCode(other_list, 403, "forbidden")
        self.assertErrorCode(other_read, 403, "forbidden")
        listing = self.audited("actor_user_id = '%s' AND action = 'search' AND "
                               "resource_type = 'document' AND outcome = 'success'"
                               % self.patient.id)
        self.assertGreaterEqual(len(listing), 1)

    def test_corrupted_row_is_refused_audited_and_reported_by_the_integrity_check(self):
        victim = fx.create_account(self.daemon, "patient")
        fx.add_to_care_team(self.daemon, victim.patient_id, self.clinician.id)
        first = self.uploaded(self.clinician, victim.patient_id, b"first result")
        second = self.uploaded(self.clinician, victim.patient_id, b"second result")
        self.daemon.sql("UPDATE documents SET content_enc = (SELECT content_enc FROM documents "
                        "WHERE id = '%s') WHERE id = '%s'" % (second["id"], first["id"]))

        try:
            read = self.content(self.clinician, first["id"])
            intact = self.content(self.clinician, second["id"])
            result, report = self.daemon.thctl_json("integrity", "check")
        finally:
            self.daemon.sql("DELETE FROM documents WHERE patient_id = '%s'" % victim.patient_id)

        self.assertStatus(read, 500)
        self.assertEqual(read.json()["error"]["code"], "data_loss")
        self.assertNotIn(b"result", read.body)
        self.assertEqual(intact.body, b"second result")
        errors = self.audited("resource_id = '%s' AND outcome = 'error'" % first["id"])
        self.assertEqual(errors,
                         [["read", "document_content", "error", victim.patient_id,
                           "the stored document failed its integrity check"]])
        self.assertEqual(result.returncode, EXIT_DATA_ERROR, result.stderr)
        failures = [f for f in report["failures"] if f["table"] == "documents"]
        self.assertEqual([f["row_id"] for f in failures], [first["id"]])
        tables = {t["table"]: t for t in report["tables"]}
        self.assertGreaterEqual(tables["documents"]["rows_checked"], 2)

    def conversation(self):
        reply = self.daemon.post("/api/v1/conversations",
                                 {"kind": "care", "patient_id": self.patient.patient_id,
                                  "members": [self.clinician.id], "subject": "results"},
                                 token=self.patient.token)
        self.assertStatus(reply, 201)
        return reply.json()["id"]

    def open_socket(self, account):
        socket = ws_client.WebSocket(self.daemon, token=account.token)
        self.addCleanup(socket.sock.close)
        return socket

    def test_attachments_travel_with_messages_and_open_with_the_normal_checks(self):
        conversation_id = self.conversation()
        own = self.uploaded(self.clinician, self.patient.patient_id, b"your x-ray report")
        receiver = self.open_socket(self.patient)
        sender = self.open_socket(self.clinician)

        sent = sender.request("message.send", {"conversation_id": conversation_id,
                                               "body": "see attached",
                                               "attachments": [own["id"]]}, id_="a-1")
        delivered = receiver.receive_type("message")
        posted = self.daemon.post("/api/v1/conversations/%s/messages" % conversation_id,
                                  {"body": "and again", "attachments": [own["id"]]},
                                  token=self.clinician.token)
        history = self.daemon.get("/api/v1/conversations/%s/messages" % conversation_id,
                                  token=self.patient.token).json()["items"]
        opened = self.content(self.patient, delivered["payload"]["attachments"][0])

        self.assertEqual(sent["type"], "message.sent", sent)
        self.assertEqual(delivered["payload"]["attachments"], [own["id"]])
        self.assertStatus(posted, 201)
        self.assertEqual([item["attachments"] for item in history], [[own["id"]], [own["id"]]])
        self.assertEqual(opened.body, b"your x-ray report")

    def test_another_patients_document_cannot_be_attached(self):
        conversation_id = self.conversation()
        theirs = self.uploaded(self.clinician, self.other.patient_id, b"another patient's")
        sender = self.open_socket(self.clinician)

        posted = self.daemon.post("/api/v1/conversations/%s/messages" % conversation_id,
                                  {"body": "wrong file", "attachments": [theirs["id"]]},
                                  token=self.clinician.token)
        frame = sender.request("message.send", {"conversation_id": conversation_id,
                                                "body": "wrong file",
                                                "attachments": [theirs["id"]]}, id_="a-2")
        history = self.daemon.get("/api/v1/conversations/%s/messages" % conversation_id,
                                  token=self.patient.token).json()["items"]

        self.assertErrorCode(posted, 403, "forbidden")
        self.assertEqual((frame["type"], frame["payload"]["code"]), ("error", "forbidden"))
        self.assertEqual(history, [])
        denials = self.audited("resource_id = '%s' AND action = 'attach'" % theirs["id"])
        self.assertEqual([row[:4] for row in denials],
                         [["attach", "document", "denied", self.other.patient_id]] * 2)
        self.assertEqual(denials[0][4], "the document is not the conversation's patient's")

    def test_thctl_lists_a_patients_documents_by_mrn(self):
        document = self.uploaded(self.clinician, self.patient.patient_id, b"for thctl")
        mrn = self.daemon.get("/api/v1/patients/" + self.patient.patient_id,
                              token=self.clinician.token).json()["patient"]["mrn"]
        with tempfile.NamedTemporaryFile("w", suffix=".token", delete=False) as token_file:
            token_file.write(self.clinician.token)
        self.addCleanup(os.unlink, token_file.name)

        result, listed = self.daemon.thctl_json("document", "list", "--patient", mrn,
                                                remote=True, token_file=token_file.name)
        operator = self.daemon.thctl("document", "list", "--patient", mrn)

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(document["id"], [item["id"] for item in listed])
        self.assertEqual(operator.returncode, EXIT_NO_PERMISSION, operator.stderr)

    def test_database_dump_holds_no_plaintext_of_a_document(self):
        document = self.uploaded(self.clinician, self.patient.patient_id, PHRASE.encode(),
                                 name="Quillfeather-report.txt")

        url = self.daemon.database_url
        if url.startswith("sqlite://"):
            command = ["sqlite3", url[len("sqlite://"):], ".dump"]
        else:
            command = ["pg_dump", "--no-owner", "-d", url[len("postgresql:///"):]]
        dump = subprocess.run(command, capture_output=True, text=True, check=True,
                              timeout=60).stdout

        # The row is in the dump (its id and checksum are stored in the clear).
        self.assertIn(document["id"], dump)
        self.assertIn(document["sha256"], dump)
        self.assertNotIn("quillfeather", dump.lower())
        self.assertNotIn("tachycardia", dump.lower())


if __name__ == "__main__":
    harness.main()
