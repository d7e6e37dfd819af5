#!/usr/bin/env python3
"""Video visits over the WebSocket (lib/realtime/PROTOCOL.md, "Visits"):
the checked-in patient waits with a live queue position, the clinician
admits them (which starts the visit), signaling is relayed between admitted
participants only, return and transfer, screen sharing, rejoining within
the grace and after it, ICE configuration with TURN credentials the test
recomputes, invited guests joining through their redeemed link, queue
watchers, the audit trail of it all; and, on PostgreSQL, two daemons with
the patient on one and the clinician on the other.

Runs on SQLite by default and on PostgreSQL with TH_TEST_BACKEND=postgresql.
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import shutil
import tempfile
import time
import unittest
import zoneinfo

import access_fixtures as fx
import harness
import test_scheduling as sched
import test_visit_invitations as invitations
import ws_client

ONLY_POSTGRESQL = "needs TH_TEST_BACKEND=postgresql (backend is %s)" % harness.BACKEND
TURN_SECRET = "static-auth-secret-for-the-test-9f2c"
GRACE_SECONDS = 2
# Ends up in an offer's SDP: it must reach the other side and no log line.
SDP_MARKER = "a=candidate-marker-7c1d 192.0.2.44"


def video_overrides(directory):
    secret_file = os.path.join(directory, "turn-secret")
    with open(secret_file, "w") as out:
        out.write(TURN_SECRET + "\n")
    os.chmod(secret_file, 0o600)
    return {
        "video": {"stun_urls": "stun:turn.example.org:3478",
                  "turn_urls": "turn:turn.example.org:3478?transport=udp",
                  "turn_secret_file": secret_file, "turn_credential_ttl_seconds": 600,
                  "rejoin_grace_seconds": GRACE_SECONDS},
        "scheduling": {"check_in_opens_minutes": 1440},
    }


class Slots:
    """Distinct slots from an hour from now, 40 minutes apart, so every
    visit booked here can be checked in at once (check-in opens a day
    ahead) and none crosses the practitioner's local midnight."""

    def __init__(self, zone="America/New_York"):
        self.next = sched.on_grid(sched.utc_now() + datetime.timedelta(hours=1))
        self.zone = zoneinfo.ZoneInfo(zone)

    def take(self):
        while True:
            slot = self.next
            self.next += datetime.timedelta(minutes=40)
            if slot.astimezone(self.zone).hour < 23:
                return slot


def make_practitioner(daemon, account):
    fx.expect(daemon.admin("PUT", "/api/v1/practitioners/" + account.id,
                           {"npi": sched.next_npi(), "license_states": ["OR", "WA"],
                            "time_zone": "America/New_York", "slot_minutes": 20}),
              200, "set practitioner profile")


