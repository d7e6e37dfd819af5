"""Secure messaging end to end: REST (create, list, history, search, post,
read marks) and the WebSocket (live delivery to every device of every
member, resuming from cursors without loss or duplicates, receipts), with
the care-team scope enforced and audited.
"""

import unittest

import access_fixtures as fx
import harness
import test_reminders as tr
import ws_client

ONLY_POSTGRESQL = "needs TH_TEST_BACKEND=postgresql (backend is %s)" % harness.BACKEND


class MessagingTest(fx.AccessTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.patient = fx.create_account(cls.daemon, "patient")
        cls.clinician = fx.create_account(cls.daemon, "clinician")
        cls.outsider = fx.create_account(cls.daemon, "clinician")
        fx.add_to_care_team(cls.daemon, cls.patient.patient_id, cls.clinician.id)

    def open(self, account, token=None):
        socket = ws_client.WebSocket(self.daemon, token=token or account.token)
        self.addCleanup(socket.sock.close)
        return socket

    def conversation(self):
        reply = self.daemon.post("/api/v1/conversations",
                                 {"kind": "care", "patient_id": self.patient.patient_id,
                                  "members": [self.clinician.id], "subject": "questions"},
                                 token=self.patient.token)
        self.assertStatus(reply, 201)
        return reply.json()["id"]

    def post(self, account, conversation_id, body, client_ref=""):
        reply = self.daemon.post("/api/v1/conversations/%s/messages" % conversation_id,
                                 {"body": body, "client_ref": client_ref}, token=account.token)
        self.assertIn(reply.status, (200, 201), reply.body)
        return reply.json()

    def test_patient_and_care_team_exchange_messages_over_rest(self):
        conversation_id = self.conversation()

        first = self.post(self.patient, conversation_id, "my blood pressure is high")
        second = self.post(self.clinician, conversation_id, "please come in tomorrow")
        history = self.daemon.get("/api/v1/conversations/%s/messages?after=1" % conversation_id,
                                  token=self.patient.token).json()["items"]
        found = self.daemon.get("/api/v1/messages/search?q=BLOOD",
                                token=self.clinician.token).json()["items"]
        listed = self.daemon.get("/api/v1/conversations", token=self.clinician.token).json()

        self.assertEqual((first["seq"], second["seq"]), (1, 2))
        self.assertEqual([item["body"] for item in history], ["please come in tomorrow"])
        self.assertIn(first["id"], [item["id"] for item in found])
        self.assertIn(conversation_id, [item["id"] for item in listed["items"]])

    def test_bodies_are_sealed_at_rest(self):
        conversation_id = self.conversation()
        self.post(self.patient, conversation_id, "a very distinctive phrase")

        stored = self.daemon.sql("SELECT body_enc FROM messages WHERE conversation_id = '%s'"
                                 % conversation_id)

        self.assertNotIn("distinctive", stored[0])

    def test_retried_send_posts_once(self):
        conversation_id = self.conversation()

        self.post(self.patient, conversation_id, "once", client_ref="phone:1")
        again = self.post(self.patient, conversation_id, "once", client_ref="phone:1")
        history = self.daemon.get("/api/v1/conversations/%s/messages" % conversation_id,
                                  token=self.patient.token).json()["items"]

        self.assertEqual(again["seq"], 1)
        self.assertEqual(len(history), 1)

    def test_outsider_is_refused_and_audited(self):
        conversation_id = self.conversation()

        reply = self.daemon.get("/api/v1/conversations/%s/messages" % conversation_id,
                                token=self.outsider.token)
        socket = self.open(self.outsider)
        error = socket.request("message.send", {"conversation_id": conversation_id,
                                                "body": "let me in"}, id_="s-1")
        subscribe = socket.request("subscribe", {"cursors": {conversation_id: 0}}, id_="s-2")

        self.assertStatus(reply, 404)
        self.assertEqual(error["type"], "error")
        self.assertEqual(error["payload"]["code"], "not_found")
        self.assertEqual(subscribe["payload"]["code"], "not_found")
        harness.wait_until(lambda: int(self.daemon.sql(
            "SELECT COUNT(*) FROM audit_events WHERE actor_user_id = '%s' AND "
            "resource_type = 'conversation' AND outcome = 'denied'" % self.outsider.id)[0]) >= 3,
            message="the audited denials")

    def test_live_delivery_reaches_every_device_of_every_member(self):
        conversation_id = self.conversation()
        phone = self.open(self.clinician)
        laptop = self.open(self.clinician, token=fx.sign_in(self.daemon, self.clinician).token)
        sender = self.open(self.patient)

        sent = sender.request("message.send", {"conversation_id": conversation_id,
                                               "body": "hello doctor"}, id_="m-1")
        on_phone = phone.receive_type("message")
        on_laptop = laptop.receive_type("message")
        own_echo = sender.receive_type("message")

        self.assertEqual(sent["type"], "message.sent")
        for received in (on_phone, on_laptop, own_echo):
            self.assertEqual(received["payload"]["conversation_id"], conversation_id)
            self.assertEqual(received["payload"]["seq"], sent["payload"]["seq"])
            self.assertEqual(received["payload"]["body"], "hello doctor")

    def test_reconnect_from_a_cursor_gets_missed_messages_once_in_order(self):
        conversation_id = self.conversation()
        socket = self.open(self.clinician)
        self.post(self.patient, conversation_id, "one")
        self.assertEqual(socket.receive_type("message")["payload"]["seq"], 1)
        socket.close()

        for body in ("two", "three", "four"):
            self.post(self.patient, conversation_id, body)
        again = self.open(self.clinician)
        subscribed = again.request("subscribe", {"cursors": {conversation_id: 1}}, id_="sub")
        replayed = [message["payload"]["seq"] for message in again.passed
                    if message["type"] == "message"]
        again.passed = []
        self.post(self.patient, conversation_id, "five")
        live = again.receive_type("message")
        ping = again.request("ping", id_="end")

        # The replayed messages arrive before the answer to subscribe.
        self.assertEqual(subscribed["payload"]["cursors"][conversation_id], 4)
        self.assertEqual(live["payload"]["seq"], 5)
        self.assertEqual(ping["type"], "pong")
        self.assertEqual(replayed, [2, 3, 4])

    def test_read_receipts_reach_the_other_members(self):
        conversation_id = self.conversation()
        self.post(self.clinician, conversation_id, "results are in")
        watcher = self.open(self.clinician)
        reader = self.open(self.patient)

        moved = reader.request("message.read", {"conversation_id": conversation_id, "seq": 1},
                               id_="rd")
        receipt = watcher.receive_type("receipt")

        self.assertTrue(moved["payload"]["moved"])
        self.assertEqual(receipt["payload"], {"conversation_id": conversation_id,
                                              "user_id": self.patient.id, "seq": 1})

    def test_malformed_send_gets_an_invalid_payload_error(self):
        socket = self.open(self.patient)

        error = socket.request("message.send", {"body": "no conversation"}, id_="bad")

        self.assertEqual(error["payload"]["code"], "invalid_payload")



class UnreadMessageNoticeTest(fx.AccessTestCase):
    """A member who has not read a message within
    reminders.message_notice_delay_seconds gets one email through the real
    SMTP server saying a message waits, and nothing of the message; reading
    in time cancels it."""

    @classmethod
    def setUpClass(cls):
        cls.servers = tr.Servers()
        overrides = cls.servers.overrides(sms=False)
        overrides["reminders"] = dict(overrides["reminders"], message_notice_delay_seconds=3)
        cls.DAEMON_OVERRIDES = dict(overrides, auth=dict(fx.UNTHROTTLED))
        super().setUpClass()
        cls.patient = fx.create_account(cls.daemon, "patient")
        cls.clinician = fx.create_account(cls.daemon, "clinician")
        fx.add_to_care_team(cls.daemon, cls.patient.patient_id, cls.clinician.id)
        user = cls.daemon.admin("GET", "/api/v1/users/" + cls.clinician.id).json()
        cls.clinician_email = user["email"]

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.servers.stop()

    def conversation(self):
        reply = self.daemon.post("/api/v1/conversations",
                                 {"kind": "care", "patient_id": self.patient.patient_id,
                                  "members": [self.clinician.id]}, token=self.patient.token)
        self.assertStatus(reply, 201)
        return reply.json()["id"]

    def post(self, conversation_id, body):
        reply = self.daemon.post("/api/v1/conversations/%s/messages" % conversation_id,
                                 {"body": body}, token=self.patient.token)
        self.assertIn(reply.status, (200, 201), reply.body)
        return reply.json()["seq"]

    def notices(self, conversation_id, user_id, status=None):
        condition = "" if status is None else " AND status = '%s'" % status
        return int(self.daemon.sql(
            "SELECT COUNT(*) FROM outbox_messages WHERE kind = 'message_notice' AND reference = "
            "'conversation:%s:member:%s'%s" % (conversation_id, user_id, condition))[0])

    def deliveries_to(self, address):
        return [delivery for delivery in list(self.servers.smtp.handler.deliveries)
                if address in delivery.recipients]

    def test_an_unread_message_is_told_once_by_email_without_its_content(self):
        conversation_id = self.conversation()

        self.post(conversation_id, "my rash is spreading to my arms")
        self.post(conversation_id, "and it itches at night")

        self.assertEqual(self.notices(conversation_id, self.clinician.id), 1)
        self.assertEqual(self.notices(conversation_id, self.patient.id), 0)  # the sender
        delivered = harness.wait_until(lambda: self.deliveries_to(self.clinician_email),
                                       message="the notice email")
        text = delivered[0].text()
        self.assertIn("https://clinic.example/", text)
        self.assertIn("Bay Clinic", text)
        for secret in ("rash", "itches", self.patient.username, self.patient.patient_id):
            self.assertNotIn(secret, text + str(delivered[0].message["Subject"]))

    def test_reading_in_time_cancels_the_notice_and_a_later_message_is_told_again(self):
        conversation_id = self.conversation()
        seq = self.post(conversation_id, "is the pharmacy open on sunday")

        read = self.daemon.post("/api/v1/conversations/%s/read" % conversation_id,
                                {"seq": seq}, token=self.clinician.token)

        self.assertStatus(read, 200)
        self.assertEqual(self.notices(conversation_id, self.clinician.id, "cancelled"), 1)
        self.post(conversation_id, "never mind, I found out")
        self.assertEqual(self.notices(conversation_id, self.clinician.id, "pending"), 1)


@unittest.skipUnless(harness.BACKEND == "postgresql", ONLY_POSTGRESQL)
class TwoDaemonsTest(unittest.TestCase):
    """Two daemons on one PostgreSQL database: the patient on one, the
    clinician on the other, messages carried by LISTEN/NOTIFY."""

    @classmethod
    def setUpClass(cls):
        overrides = {"auth": dict(fx.UNTHROTTLED)}
        cls.first, cls.second = harness.start_two_nodes(overrides)
        cls.patient = fx.create_account(cls.first, "patient")
        cls.clinician = fx.create_account(cls.first, "clinician")
        fx.add_to_care_team(cls.first, cls.patient.patient_id, cls.clinician.id)
        cls.clinician_on_second = fx.sign_in(cls.second, cls.clinician)

    @classmethod
    def tearDownClass(cls):
        harness.stop_all(cls.second, cls.first)

    def test_a_message_sent_through_one_daemon_reaches_a_socket_on_the_other(self):
        created = self.first.post("/api/v1/conversations",
                                  {"kind": "care", "patient_id": self.patient.patient_id,
                                   "members": [self.clinician.id]}, token=self.patient.token)
        self.assertEqual(created.status, 201, created.body)
        conversation_id = created.json()["id"]
        clinician = ws_client.WebSocket(self.second, token=self.clinician_on_second.token)
        self.addCleanup(clinician.sock.close)
        patient = ws_client.WebSocket(self.first, token=self.patient.token)
        self.addCleanup(patient.sock.close)

        sent = [patient.request("message.send", {"conversation_id": conversation_id,
                                                 "body": "hello from node a %d" % i},
                                id_="m-%d" % i)["payload"]["seq"] for i in range(3)]
        received = [clinician.receive_type("message")["payload"] for _ in range(3)]
        answer = clinician.request("message.send", {"conversation_id": conversation_id,
                                                    "body": "hello from node b"}, id_="b")
        echoed = patient.receive_type("message")
        while echoed["payload"]["seq"] != answer["payload"]["seq"]:
            echoed = patient.receive_type("message")

        self.assertEqual(sent, [1, 2, 3])
        self.assertEqual([item["seq"] for item in received], [1, 2, 3])
        self.assertEqual(received[0]["body"], "hello from node a 0")
        self.assertEqual(echoed["payload"]["body"], "hello from node b")


if __name__ == "__main__":
    harness.main()
