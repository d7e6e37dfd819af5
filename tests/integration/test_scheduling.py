"""Scheduling over HTTPS: practitioners' profiles and availability, slot
search, booking by patients and front desk, licensure, the race for one slot
(threads against one daemon, and against two daemons sharing the database),
rescheduling and cancellation, the visit from check-in to completion with
the waiting-room queue, the day schedule, the care-team scope an
appointment gives its practitioner, audit and encryption at rest, and the
thctl nouns.

The practitioner works in America/New_York and is available all day every
day, in 20-minute slots, so tests can book any future time on the grid;
the time-zone rules themselves (daylight-saving changes) are unit-tested in
tests/unit/scheduling.

Python standard library only.
"""

import datetime
import json
import os
import threading
import zoneinfo

import access_fixtures as fx
import harness

SLOT = datetime.timedelta(minutes=20)
ALL_WEEK = [{"weekday": day, "start": "00:00", "end": "24:00"}
            for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                        "sunday")]
RACERS = 20
# Every racer holds a connection of its own, already through TLS, when the
# requests go out: the daemons need a worker for each.
DAEMON_OVERRIDES = {"auth": dict(fx.UNTHROTTLED), "server": {"worker_threads": RACERS + 4}}


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def rfc3339(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def slots_in_local_day(day, zone="America/New_York"):
    """How many 20-minute slots an all-day rule gives on `day` in `zone`: 72,
    or 69 and 75 on the days the clocks change."""
    tz = zoneinfo.ZoneInfo(zone)
    start = datetime.datetime.combine(day, datetime.time(0), tz).astimezone(datetime.timezone.utc)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0),
                                    tz).astimezone(datetime.timezone.utc)
    return int((end - start).total_seconds() // 1200)


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def on_grid(moment):
    """The first 20-minute mark at or after `moment`."""
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    seconds = int((moment - epoch).total_seconds())
    return epoch + datetime.timedelta(seconds=-(-seconds // 1200) * 1200)


class SlotClock:
    """Hands out distinct future slots, so tests sharing one practitioner do
    not collide: each call a fresh 2-hour step, days ahead. Availability ends
    at local midnight and no slot crosses it, so slots are kept to local
    times before 21:00 in the practitioner's zone: a test may then book a
    visit up to three hours after its slot, whatever time of day it runs."""

    def __init__(self, days_ahead=3, zone="America/New_York"):
        self.next = on_grid(utc_now() + datetime.timedelta(days=days_ahead))
        self.zone = zoneinfo.ZoneInfo(zone)

    def take(self):
        while True:
            slot = self.next
            self.next += datetime.timedelta(hours=2)
            if slot.astimezone(self.zone).hour < 21:
                return slot


def next_npi(counter=[200000000]):
    """A fresh NPI with a valid Luhn check digit over 80840 + 9 digits."""
    counter[0] += 1
    body = str(counter[0])
    digits = [int(d) for d in "80840" + body]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return body + str((10 - total % 10) % 10)


class Clinic:
    """Accounts and a practitioner on one daemon."""

    def __init__(self, daemon, licenses=("OR", "WA"), zone="America/New_York", display_name=""):
        self.daemon = daemon
        self.front_desk = fx.create_account(daemon, "front_desk")
        self.clinician = fx.create_account(daemon, "clinician")
        self.nurse = fx.create_account(daemon, "nurse")
        self.practitioner = self.clinician.id
        profile = {"npi": next_npi(), "license_states": list(licenses), "time_zone": zone,
                   "slot_minutes": 20}
        if display_name:
            profile["display_name"] = display_name
        fx.expect(daemon.admin("PUT", "/api/v1/practitioners/" + self.practitioner, profile),
                  200, "set practitioner profile")
        fx.expect(daemon.request("PUT", "/api/v1/practitioners/%s/availability" % self.practitioner,
                                 {"rules": ALL_WEEK}, token=self.front_desk.token),
                  200, "set availability")

    def book(self, patient_id, start, visit_type="follow_up", token=None, reason="sore throat",
             connection=None, daemon=None):
        body = {"practitioner_id": self.practitioner, "visit_type": visit_type,
                "start": rfc3339(start), "reason": reason}
        if patient_id:
            body["patient_id"] = patient_id
        return (daemon or self.daemon).post("/api/v1/appointments", body,
                                             token=token or self.front_desk.token,
                                             connection=connection)


def race(targets, booking):
    """Fires `booking(daemon, connection)` from one thread per target at once;
    returns the replies. Connections are opened (and TLS negotiated) before
    the barrier, so the requests really arrive together."""
    barrier = threading.Barrier(len(targets))
    replies = [None] * len(targets)
    errors = []

    def run(index, daemon):
        connection = daemon.connection()
        try:
            connection.connect()
            barrier.wait(timeout=30)
            replies[index] = booking(daemon, connection)
        except Exception as failure:  # reported below with the others
            errors.append(repr(failure))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, daemon)) for i, daemon in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return replies


class SchedulingTest(fx.AccessTestCase):
    DAEMON_OVERRIDES = DAEMON_OVERRIDES

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clinic = Clinic(cls.daemon)
        cls.slots = SlotClock()
        cls.patient_record = fx.create_patient(cls.daemon, state="OR")
        cls.patient = fx.create_account(cls.daemon, "patient",
                                        patient_mrn=cls.patient_record["mrn"])

    def book(self, patient_id, start, **kwargs):
        return self.clinic.book(patient_id, start, **kwargs)

    def appointment(self, reply):
        self.assertStatus(reply, 201, "booking")
        return reply.json()

    # ---- profiles, availability, slots ----

    def test_profile_refuses_a_bad_npi_and_an_unknown_zone(self):
        bad_npi = self.daemon.admin("PUT", "/api/v1/practitioners/" + self.clinic.nurse.id,
                                    {"npi": "1234567890", "license_states": ["OR"],
                                     "time_zone": "UTC"})
        bad_zone = self.daemon.admin("PUT", "/api/v1/practitioners/" + self.clinic.nurse.id,
                                     {"npi": next_npi(), "license_states": ["OR"],
                                      "time_zone": "Atlantis/Capital"})

        self.assertStatus(bad_npi, 400)
        self.assertIn("npi", bad_npi.json()["error"]["message"])
        self.assertStatus(bad_zone, 400)
        self.assertIn("time zone", bad_zone.json()["error"]["message"])

    def test_availability_reads_back_in_the_practitioners_zone(self):
        reply = self.daemon.get("/api/v1/practitioners/%s/availability" % self.clinic.practitioner,
                                token=self.patient.token)

        self.assertStatus(reply, 200)
        body = reply.json()
        self.assertEqual(body["time_zone"], "America/New_York")
        self.assertEqual(len(body["rules"]), 7)
        self.assertEqual(body["rules"][0], {"weekday": "monday", "start": "00:00", "end": "24:00"})

    def test_time_off_removes_slots_and_deleting_it_restores_them(self):
        local_day = (utc_now() + datetime.timedelta(days=20)).date()
        day = local_day.isoformat()
        search = ("/api/v1/slots?visit_type=follow_up&from=%s&tz=America/New_York"
                  "&practitioner=%s" % (day, self.clinic.practitioner))
        whole_day = slots_in_local_day(local_day)
        before = self.daemon.get(search, token=self.patient.token).json()["items"]

        added = self.daemon.post("/api/v1/practitioners/%s/exceptions" % self.clinic.practitioner,
                                 {"date": day, "kind": "time_off", "start": "09:00",
                                  "end": "12:00"}, token=self.clinic.front_desk.token)
        during = self.daemon.get(search, token=self.patient.token).json()["items"]
        removed = self.daemon.request(
            "DELETE", "/api/v1/practitioners/%s/exceptions/%s" % (self.clinic.practitioner,
                                                               added.json()["id"]),
            token=self.clinic.front_desk.token)
        after = self.daemon.get(search, token=self.patient.token).json()["items"]

        self.assertEqual(len(before), whole_day)
        self.assertStatus(added, 201)
        self.assertEqual(len(during), whole_day - 9)
        self.assertNotIn(day + "T09:00:00", " ".join(item["start"] for item in during))
        self.assertStatus(removed, 200)
        self.assertEqual(len(after), whole_day)

    def test_slots_are_shown_in_the_viewers_zone_and_booked_ones_disappear(self):
        start = self.slots.take()
        self.appointment(self.book(self.patient_record["id"], start))
        day = start.astimezone(datetime.timezone(datetime.timedelta(hours=-7))).date()

        reply = self.daemon.get("/api/v1/slots?visit_type=follow_up&from=%s&to=%s"
                                "&tz=America/Phoenix&practitioner=%s"
                                % (day.isoformat(), (day + datetime.timedelta(days=1)).isoformat(),
                                   self.clinic.practitioner),
                                token=self.clinic.front_desk.token)

        self.assertStatus(reply, 200)
        body = reply.json()
        self.assertEqual(body["time_zone"], "America/Phoenix")
        starts = [parse_time(item["start"]) for item in body["items"]]
        self.assertTrue(all(item["start"].endswith("-07:00") for item in body["items"]))
        self.assertNotIn(start, starts)
        self.assertIn(start + SLOT, starts)

    # ---- booking ----

    def test_patient_books_their_own_visit_and_sees_it_in_their_zone(self):
        start = self.slots.take()

        reply = self.daemon.post("/api/v1/appointments?tz=America/Los_Angeles",
                                 {"practitioner_id": self.clinic.practitioner,
                                  "visit_type": "new_patient", "start": rfc3339(start),
                                  "reason": "rash on both arms"}, token=self.patient.token)

        booked = self.appointment(reply)
        self.assertEqual(booked["patient_id"], self.patient_record["id"])
        self.assertEqual(parse_time(booked["start"]), start)
        self.assertEqual(parse_time(booked["end"]) - start, datetime.timedelta(minutes=40))
        self.assertRegex(booked["start"], r"-0[78]:00$")
        self.assertEqual(booked["time_zone"], "America/Los_Angeles")
        self.assertEqual(booked["status"], "scheduled")
        self.assertEqual(booked["reason"], "rash on both arms")
        listing = self.daemon.get("/api/v1/appointments", token=self.patient.token).json()
        self.assertIn(booked["id"], [item["id"] for item in listing["items"]])
        self.assertEqual({item["patient_id"] for item in listing["items"]},
                         {self.patient_record["id"]})

    def test_patient_cannot_book_for_someone_else(self):
        other = fx.create_patient(self.daemon, state="OR")

        reply = self.book(other["id"], self.slots.take(), token=self.patient.token)

        self.assertStatus(reply, 403)

    def test_licensure_refusal_says_which_states(self):
        texan = fx.create_patient(self.daemon, state="TX")

        reply = self.book(texan["id"], self.slots.take())

        self.assertStatus(reply, 403)
        message = reply.json()["error"]["message"]
        self.assertTrue(message.startswith("not_licensed:"), message)
        self.assertIn("TX", message)
        self.assertIn("OR,WA", message)

    def test_refuses_a_time_off_the_slot_grid(self):
        reply = self.book(self.patient_record["id"],
                          self.slots.take() + datetime.timedelta(minutes=10))

        self.assertStatus(reply, 409)
        self.assertTrue(reply.json()["error"]["message"].startswith("outside_availability"))

    def test_overlapping_visits_of_different_lengths_are_refused(self):
        start = self.slots.take()
        other = fx.create_patient(self.daemon, state="WA")
        self.appointment(self.book(self.patient_record["id"], start, visit_type="new_patient"))

        overlapping = self.book(other["id"], start + SLOT)
        after = self.book(other["id"], start + 2 * SLOT)

        self.assertStatus(overlapping, 409)
        self.assertEqual(overlapping.json()["error"]["code"], "conflict")
        self.assertTrue(overlapping.json()["error"]["message"].startswith("slot_taken"))
        self.assertStatus(after, 201)

    def test_many_concurrent_bookings_of_one_slot_one_wins_the_rest_get_409(self):
        start = self.slots.take()
        patients = [fx.create_patient(self.daemon, state="OR")["id"] for _ in range(4)]

        replies = race([self.daemon] * RACERS,
                       lambda daemon, connection: self.clinic.book(
                           patients[threading.get_ident() % len(patients)], start,
                           connection=connection))

        statuses = sorted(reply.status for reply in replies)
        self.assertEqual(statuses, [201] + [409] * (RACERS - 1), [r.body[:200] for r in replies])
        for reply in replies:
            if reply.status == 409:
                self.assertEqual(reply.json()["error"]["code"], "conflict")
                self.assertTrue(reply.json()["error"]["message"].startswith("slot_taken"))
        rows = self.daemon.sql("SELECT COUNT(*) FROM appointments WHERE practitioner_id = '%s' "
                               "AND status <> 'cancelled' AND starts_at = %d"
                               % (self.clinic.practitioner, int(start.timestamp()) * 1000000))
        self.assertEqual(rows, ["1"])

    # ---- changes ----

    def test_cancellation_records_who_and_why_and_frees_the_slot(self):
        start = self.slots.take()
        booked = self.appointment(self.book(self.patient_record["id"], start))

        cancelled = self.daemon.post("/api/v1/appointments/%s/cancel" % booked["id"],
                                     {"reason": "patient is travelling"},
                                     token=self.clinic.front_desk.token)
        as_practitioner = self.daemon.get("/api/v1/appointments/" + booked["id"],
                                          token=self.clinic.clinician.token)
        rebooked = self.book(self.patient_record["id"], start)

        self.assertStatus(cancelled, 200)
        self.assertEqual(cancelled.json()["status"], "cancelled")
        self.assertEqual(cancelled.json()["cancelled_by"], self.clinic.front_desk.id)
        self.assertNotIn("cancel_reason", cancelled.json())  # front desk: no clinical text
        self.assertEqual(as_practitioner.json()["cancel_reason"], "patient is travelling")
        self.assertStatus(rebooked, 201)

    def test_cancellation_needs_a_reason(self):
        booked = self.appointment(self.book(self.patient_record["id"], self.slots.take()))

        reply = self.daemon.post("/api/v1/appointments/%s/cancel" % booked["id"], {},
                                 token=self.clinic.front_desk.token)

        self.assertStatus(reply, 400)

    def test_front_desk_reschedules_to_a_free_time(self):
        start = self.slots.take()
        booked = self.appointment(self.book(self.patient_record["id"], start))

        moved = self.daemon.post("/api/v1/appointments/%s/reschedule" % booked["id"],
                                 {"start": rfc3339(start + 3 * SLOT)},
                                 token=self.clinic.front_desk.token)

        self.assertStatus(moved, 200)
        self.assertEqual(parse_time(moved.json()["start"]), start + 3 * SLOT)
        self.assertEqual(moved.json()["version"], 2)
        self.assertStatus(self.book(self.patient_record["id"], start), 201)

    # ---- the visit ----

    def test_visit_from_check_in_through_the_queue_to_completion(self):
        start = on_grid(utc_now() + datetime.timedelta(minutes=2))
        record = fx.create_patient(self.daemon, state="WA")
        patient = fx.create_account(self.daemon, "patient", patient_mrn=record["mrn"])
        booked = self.appointment(self.book("", start, token=patient.token))
        path = "/api/v1/appointments/" + booked["id"]

        checked_in = self.daemon.post(path + "/check-in", token=patient.token)
        own_queue = self.daemon.get("/api/v1/practitioners/%s/queue" % self.clinic.practitioner,
                                    token=patient.token)
        patient_start = self.daemon.post(path + "/start", token=patient.token)
        started = self.daemon.post(path + "/start", token=self.clinic.clinician.token)
        again = self.daemon.post(path + "/start", token=self.clinic.clinician.token)
        completed = self.daemon.post(path + "/complete", token=self.clinic.clinician.token)

        self.assertStatus(checked_in, 200)
        self.assertEqual(checked_in.json()["status"], "checked_in")
        self.assertNotEqual(checked_in.json()["checked_in_at"], "")
        self.assertStatus(own_queue, 200)
        places = own_queue.json()["items"]
        self.assertEqual([place["appointment"]["id"] for place in places], [booked["id"]])
        self.assertGreaterEqual(places[0]["position"], 1)
        self.assertGreaterEqual(places[0]["estimated_wait_seconds"], 0)
        self.assertStatus(patient_start, 403)
        self.assertStatus(started, 200)
        self.assertEqual(started.json()["status"], "in_progress")
        self.assertStatus(again, 409)
        self.assertTrue(again.json()["error"]["message"].startswith("invalid_transition"))
        self.assertStatus(completed, 200)
        self.assertEqual(completed.json()["status"], "completed")
        self.assertEqual(completed.json()["version"], 4)

    def test_check_in_is_refused_before_it_opens(self):
        booked = self.appointment(self.book(self.patient_record["id"], self.slots.take()))

        reply = self.daemon.post("/api/v1/appointments/%s/check-in" % booked["id"],
                                 token=self.patient.token)

        self.assertStatus(reply, 409)
        self.assertEqual(reply.json()["error"]["message"],
                         "check_in_not_open: check-in opens 30 minutes before the start")

    def test_no_show_is_refused_before_the_start(self):
        booked = self.appointment(self.book(self.patient_record["id"], self.slots.take()))

        reply = self.daemon.post("/api/v1/appointments/%s/no-show" % booked["id"],
                                 token=self.clinic.front_desk.token)

        self.assertStatus(reply, 409)
        self.assertTrue(reply.json()["error"]["message"].startswith("too_early"))

    # ---- scope, schedule, audit, encryption ----

    def test_booking_gives_the_practitioner_access_to_the_record(self):
        record = fx.create_patient(self.daemon, state="OR")
        before = self.daemon.get("/api/v1/patients/" + record["id"],
                                 token=self.clinic.clinician.token)

        booked = self.appointment(self.book(record["id"], self.slots.take()))
        during = self.daemon.get("/api/v1/patients/" + record["id"],
                                 token=self.clinic.clinician.token)
        self.daemon.post("/api/v1/appointments/%s/cancel" % booked["id"],
                         {"reason": "booked in error"}, token=self.clinic.front_desk.token)
        after = self.daemon.get("/api/v1/patients/" + record["id"],
                                token=self.clinic.clinician.token)

        self.assertStatus(before, 404)
        self.assertStatus(during, 200)
        self.assertStatus(after, 404)
        bodies = self.daemon.sql("SELECT body FROM audit_events WHERE resource_type = "
                                 "'patient_record' AND patient_id = '%s' AND outcome = 'success'"
                                 % record["id"])
        self.assertEqual(len(bodies), 1)
        self.assertEqual(json.loads(bodies[0])["reason"], "in scope through appointment")

    def test_day_schedule_is_for_staff(self):
        start = self.slots.take()
        booked = self.appointment(self.book(self.patient_record["id"], start))
        # Caracas keeps UTC-4 all year.
        local_day = start.astimezone(datetime.timezone(datetime.timedelta(hours=-4))).date()
        path = "/api/v1/practitioners/%s/schedule?date=%s&tz=America/Caracas" % (
            self.clinic.practitioner, local_day.isoformat())

        as_front_desk = self.daemon.get(path, token=self.clinic.front_desk.token)
        as_patient = self.daemon.get(path, token=self.patient.token)

        self.assertStatus(as_front_desk, 200)
        items = as_front_desk.json()["items"]
        self.assertIn(booked["id"], [item["id"] for item in items])
        self.assertTrue(all(item["start"].endswith("-04:00") for item in items))
        self.assertNotIn("reason", items[0])
        self.assertStatus(as_patient, 403)

    def test_every_change_is_audited_with_the_patient(self):
        booked = self.appointment(self.book(self.patient_record["id"], self.slots.take()))
        self.daemon.post("/api/v1/appointments/%s/cancel" % booked["id"],
                         {"reason": "duplicate booking"}, token=self.clinic.front_desk.token)

        rows = self.daemon.sql("SELECT action, patient_id, outcome FROM audit_events WHERE "
                               "resource_type = 'appointment' AND resource_id = '%s' ORDER BY seq"
                               % booked["id"])

        self.assertEqual(rows, ["book|%s|success" % self.patient_record["id"],
                                "cancel|%s|success" % self.patient_record["id"]])

    def test_reasons_are_encrypted_at_rest(self):
        booked = self.appointment(self.book(self.patient_record["id"], self.slots.take(),
                                            reason="chest pain when climbing stairs"))

        stored = self.daemon.sql("SELECT reason_enc FROM appointments WHERE id = '%s'"
                                 % booked["id"])

        self.assertEqual(len(stored), 1)
        self.assertNotIn("chest pain", stored[0])

    # ---- thctl ----

    def token_file(self, account):
        token = fx.expect(self.daemon.admin("POST", "/api/v1/tokens",
                                            {"user": account.id, "name": "scheduling"}),
                          201, "create token").json()["token"]
        path = os.path.join(self.daemon.dir, account.username + ".token")
        with open(path, "w") as out:
            out.write(token)
        os.chmod(path, 0o600)
        return path

    def test_thctl_lists_the_day_and_the_appointments_for_the_front_desk(self):
        start = self.slots.take()
        booked = self.appointment(self.book(self.patient_record["id"], start))
        token_file = self.token_file(self.clinic.front_desk)
        day = start.date().isoformat()

        schedule = self.daemon.thctl("--output", "json", "schedule", "day", "--practitioner",
                                     self.clinic.practitioner, "--date", day, "--tz", "UTC",
                                     remote=True, token_file=token_file)
        listing = self.daemon.thctl("--output", "csv", "appointment", "list", "--practitioner",
                                    self.clinic.practitioner, "--date", day, remote=True,
                                    token_file=token_file)
        operator = self.daemon.thctl("appointment", "list")

        self.assertEqual(schedule.returncode, 0, schedule.stderr)
        self.assertIn(booked["id"], [item["id"] for item in json.loads(schedule.stdout)])
        self.assertEqual(listing.returncode, 0, listing.stderr)
        self.assertIn(booked["id"], listing.stdout)
        self.assertEqual(operator.returncode, 77, operator.stderr)

    def test_thctl_sets_and_shows_a_practitioner(self):
        nurse = fx.create_account(self.daemon, "clinician", mfa=False)
        npi = next_npi()

        created = self.daemon.thctl("--output", "json", "practitioner", "set", nurse.username,
                                    "--npi", npi, "--license", "ca,nv", "--time-zone",
                                    "America/Los_Angeles")

        self.assertEqual(created.returncode, 0, created.stderr)
        profile = json.loads(created.stdout)
        self.assertEqual(profile["user_id"], nurse.id)
        self.assertEqual(profile["license_states"], ["CA", "NV"])


    def test_thctl_license_add_and_remove_are_seen_by_the_next_booking(self):
        clinic = Clinic(self.daemon, licenses=("OR",))
        nevadan = fx.create_patient(self.daemon, state="NV")
        username = clinic.clinician.username

        refused_before = clinic.book(nevadan["id"], self.slots.take())
        added = self.daemon.thctl("--output", "json", "practitioner", "license", "add", username,
                                  "--state", "nv,WA")
        booked = clinic.book(nevadan["id"], self.slots.take())
        removed = self.daemon.thctl("--output", "json", "practitioner", "license", "remove",
                                    username, "--state", "NV")
        refused_after = clinic.book(nevadan["id"], self.slots.take())
        not_held = self.daemon.thctl("practitioner", "license", "remove", username, "--state",
                                     "TX")

        self.assertStatus(refused_before, 403)
        self.assertEqual(added.returncode, 0, added.stderr)
        self.assertEqual(json.loads(added.stdout)["license_states"], ["NV", "OR", "WA"])
        self.assertStatus(booked, 201)
        self.assertEqual(removed.returncode, 0, removed.stderr)
        self.assertEqual(json.loads(removed.stdout)["license_states"], ["OR", "WA"])
        self.assertStatus(refused_after, 403)
        self.assertIn("NV", refused_after.json()["error"]["message"])
        self.assertEqual(not_held.returncode, 65, not_held.stderr)
        bodies = self.daemon.sql("SELECT body FROM audit_events WHERE resource_type = "
                                 "'practitioner' AND resource_id = '%s' AND action LIKE "
                                 "'license%%' ORDER BY seq" % clinic.practitioner)
        events = [json.loads(body) for body in bodies]
        self.assertEqual([(event["action"], event["reason"]) for event in events],
                         [("license_add", "states NV,WA"), ("license_remove", "states NV")])

    def test_license_change_needs_user_manage(self):
        reply = self.daemon.post("/api/v1/practitioners/%s/licenses" % self.clinic.practitioner,
                                 {"add": ["CA"]}, token=self.clinic.front_desk.token)

        self.assertStatus(reply, 403)

class TwoDaemonRaceTest(fx.AccessTestCase):
    """Two daemons on one database (PostgreSQL, or one SQLite file): bookings
    racing through both for one slot still end with exactly one winner."""

    DAEMON_OVERRIDES = DAEMON_OVERRIDES

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clinic = Clinic(cls.daemon)
        overrides = dict(DAEMON_OVERRIDES, keys={"kek_file": cls.daemon.kek})
        cls.second = harness.Daemon(overrides, database=cls.daemon.database_url).start()

    @classmethod
    def tearDownClass(cls):
        cls.second.stop()
        cls.second.cleanup()
        super().tearDownClass()

    def test_racing_bookings_through_two_daemons_have_one_winner(self):
        start = SlotClock(days_ahead=5).take()
        patient = fx.create_patient(self.daemon, state="OR")["id"]
        targets = [self.daemon, self.second] * (RACERS // 2)

        replies = race(targets, lambda daemon, connection: self.clinic.book(
            patient, start, connection=connection, daemon=daemon))

        winners = [i for i, reply in enumerate(replies) if reply.status == 201]
        self.assertEqual(len(winners), 1, [r.body[:200] for r in replies])
        self.assertEqual(sorted(reply.status for reply in replies),
                         [201] + [409] * (RACERS - 1))
        # The winner is visible through the other daemon too.
        booked = replies[winners[0]].json()
        other = targets[1 - winners[0] % 2]
        seen = other.get("/api/v1/appointments/" + booked["id"],
                         token=self.clinic.front_desk.token)
        self.assertStatus(seen, 200)


if __name__ == "__main__":
    harness.main()