class Room:
    """Helpers over one daemon's clinic: booking, check-in and sockets."""

    def __init__(self, test, daemon, clinic, slots):
        self.test = test
        self.daemon = daemon
        self.clinic = clinic
        self.slots = slots

    def open(self, token, daemon=None):
        socket = ws_client.WebSocket(daemon or self.daemon, token=token)
        self.test.addCleanup(socket.sock.close)
        return socket

    def patient(self):
        record = fx.create_patient(self.daemon, state="OR")
        account = fx.create_account(self.daemon, "patient", patient_mrn=record["mrn"])
        return account

    def book(self, patient):
        reply = self.clinic.book(patient.patient_id, self.slots.take())
        fx.expect(reply, 201, "booking")
        appointment = reply.json()
        self.test.addCleanup(self.finish, appointment["id"])
        return appointment

    def check_in(self, appointment, patient, daemon=None):
        reply = (daemon or self.daemon).post(
            "/api/v1/appointments/%s/check-in" % appointment["id"], token=patient.token)
        fx.expect(reply, 200, "check-in")

    def checked_in(self, patient=None):
        patient = patient or self.patient()
        appointment = self.book(patient)
        self.check_in(appointment, patient)
        return patient, appointment

    def finish(self, appointment_id):
        """Takes the visit out of the queue: cancelled, or completed once begun."""
        cancelled = self.daemon.post("/api/v1/appointments/%s/cancel" % appointment_id,
                                     {"reason": "test over"}, token=self.clinic.front_desk.token)
        if cancelled.status == 409:
            self.daemon.post("/api/v1/appointments/%s/complete" % appointment_id,
                             token=self.clinic.clinician.token)

    def status(self, appointment):
        reply = self.daemon.get("/api/v1/appointments/" + appointment["id"],
                                token=self.clinic.front_desk.token)
        fx.expect(reply, 200, "read the appointment")
        return reply.json()

    def join(self, socket, appointment, id_="j"):
        reply = socket.request("visit.join", {"appointment_id": appointment["id"]}, id_=id_)
        self.test.assertEqual(reply["type"], "visit.joined", reply)
        return reply["payload"]

    def admitted_pair(self):
        """A host and a patient in the call: (host socket, host id, patient
        socket, patient id, appointment, patient account)."""
        patient, appointment = self.checked_in()
        host = self.open(self.clinic.clinician.token)
        host_id = self.join(host, appointment)["participant_id"]
        guest = self.open(patient.token)
        patient_id = self.join(guest, appointment)["participant_id"]
        moved = host.request("visit.admit", {"appointment_id": appointment["id"],
                                             "participant_id": patient_id}, id_="a")
        self.test.assertEqual(moved["payload"]["moved"], True, moved)
        guest.receive_type("visit.admitted")
        return host, host_id, guest, patient_id, appointment, patient


def receive_raw_type(socket, wanted):
    """The text of the next message of type `wanted`, as it came."""
    while True:
        text = socket.receive()
        if json.loads(text)["type"] == wanted:
            return text


def participant_update(socket, participant_id, state=None):
    """The next room.participant about `participant_id` (in `state`)."""
    while True:
        message = socket.receive_type("room.participant")
        participant = message["payload"]["participant"]
        if participant["participant_id"] == participant_id and (
                state is None or participant["state"] == state):
            return participant


def audit_outcomes(daemon, action, appointment_id):
    bodies = daemon.sql("SELECT body FROM audit_events WHERE action = '%s' AND "
                        "resource_type = 'visit_room' AND resource_id = '%s' ORDER BY seq"
                        % (action, appointment_id))
    return [json.loads(body) for body in bodies]


def no_message_within(socket, seconds=0.5):
    """Nothing but pings arrives for `seconds`: a ping round trip proves the
    socket was read up to then."""
    socket.sock.settimeout(seconds)
    try:
        message = socket.receive_json()
        return message
    except (TimeoutError, OSError):
        return None
    finally:
        socket.sock.settimeout(10)


