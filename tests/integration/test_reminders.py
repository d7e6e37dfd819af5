#!/usr/bin/env python3
"""Reminders end to end: appointment changes reported as booking will report
them (tests/tools/notify_fixture.cc) are queued in the outbox and sent by the
running daemon through a real SMTP server that requires STARTTLS and AUTH,
and through an HTTPS stand-in for an SMS provider. The tests check what
arrived: headers, texts, the attached invitation (parsed by the icalendar
package), the SMS request; and what the outbox recorded: retries, failure
after the last attempt, `thctl reminder retry`, opt-outs, superseded
reminders.
"""

import datetime
import json
import os
import shutil
import tempfile
import unittest
import zoneinfo

import access_fixtures as fx
import harness
import messaging_servers as ms

icalendar = ms.import_system_package("icalendar")

SMS_SECRET = "sms-api-key-5c1e"


def write_secret(directory, name, value):
    path = os.path.join(directory, name)
    with open(path, "w") as out:
        out.write(value + "\n")
    os.chmod(path, 0o600)
    return path


class Servers:
    """A CA, an SMTP server with STARTTLS and AUTH, and an SMS stand-in."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="th-reminders-")
        self.ca = ms.CertificateAuthority(self.dir)
        cert, key = self.ca.issue("localhost")
        self.smtp = ms.SmtpServer(ms.server_tls_context(cert, key))
        self.sms = ms.SmsProvider(cert, key)
        self.password_file = write_secret(self.dir, "smtp-password", ms.SmtpServer.PASSWORD)
        self.sms_secret_file = write_secret(self.dir, "sms-key", SMS_SECRET)

    def overrides(self, smtp_port=None, sms=True):
        sections = {
            "server": {"public_base_url": "https://clinic.example"},
            "reminders": {"poll_interval_seconds": 1, "retry_initial_seconds": 1,
                          "retry_max_seconds": 1, "max_attempts": 3, "lease_seconds": 3,
                          "clinic_name": "Bay Clinic"},
            "smtp": {"host": "localhost", "port": smtp_port or self.smtp.port,
                     "from": "Bay Clinic <reminders@clinic.example>",
                     "username": ms.SmtpServer.USERNAME, "password_file": self.password_file,
                     "ca_file": self.ca.cert, "timeout_seconds": 5},
        }
        if sms:
            sections["sms"] = {"url": self.sms.url, "from": "+15550001111",
                               "credentials_file": self.sms_secret_file,
                               "ca_file": self.ca.cert, "timeout_seconds": 5}
        return sections

    def stop(self):
        self.smtp.stop()
        self.sms.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def local_time_text(start, zone):
    moment = datetime.datetime.fromtimestamp(start, zoneinfo.ZoneInfo(zone))
    return moment.strftime("%-I:%M %p %Z")


class ReminderDeliveryTest(fx.AccessTestCase):
    @classmethod
    def setUpClass(cls):
        cls.servers = Servers()
        cls.DAEMON_OVERRIDES = dict(fx.AccessTestCase.DAEMON_OVERRIDES, **cls.servers.overrides())
        super().setUpClass()
        cls.patient = fx.create_patient(cls.daemon, email="robin@example.org",
                                        phone="(415) 555-0123")

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.servers.stop()

    def book(self, appointment, **kwargs):
        kwargs.setdefault("patient", self.patient["id"])
        kwargs.setdefault("email_address", "robin@example.org")
        kwargs.setdefault("phone", "(415) 555-0123")
        return ms.report_change(self.daemon, appointment, kwargs.pop("start", ms.in_three_days()),
                                **kwargs)

    def wait_for_email(self, subject_part):
        def found():
            for delivery in list(self.servers.smtp.handler.deliveries):
                if subject_part in delivery.message["Subject"]:
                    return delivery
            return None
        return harness.wait_until(found, timeout=20, message="an email about " + subject_part)

    def test_booking_email_arrives_over_starttls_with_the_invitation(self):
        start = ms.in_three_days()
        queued = self.book("appt-mail", start=start)

        delivery = self.wait_for_email("Your telehealth visit on")

        self.assertEqual(queued, 6)
        self.assertEqual(delivery.recipients, ["robin@example.org"])
        self.assertEqual(delivery.sender, "reminders@clinic.example")
        self.assertIn(ms.SmtpServer.USERNAME, self.servers.smtp.logins)
        text = delivery.text()
        self.assertIn("Dr. Lee", text)
        self.assertIn(local_time_text(start, "America/New_York"), text)
        self.assertIn("https://clinic.example/visits/appt-mail", text)
        self.assertTrue(delivery.message_id.endswith("@clinic.example>"))
        part = delivery.calendar_part()
        self.assertIsNotNone(part, "no text/calendar part")
        self.assertEqual(part.get_param("method"), "REQUEST")
        calendar = icalendar.Calendar.from_ical(part.get_content())
        self.assertEqual(str(calendar["METHOD"]), "REQUEST")
        events = [c for c in calendar.walk("VEVENT")]
        self.assertEqual(len(events), 1)
        self.assertEqual(str(events[0]["UID"]), "appt-mail@telehealthd")
        self.assertEqual(events[0].decoded("DTSTART"),
                         datetime.datetime.fromtimestamp(start, datetime.timezone.utc))

    def test_booking_sms_goes_to_the_provider_as_configured(self):
        self.book("appt-sms")

        def sms_for_appointment():
            for path, headers, body in self.servers.sms.received():
                if "appt-sms" in body["body"]:
                    return path, headers, body
            return None
        path, headers, body = harness.wait_until(sms_for_appointment, timeout=20,
                                                 message="the booking SMS")

        self.assertEqual(path, "/v1/messages")
        self.assertEqual(headers["Authorization"], "Bearer " + SMS_SECRET)
        self.assertEqual(body["to"], "+14155550123")
        self.assertEqual(body["from"], "+15550001111")
        self.assertIn("Dr. Lee", body["body"])
        self.assertTrue(headers["Idempotency-Key"])

    def test_sent_messages_are_listed_and_keep_no_contact_details(self):
        self.book("appt-list")
        row = ms.wait_for_status(self.daemon, "appointment:appt-list:1:booked:email", "sent")

        pending = [r["dedupe_key"] for r in ms.reminders(self.daemon, "pending")]
        stored = self.daemon.sql("SELECT recipient_enc || body_enc FROM outbox_messages "
                                 "WHERE id = '%s'" % row["id"])

        self.assertEqual(row["attempts"], 1)
        self.assertIn("appointment:appt-list:1:reminder:24h:email", pending)
        self.assertIn("appointment:appt-list:1:reminder:1h:sms", pending)
        self.assertEqual(stored, [""])
        self.assertNotIn("robin@example.org", json.dumps(ms.reminders(self.daemon)))

    def test_failed_sms_is_retried_then_failed_then_sent_by_thctl_retry(self):
        self.servers.sms.statuses = [503, 503, 503]
        self.book("appt-retry", phone="(415) 555-0199", email_address="")

        failed = ms.wait_for_status(self.daemon, "appointment:appt-retry:1:booked:sms", "failed")
        self.assertEqual(failed["attempts"], 3)
        self.assertIn("HTTP 503", failed["last_error"])
        self.assertIn(failed["id"], [r["id"] for r in ms.reminders(self.daemon, "failed")])

        retried = self.daemon.thctl("reminder", "retry", failed["id"])
        self.assertEqual(retried.returncode, 0, retried.stderr)
        ms.wait_for_status(self.daemon, "appointment:appt-retry:1:booked:sms", "sent")
        keys = {headers["Idempotency-Key"] for _, headers, body in self.servers.sms.received()
                if "appt-retry" in body["body"]}
        self.assertEqual(keys, {failed["id"]})

    def test_retry_of_a_message_that_has_not_failed_is_refused(self):
        self.book("appt-no-retry", phone="")
        row = ms.wait_for_status(self.daemon, "appointment:appt-no-retry:1:booked:email", "sent")

        result = self.daemon.thctl("reminder", "retry", row["id"])

        self.assertNotEqual(result.returncode, 0)
        self.assertIn("only a failed message can be retried", result.stderr)

    def test_patient_who_opted_out_of_sms_gets_only_email(self):
        patient = fx.create_patient(self.daemon, email="ash@example.org", phone="415 555 0111")
        account = fx.create_account(self.daemon, "patient", patient_mrn=patient["mrn"])
        reply = self.daemon.request("PUT", "/api/v1/me/reminder-preferences",
                                    {"sms_opt_out": True}, token=account.token)
        self.assertStatus(reply, 200)
        self.assertTrue(reply.json()["sms_opt_out"])

        self.book("appt-optout", patient=patient["id"], email_address="ash@example.org",
                  phone="415 555 0111")

        channels = {r["channel"] for r in ms.reminders(self.daemon)
                    if r["reference"] == "appointment:appt-optout"}
        self.assertEqual(channels, {"email"})

    def test_reschedule_cancels_old_reminders_and_sends_the_new_time(self):
        start = ms.in_three_days()
        self.book("appt-move", start=start, phone="")
        self.book("appt-move", start=start + 86400, kind="rescheduled", sequence=2, phone="")

        delivery = self.wait_for_email("has moved to")

        cancelled = {r["dedupe_key"] for r in ms.reminders(self.daemon, "cancelled")}
        self.assertIn("appointment:appt-move:1:reminder:24h:email", cancelled)
        self.assertIn("appointment:appt-move:1:reminder:1h:email", cancelled)
        calendar = icalendar.Calendar.from_ical(delivery.calendar_part().get_content())
        event = calendar.walk("VEVENT")[0]
        self.assertEqual(int(event["SEQUENCE"]), 2)
        self.assertIn(local_time_text(start + 86400, "America/New_York"), delivery.text())

    def test_cancellation_notice_carries_a_cancel_invitation(self):
        start = ms.in_three_days()
        self.book("appt-cancel", start=start, phone="")
        self.book("appt-cancel", start=start, kind="cancelled", sequence=2, phone="")

        delivery = self.wait_for_email("is cancelled")

        part = delivery.calendar_part()
        self.assertEqual(part.get_param("method"), "CANCEL")
        event = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")[0]
        self.assertEqual(str(event["STATUS"]), "CANCELLED")
        pending = [r for r in ms.reminders(self.daemon, "pending")
                   if r["reference"] == "appointment:appt-cancel"]
        self.assertEqual(pending, [])


class RefusedServerTest(unittest.TestCase):
    """Nothing is sent to a server that cannot secure the connection or
    whose certificate fails: the attempt is recorded, then retried."""

    @classmethod
    def setUpClass(cls):
        cls.servers = Servers()

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()

    def attempt_against(self, smtp_server):
        """The outbox row of a booking notice sent against `smtp_server`
        once it has failed; the server is stopped afterwards."""
        try:
            return self.failed_row(smtp_server)
        finally:
            smtp_server.stop()

    def failed_row(self, smtp_server):
        overrides = self.servers.overrides(smtp_port=smtp_server.port, sms=False)
        overrides["reminders"]["max_attempts"] = 2
        daemon = harness.Daemon(overrides).start()
        try:
            patient = fx.create_patient(daemon)
            ms.report_change(daemon, "appt-refused", ms.in_three_days(), patient=patient["id"],
                             email_address="robin@example.org")
            return ms.wait_for_status(daemon, "appointment:appt-refused:1:booked:email",
                                      "failed")
        finally:
            daemon.stop()
            daemon.cleanup()

    def test_server_without_starttls_gets_nothing(self):
        plain = ms.SmtpServer(tls_context=None)
        row = self.attempt_against(plain)

        self.assertEqual(plain.handler.count(), 0)
        self.assertEqual(row["attempts"], 2)
        self.assertIn("does not offer STARTTLS", row["last_error"])

    def test_certificate_from_another_authority_is_refused(self):
        stranger = ms.CertificateAuthority(self.servers.dir, "stranger")
        cert, key = stranger.issue("stranger-localhost")
        server = ms.SmtpServer(ms.server_tls_context(cert, key))
        row = self.attempt_against(server)

        self.assertEqual(server.handler.count(), 0)
        self.assertIn("TLS with the SMTP server failed", row["last_error"])

    def test_certificate_for_another_name_is_refused(self):
        cert, key = self.servers.ca.issue("other-name", dns_names=("mail.example.org",))
        server = ms.SmtpServer(ms.server_tls_context(cert, key))
        row = self.attempt_against(server)

        self.assertEqual(server.handler.count(), 0)
        self.assertIn("TLS with the SMTP server failed", row["last_error"])

    def test_permanent_refusal_fails_at_once(self):
        cert, key = self.servers.ca.issue("refusing")
        server = ms.SmtpServer(ms.server_tls_context(cert, key))
        server.handler.mode = "refuse"
        row = self.attempt_against(server)

        self.assertEqual(row["attempts"], 1)
        self.assertIn("code 550", row["last_error"])
        self.assertNotIn("robin@example.org", row["last_error"])


if __name__ == "__main__":
    harness.main()
