#!/usr/bin/env python3
"""Reminders from real appointments: booking, rescheduling and cancelling
through the HTTPS API queue their notices and reminders in the same
transaction (the AppointmentReminders observer), and the running daemon
sends them through a real SMTP server with STARTTLS and an SMS stand-in.
The tests check that the messages name the practitioner by the display name
of their profile, give the time in reminders.default_time_zone, link to the
appointment and never carry the reason for the visit; that a move
supersedes the old reminders and a cancellation leaves none pending; that
status changes send nothing; and that the practitioner's calendar feed
shows the booking.
"""

import unittest

import access_fixtures as fx
import harness
import messaging_servers as ms
import test_calendar_feeds as cf
import test_reminders as tr
import test_scheduling as ts

icalendar = ms.import_system_package("icalendar")

ZONE = "America/Los_Angeles"
REASON = "persistent migraine with aura"


class BookingRemindersTest(fx.AccessTestCase):
    @classmethod
    def setUpClass(cls):
        cls.servers = tr.Servers()
        overrides = cls.servers.overrides()
        overrides["reminders"] = dict(overrides["reminders"], default_time_zone=ZONE)
        cls.DAEMON_OVERRIDES = dict(ts.DAEMON_OVERRIDES, **overrides)
        super().setUpClass()
        cls.clinic = ts.Clinic(cls.daemon)
        profile = cls.daemon.get("/api/v1/practitioners/" + cls.clinic.practitioner,
                                 token=cls.clinic.front_desk.token)
        fx.expect(profile, 200, "read the practitioner profile")
        body = dict(profile.json(), display_name="Dr. Rivera")
        fx.expect(cls.daemon.admin("PUT", "/api/v1/practitioners/" + cls.clinic.practitioner, body),
                  200, "name the practitioner")
        cls.slots = ts.SlotClock()
        cls.patient = fx.create_patient(cls.daemon, state="OR", email="sam@example.org",
                                        phone="(503) 555-0188")

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.servers.stop()

    def book(self, start):
        reply = self.clinic.book(self.patient["id"], start, reason=REASON)
        self.assertStatus(reply, 201, "booking")
        return reply.json()

    def act(self, appointment, verb, body):
        reply = self.daemon.post("/api/v1/appointments/%s/%s" % (appointment["id"], verb), body,
                                 token=self.clinic.front_desk.token)
        self.assertStatus(reply, 200, verb)
        return reply.json()

    def wait_for_email(self, appointment, subject_part):
        def found():
            for delivery in list(self.servers.smtp.handler.deliveries):
                if (subject_part in delivery.message["Subject"]
                        and appointment["id"] in delivery.text()):
                    return delivery
            return None
        return harness.wait_until(found, timeout=20,
                                  message="an email about %s: %s" % (appointment["id"],
                                                                     subject_part))

    def messages_of(self, appointment, status=None):
        reference = "appointment:" + appointment["id"]
        return [r for r in ms.reminders(self.daemon, status) if r["reference"] == reference]

    def test_booking_sends_a_notice_naming_the_practitioner_in_the_clinics_zone(self):
        start = self.slots.take()
        appointment = self.book(start)

        delivery = self.wait_for_email(appointment, "Your telehealth visit on")

        text = delivery.text()
        self.assertEqual(delivery.recipients, ["sam@example.org"])
        self.assertIn("Dr. Rivera", text)
        self.assertIn(tr.local_time_text(start.timestamp(), ZONE), text)
        self.assertIn("https://clinic.example/visits/" + appointment["id"], text)
        self.assertNotIn("migraine", text)
        self.assertNotIn("migraine", delivery.calendar_part().get_content())
        event = icalendar.Calendar.from_ical(delivery.calendar_part().get_content()).walk(
            "VEVENT")[0]
        self.assertEqual(event.decoded("DTSTART"), start)
        pending = {r["dedupe_key"] for r in self.messages_of(appointment, "pending")}
        prefix = "appointment:%s:1:reminder:" % appointment["id"]
        self.assertEqual(pending, {prefix + "24h:email", prefix + "1h:email",
                                   prefix + "24h:sms", prefix + "1h:sms"})

    def test_booking_sms_names_the_practitioner_and_not_the_reason(self):
        appointment = self.book(self.slots.take())

        def sms_for_appointment():
            for _, _, body in self.servers.sms.received():
                if appointment["id"] in body["body"]:
                    return body
            return None
        body = harness.wait_until(sms_for_appointment, timeout=20, message="the booking SMS")

        self.assertEqual(body["to"], "+15035550188")
        self.assertIn("Dr. Rivera", body["body"])
        self.assertNotIn("migraine", body["body"])

    def test_reschedule_supersedes_the_old_reminders_and_sends_the_new_time(self):
        start = self.slots.take()
        appointment = self.book(start)
        new_start = start + 3 * ts.SLOT

        self.act(appointment, "reschedule", {"start": ts.rfc3339(new_start)})
        delivery = self.wait_for_email(appointment, "has moved to")

        event = icalendar.Calendar.from_ical(delivery.calendar_part().get_content()).walk(
            "VEVENT")[0]
        self.assertEqual(int(event["SEQUENCE"]), 2)
        self.assertEqual(event.decoded("DTSTART"), new_start)
        self.assertIn(tr.local_time_text(new_start.timestamp(), ZONE), delivery.text())
        cancelled = {r["dedupe_key"] for r in self.messages_of(appointment, "cancelled")}
        self.assertIn("appointment:%s:1:reminder:24h:email" % appointment["id"], cancelled)
        pending = {r["dedupe_key"] for r in self.messages_of(appointment, "pending")}
        self.assertIn("appointment:%s:2:reminder:24h:email" % appointment["id"], pending)
        self.assertFalse(any(":1:" in key for key in pending), pending)

    def test_cancellation_sends_a_cancel_invitation_and_leaves_nothing_pending(self):
        appointment = self.book(self.slots.take())

        self.act(appointment, "cancel", {"reason": "patient is travelling"})
        delivery = self.wait_for_email(appointment, "is cancelled")

        self.assertEqual(delivery.calendar_part().get_param("method"), "CANCEL")
        self.assertNotIn("travelling", delivery.text())
        self.assertEqual(self.messages_of(appointment, "pending"), [])

    def test_status_changes_queue_nothing(self):
        appointment = self.book(self.slots.take())
        before = {r["dedupe_key"] for r in self.messages_of(appointment)}

        self.act(appointment, "urgency", {"urgent": True})

        after = {r["dedupe_key"] for r in self.messages_of(appointment)}
        self.assertEqual(after, before)
        self.assertEqual(len(before), 6)  # the notice and two reminders, by email and SMS

    def test_the_practitioners_feed_shows_the_booking(self):
        start = self.slots.take()
        appointment = self.book(start)
        path = cf.rotate(self.daemon, self.clinic.practitioner)

        reply = self.daemon.get(path)

        self.assertStatus(reply, 200)
        calendar = icalendar.Calendar.from_ical(reply.body)
        events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
        event = events[appointment["id"] + "@telehealthd"]
        self.assertEqual(event.decoded("DTSTART"), start)
        self.assertNotIn(b"migraine", reply.body)


if __name__ == "__main__":
    unittest.main()