class VisitSignalingTest(fx.AccessTestCase):
    @classmethod
    def setUpClass(cls):
        cls.servers = invitations.Servers()
        overrides = dict(sched.DAEMON_OVERRIDES, **cls.servers.overrides())
        overrides.update(video_overrides(cls.servers.dir))
        cls.DAEMON_OVERRIDES = overrides
        super().setUpClass()
        cls.clinic = sched.Clinic(cls.daemon)
        cls.slots = Slots()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.servers.stop()

    def setUp(self):
        self.room = Room(self, self.daemon, self.clinic, self.slots)

    # -- waiting and admission --

    def test_patient_waits_with_a_position_and_the_clinicians_admit_starts_the_visit(self):
        patient, appointment = self.room.checked_in()
        host = self.room.open(self.clinic.clinician.token)
        hosted = self.room.join(host, appointment)
        socket = self.room.open(patient.token)

        waiting = self.room.join(socket, appointment)
        announced = participant_update(host, waiting["participant_id"], "waiting")
        moved = host.request("visit.admit", {"appointment_id": appointment["id"],
                                             "participant_id": waiting["participant_id"]})
        admitted = socket.receive_type("visit.admitted")["payload"]

        self.assertEqual(hosted["state"], "admitted")
        self.assertEqual([p["role"] for p in hosted["participants"]], ["host"])
        self.assertEqual(waiting["state"], "waiting")
        self.assertGreaterEqual(waiting["position"], 1)
        self.assertGreaterEqual(waiting["estimated_wait_seconds"], 0)
        self.assertNotIn("participants", waiting)
        self.assertNotIn("ice", waiting)
        self.assertEqual(announced["role"], "patient")
        self.assertEqual(moved["type"], "visit.admit")
        self.assertTrue(moved["payload"]["moved"])
        self.assertEqual(admitted["participant_id"], waiting["participant_id"])
        self.assertEqual(sorted(p["role"] for p in admitted["participants"]), ["host", "patient"])
        self.assertIn("ice_servers", admitted["ice"])
        self.assertEqual(self.room.status(appointment)["status"], "in_progress")
        joins = audit_outcomes(self.daemon, "join", appointment["id"])
        self.assertEqual([event["outcome"] for event in joins], ["success", "success"])
        self.assertEqual(joins[1]["patient_id"], patient.patient_id)
        self.assertEqual(len(audit_outcomes(self.daemon, "admit", appointment["id"])), 1)

    def test_waiting_patient_sees_their_position_move_with_the_queue(self):
        patient, appointment = self.room.checked_in()
        socket = self.room.open(patient.token)
        self.room.join(socket, appointment)

        self.room.checked_in()
        update = socket.receive_type("visit.position")["payload"]

        self.assertEqual(update["appointment_id"], appointment["id"])
        self.assertGreaterEqual(update["position"], 1)

    def test_patient_cannot_join_before_check_in(self):
        patient = self.room.patient()
        appointment = self.room.book(patient)
        socket = self.room.open(patient.token)

        refused = socket.request("visit.join", {"appointment_id": appointment["id"]})

        self.assertEqual(refused["type"], "error")
        self.assertEqual(refused["payload"]["code"], "forbidden")

    def test_outsiders_are_refused_and_audited(self):
        patient, appointment = self.room.checked_in()
        outsider = fx.create_account(self.daemon, "clinician")
        stranger = self.room.patient()

        answers = []
        for account in (outsider, stranger):
            socket = self.room.open(account.token)
            answers.append(socket.request("visit.join", {"appointment_id": appointment["id"]}))

        # A clinician outside the patient's care may see the schedule but not
        # host the visit; another patient does not learn the visit exists.
        self.assertEqual([answer["type"] for answer in answers], ["error", "error"])
        self.assertEqual(answers[0]["payload"]["code"], "forbidden")
        self.assertEqual(answers[1]["payload"]["code"], "not_found")
        joins = audit_outcomes(self.daemon, "join", appointment["id"])
        self.assertEqual([event["outcome"] for event in joins], ["denied", "denied"])
        self.assertEqual({event["actor_user_id"] for event in joins}, {outsider.id, stranger.id})
        self.assertTrue(all(event["patient_id"] == patient.patient_id for event in joins))

    # -- signaling --

    def test_signals_are_relayed_both_ways_between_admitted_participants(self):
        host, host_id, guest, patient_id, appointment, _ = self.room.admitted_pair()
        offer = {"type": "offer", "sdp": "v=0\r\n" + SDP_MARKER + "\r\n"}

        host.send_json("signal", {"appointment_id": appointment["id"], "to": patient_id,
                                  "kind": "offer", "data": offer})
        received_offer = guest.receive_type("signal")["payload"]
        guest.send_json("signal", {"appointment_id": appointment["id"], "to": host_id,
                                   "kind": "answer", "data": {"type": "answer", "sdp": "v=0"}})
        received_answer = host.receive_type("signal")["payload"]
        guest.send_json("signal", {"appointment_id": appointment["id"], "to": host_id,
                                   "kind": "candidate", "data": None})
        end_of_candidates = host.receive_type("signal")["payload"]

        self.assertEqual(received_offer, {"appointment_id": appointment["id"], "from": host_id,
                                          "kind": "offer", "data": offer})
        self.assertEqual(received_answer["from"], patient_id)
        self.assertEqual(received_answer["data"]["type"], "answer")
        self.assertEqual(end_of_candidates["kind"], "candidate")
        self.assertIsNone(end_of_candidates["data"])
        self.assertNotIn("candidate-marker-7c1d", self.daemon.log())
        audit = "\n".join(self.daemon.sql("SELECT body FROM audit_events"))
        self.assertNotIn("candidate-marker-7c1d", audit)

    def test_a_waiting_patients_crafted_signal_is_refused_and_audited(self):
        patient, appointment = self.room.checked_in()
        host = self.room.open(self.clinic.clinician.token)
        host_id = self.room.join(host, appointment)["participant_id"]
        socket = self.room.open(patient.token)
        patient_id = self.room.join(socket, appointment)["participant_id"]
        participant_update(host, patient_id, "waiting")

        crafted = socket.request("signal", {"appointment_id": appointment["id"], "to": host_id,
                                            "kind": "offer", "data": {"sdp": SDP_MARKER}})
        to_waiting = host.request("signal", {"appointment_id": appointment["id"],
                                             "to": patient_id, "kind": "offer",
                                             "data": {"sdp": "v=0"}})
        arrived = no_message_within(host)

        self.assertEqual(crafted["payload"]["code"], "forbidden")
        self.assertEqual(to_waiting["payload"]["code"], "forbidden")
        self.assertIsNone(arrived)
        denied = audit_outcomes(self.daemon, "signal", appointment["id"])
        self.assertEqual([event["outcome"] for event in denied], ["denied", "denied"])
        self.assertEqual(denied[0]["actor_user_id"], patient.id)
        self.assertNotIn("candidate-marker-7c1d", self.daemon.log())

    def test_a_malformed_signal_gets_invalid_payload(self):
        host, _, _, patient_id, appointment, _ = self.room.admitted_pair()

        refused = host.request("signal", {"appointment_id": appointment["id"], "to": patient_id,
                                          "kind": "bye", "data": {}})

        self.assertEqual(refused["payload"]["code"], "invalid_payload")

    def test_signal_data_arrives_byte_for_byte(self):
        host, host_id, guest, _, appointment, _ = self.room.admitted_pair()
        # Member order, spacing and escapes a re-encoding would change.
        data = '{ "sdp" : "v=0\\r\\na=x \\u00e9\\ud83d\\ude00 \\"q\\"", "type":"offer", "n": 1.50 }'
        text = ('{"type":"signal","payload":{"appointment_id":"%s","to":"%s",'
                '"kind":"offer","data":%s}}' % (appointment["id"], host_id, data))

        guest.send_text(text)
        frame = receive_raw_type(host, "signal")

        self.assertIn('"data":' + data + "}", frame)
        self.assertEqual(json.loads(frame)["payload"]["data"]["sdp"],
                         "v=0\r\na=x \u00e9\U0001F600 \"q\"")

    def test_a_steady_stream_of_signals_arrives_whole_and_in_order(self):
        # Both sides send at once, as fast as they can: the hub's loop sees
        # steady traffic and gathers messages between turns (the batch
        # window); none may be lost, duplicated or reordered.
        host, host_id, guest, patient_id, appointment, _ = self.room.admitted_pair()
        count = 300

        for seq in range(count):
            host.send_json("signal", {"appointment_id": appointment["id"], "to": patient_id,
                                      "kind": "candidate", "data": {"seq": seq}})
            guest.send_json("signal", {"appointment_id": appointment["id"], "to": host_id,
                                       "kind": "candidate", "data": {"seq": seq}})
        to_guest = [guest.receive_type("signal")["payload"] for _ in range(count)]
        to_host = [host.receive_type("signal")["payload"] for _ in range(count)]

        self.assertEqual([signal["data"]["seq"] for signal in to_guest], list(range(count)))
        self.assertEqual([signal["data"]["seq"] for signal in to_host], list(range(count)))
        self.assertEqual({signal["from"] for signal in to_guest}, {host_id})
        self.assertEqual({signal["from"] for signal in to_host}, {patient_id})

    def test_signals_with_bad_data_or_repeated_members_are_refused(self):
        host, _, guest, patient_id, appointment, _ = self.room.admitted_pair()
        start = ('{"type":"signal","id":"bad","payload":{"appointment_id":"%s","to":"%s",'
                 '"kind":"offer",' % (appointment["id"], patient_id))
        invalid_payload = [start + '"data":"v=0"}}', start + '"data":[1]}}',
                           start + '"data":7}}', start + '"sdp":{}}}',
                           start + '"data":{},"data":{}}}',
                           start + '"to":"%s","data":{}}}' % patient_id]
        malformed = [start + '"data":{"sdp":"\\x"}}}', start + '"data":{"sdp":"\\ud800"}}}',
                     start + '"data":{"a":' + "[" * 70 + "]" * 70 + "}}}",
                     start + '"data":{"sdp":"v=0}}}', start + '"data":{"n":01}}}']

        codes = []
        for text in invalid_payload + malformed:
            host.send_text(text)
            codes.append(host.receive_type("error")["payload"]["code"])
        arrived = no_message_within(guest)
        still_serving = host.request("ping", id_="after")

        self.assertEqual(codes, ["invalid_payload"] * len(invalid_payload) +
                         ["malformed_json"] * len(malformed))
        self.assertIsNone(arrived)
        self.assertEqual(still_serving["type"], "pong")

    # -- return, transfer, screen sharing, ending --

    def test_return_sends_the_patient_back_to_the_waiting_room(self):
        host, _, guest, patient_id, appointment, _ = self.room.admitted_pair()

        moved = host.request("visit.return", {"appointment_id": appointment["id"],
                                              "participant_id": patient_id})
        returned = guest.receive_type("visit.returned")["payload"]
        announced = participant_update(host, patient_id, "waiting")
        refused = guest.request("signal", {"appointment_id": appointment["id"],
                                           "to": patient_id, "kind": "offer", "data": {}})

        self.assertTrue(moved["payload"]["moved"])
        self.assertGreaterEqual(returned["position"], 1)
        self.assertEqual(announced["state"], "waiting")
        self.assertEqual(refused["payload"]["code"], "forbidden")
        self.assertEqual(self.room.status(appointment)["status"], "checked_in")
        self.assertEqual(len(audit_outcomes(self.daemon, "return", appointment["id"])), 1)

    def test_transfer_moves_the_waiting_patient_to_another_queue(self):
        patient, appointment = self.room.checked_in()
        other = fx.create_account(self.daemon, "clinician")
        make_practitioner(self.daemon, other)
        host = self.room.open(self.clinic.clinician.token)
        self.room.join(host, appointment)
        socket = self.room.open(patient.token)
        self.room.join(socket, appointment)

        by_patient = socket.request("visit.transfer", {"appointment_id": appointment["id"],
                                                       "practitioner_id": other.id})
        moved = host.request("visit.transfer", {"appointment_id": appointment["id"],
                                                "practitioner_id": other.id})
        transferred = socket.receive_type("visit.transferred")["payload"]

        self.assertEqual(by_patient["payload"]["code"], "forbidden")
        self.assertTrue(moved["payload"]["moved"])
        self.assertEqual(transferred["practitioner_id"], other.id)
        self.assertEqual(transferred["position"], 1)
        self.assertEqual(self.room.status(appointment)["practitioner_id"], other.id)
        events = [json.loads(body) for body in self.daemon.sql(
            "SELECT body FROM audit_events WHERE action = 'transfer' AND resource_id = '%s' "
            "ORDER BY seq" % appointment["id"])]
        self.assertEqual([event["outcome"] for event in events], ["denied", "success"])
        self.assertEqual(events[0]["actor_user_id"], patient.id)
        self.assertEqual(events[1]["patient_id"], patient.patient_id)

    def test_screen_sharing_is_announced_and_its_start_audited(self):
        host, host_id, guest, _, appointment, _ = self.room.admitted_pair()

        started = host.request("visit.screen_share",
                               {"appointment_id": appointment["id"], "active": True})
        sharing = participant_update(guest, host_id)
        stopped = host.request("visit.screen_share",
                               {"appointment_id": appointment["id"], "active": False})
        not_sharing = participant_update(guest, host_id)

        self.assertTrue(started["payload"]["moved"])
        self.assertTrue(sharing["screen_sharing"])
        self.assertTrue(stopped["payload"]["moved"])
        self.assertFalse(not_sharing["screen_sharing"])
        events = audit_outcomes(self.daemon, "screen_share", appointment["id"])
        self.assertEqual([event["outcome"] for event in events], ["success"])

    def test_completing_the_visit_ends_the_room(self):
        host, _, guest, _, appointment, _ = self.room.admitted_pair()

        fx.expect(self.daemon.post("/api/v1/appointments/%s/complete" % appointment["id"],
                                   token=self.clinic.clinician.token), 200, "complete")
        ended = guest.receive_type("visit.ended")["payload"]
        host_ended = host.receive_type("visit.ended")["payload"]

        self.assertEqual(ended["reason"], "completed")
        self.assertEqual(host_ended["reason"], "completed")

    # -- leaving and rejoining --

    def test_rejoin_within_the_grace_keeps_the_place_and_displaces_nobody(self):
        host, host_id, guest, patient_id, appointment, patient = self.room.admitted_pair()
        guest.close()
        participant_update(host, patient_id, "away")

        socket = self.room.open(patient.token)
        back = self.room.join(socket, appointment)
        announced = participant_update(host, patient_id, "admitted")
        second = self.room.open(patient.token)
        again = self.room.join(second, appointment)
        replaced = socket.receive_type("visit.ended")["payload"]

        self.assertEqual(back["participant_id"], patient_id)
        self.assertEqual(back["state"], "admitted")
        self.assertIn(host_id, [p["participant_id"] for p in back["participants"]])
        self.assertEqual(announced["participant_id"], patient_id)
        self.assertEqual(again["participant_id"], patient_id)
        self.assertEqual(replaced["reason"], "replaced")
        pinged = host.request("ping", id_="still-there")
        self.assertEqual(pinged["type"], "pong")
        self.assertEqual(len(audit_outcomes(self.daemon, "rejoin", appointment["id"])), 2)

    def test_after_the_grace_the_place_is_gone_and_the_patient_waits_again(self):
        host, _, guest, patient_id, appointment, patient = self.room.admitted_pair()
        guest.close()

        gone = participant_update(host, patient_id, "left")
        socket = self.room.open(patient.token)
        back = self.room.join(socket, appointment)

        self.assertEqual(gone["state"], "left")
        self.assertEqual(back["participant_id"], patient_id)
        self.assertEqual(back["state"], "waiting")

    def test_leave_gives_the_place_up_at_once(self):
        host, _, guest, patient_id, appointment, _ = self.room.admitted_pair()

        left = guest.request("visit.leave", {"appointment_id": appointment["id"]})
        announced = participant_update(host, patient_id, "left")

        self.assertEqual(left["type"], "visit.left")
        self.assertEqual(announced["state"], "left")

    # -- ICE --

    def test_ice_configuration_carries_turn_credentials_of_the_shared_secret(self):
        patient, appointment = self.room.checked_in()
        host = self.room.open(self.clinic.clinician.token)
        hosted = self.room.join(host, appointment)

        refreshed = host.request("ice.refresh", {"appointment_id": appointment["id"]})
        outsider = self.room.open(patient.token).request(
            "ice.refresh", {"appointment_id": appointment["id"]})

        for ice in (hosted["ice"], refreshed["payload"]):
            stun, turn = ice["ice_servers"]
            self.assertEqual(stun, {"urls": ["stun:turn.example.org:3478"]})
            self.assertEqual(turn["urls"], ["turn:turn.example.org:3478?transport=udp"])
            expiry, participant = turn["username"].split(":")
            self.assertEqual(participant, hosted["participant_id"])
            self.assertEqual(int(expiry), ice["expires_at"])
            self.assertAlmostEqual(ice["expires_at"], time.time() + 600, delta=30)
            expected = base64.b64encode(hmac.new(TURN_SECRET.encode(), turn["username"].encode(),
                                                 hashlib.sha1).digest()).decode()
            self.assertEqual(turn["credential"], expected)
        self.assertEqual(refreshed["type"], "ice.servers")
        self.assertEqual(outsider["payload"]["code"], "forbidden")
        self.assertNotIn(TURN_SECRET, self.daemon.log())

    # -- guests and queue watchers --

    def test_guest_joins_through_a_redeemed_invitation_and_waits(self):
        patient, appointment = self.room.checked_in()
        secret = self.invited_guest_secret(appointment, "interpreter")
        redeemed = self.daemon.post("/api/v1/guest/redeem", {"token": secret})
        fx.expect(redeemed, 200, "redeem")
        host = self.room.open(self.clinic.clinician.token)
        self.room.join(host, appointment)
        other_patient, other_visit = self.room.checked_in()

        guest = self.room.open(redeemed.json()["token"])
        joined = self.room.join(guest, appointment)
        announced = participant_update(host, joined["participant_id"], "waiting")
        elsewhere = guest.request("visit.join", {"appointment_id": other_visit["id"]})
        moved = host.request("visit.admit", {"appointment_id": appointment["id"],
                                             "participant_id": joined["participant_id"]})
        admitted = guest.receive_type("visit.admitted")["payload"]

        self.assertEqual(joined["state"], "waiting")
        self.assertEqual(announced["role"], "guest")
        self.assertEqual(announced["display_name"], "Guest")
        self.assertEqual(elsewhere["payload"]["code"], "not_found")
        self.assertTrue(moved["payload"]["moved"])
        self.assertEqual(admitted["participant_id"], joined["participant_id"])
        self.assertEqual(self.room.status(appointment)["status"], "checked_in")
        events = audit_outcomes(self.daemon, "guest_join", appointment["id"])
        self.assertEqual([event["outcome"] for event in events], ["success"])
        self.assertEqual(events[0]["patient_id"], patient.patient_id)
        self.assertNotEqual(other_patient.id, "")

    def test_guest_in_a_browser_opens_the_socket_with_the_cookie_and_waits(self):
        _, appointment = self.room.checked_in()
        secret = self.invited_guest_secret(appointment, "family_member")
        redeemed = fx.expect(self.daemon.post("/api/v1/guest/redeem",
                                              {"token": secret, "cookie": True}), 200, "redeem")
        cookie = redeemed.header("Set-Cookie").split(";")[0].split("=", 1)[1]

        guest = ws_client.WebSocket(self.daemon, cookie=cookie, origin="https://clinic.example")
        self.addCleanup(guest.sock.close)
        joined = self.room.join(guest, appointment)
        with self.assertRaises(ws_client.UpgradeRefused) as elsewhere:
            ws_client.WebSocket(self.daemon, cookie=cookie, origin="https://evil.example")

        self.assertEqual(joined["state"], "waiting")
        self.assertEqual(elsewhere.exception.status, 403)

    def invited_guest_secret(self, appointment, relationship):
        """Invites a guest to the visit; the secret of the link in their email."""
        email = fx.unique("guest") + "@example.org"
        fx.expect(self.daemon.post("/api/v1/appointments/%s/invitations" % appointment["id"],
                                   {"email": email, "relationship": relationship},
                                   token=self.clinic.front_desk.token), 201, "invite")
        return invitations.LINK.search(self.wait_for_email_to(email).text()).group(1)

    def wait_for_email_to(self, address):
        return invitations.VisitInvitationTest.wait_for_email_to(self, address)

    def test_staff_watch_the_queue_and_patients_may_not(self):
        watcher = self.room.open(self.clinic.front_desk.token)
        patient = self.room.patient()

        watching = watcher.request("queue.watch", {"practitioner_id": self.clinic.practitioner})
        self.room.checked_in(patient)
        changed = watcher.receive_type("queue.changed")["payload"]
        refused = self.room.open(patient.token).request(
            "queue.watch", {"practitioner_id": self.clinic.practitioner})

        self.assertEqual(watching["type"], "queue.watching")
        self.assertEqual(changed, {"practitioner_id": self.clinic.practitioner})
        self.assertEqual(refused["payload"]["code"], "forbidden")


@unittest.skipUnless(harness.BACKEND == "postgresql", ONLY_POSTGRESQL)
class TwoDaemonsVisitTest(unittest.TestCase):
    """Two daemons on one PostgreSQL database: the patient on one, the
    clinician on the other; admission, positions and signals cross through
    LISTEN/NOTIFY."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="th-visits-")
        overrides = dict(sched.DAEMON_OVERRIDES, **video_overrides(cls.dir))
        cls.first = harness.node_daemon(overrides, "node-a").start()
        cls.second = harness.node_daemon(overrides, "node-b", cls.first.database_url,
                                         cls.first).start()
        cls.clinic = sched.Clinic(cls.first)
        cls.clinician_on_second = fx.sign_in(cls.second, cls.clinic.clinician)
        cls.slots = Slots()

    @classmethod
    def tearDownClass(cls):
        for daemon in (cls.second, cls.first):
            daemon.stop()
            daemon.cleanup()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def split_room(self):
        """The clinician in the room through the second daemon, the patient
        waiting in it through the first: (room, patient, appointment, host
        socket, host id, patient socket, patient id)."""
        room = Room(self, self.first, self.clinic, self.slots)
        patient, appointment = room.checked_in()
        host = room.open(self.clinician_on_second.token, daemon=self.second)
        host_id = room.join(host, appointment)["participant_id"]
        socket = room.open(patient.token)
        patient_id = room.join(socket, appointment)["participant_id"]
        return room, patient, appointment, host, host_id, socket, patient_id

    def test_admission_positions_and_signals_cross_between_daemons(self):
        room, _, appointment, host, host_id, socket, patient_id = self.split_room()

        announced = participant_update(host, patient_id, "waiting")
        other = room.patient()
        room.check_in(room.book(other), other, daemon=self.second)
        position = socket.receive_type("visit.position")["payload"]
        host.send_json("visit.admit", {"appointment_id": appointment["id"],
                                       "participant_id": patient_id})
        admitted = socket.receive_type("visit.admitted")["payload"]
        host.send_json("signal", {"appointment_id": appointment["id"], "to": patient_id,
                                  "kind": "offer", "data": {"type": "offer", "sdp": "v=0"}})
        offer = socket.receive_type("signal")["payload"]
        large = {"type": "answer", "sdp": "v=0\r\n" + "a=x-padding:" + "p" * 12000}
        socket.send_json("signal", {"appointment_id": appointment["id"], "to": host_id,
                                    "kind": "answer", "data": large})
        answer = host.receive_type("signal")["payload"]

        self.assertEqual(announced["role"], "patient")
        self.assertGreaterEqual(position["position"], 1)
        self.assertEqual(admitted["participant_id"], patient_id)
        self.assertIn(host_id, [p["participant_id"] for p in admitted["participants"]])
        self.assertEqual(offer["from"], host_id)
        self.assertEqual(answer["from"], patient_id)
        self.assertEqual(answer["data"], large)
        self.assertEqual(room.status(appointment)["status"], "in_progress")

    def test_a_rejoin_through_the_other_daemon_takes_back_the_place(self):
        room, patient, appointment, host, host_id, first_socket, patient_id = self.split_room()
        host.request("visit.admit", {"appointment_id": appointment["id"],
                                     "participant_id": patient_id})
        first_socket.receive_type("visit.admitted")

        first_socket.close()
        away = participant_update(host, patient_id, "away")
        moved = room.open(fx.sign_in(self.second, patient).token, daemon=self.second)
        back = room.join(moved, appointment)
        announced = participant_update(host, patient_id, "admitted")
        host.send_json("signal", {"appointment_id": appointment["id"], "to": patient_id,
                                  "kind": "offer", "data": {"type": "offer", "sdp": "v=0"}})
        offer = moved.receive_type("signal")["payload"]

        self.assertEqual(away["state"], "away")
        self.assertEqual(back["participant_id"], patient_id)
        self.assertEqual(back["state"], "admitted")
        self.assertEqual(announced["participant_id"], patient_id)
        self.assertEqual(offer["from"], host_id)


if __name__ == "__main__":
    harness.main()
