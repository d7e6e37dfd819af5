#!/usr/bin/env python3
"""Practitioners' private calendar feeds: a token issued with `thctl
calendar token rotate`, appointments reported as booking will report them
(tests/tools/notify_fixture.cc), and the feed fetched over HTTPS and parsed
with an independent iCalendar parser (the icalendar package, Debian's
python3-icalendar). Also: the format's rules on the wire (CRLF, 75-octet
lines), rotation and revocation ending old URLs, and the token kept out of
the log, the metrics and the audit trail.
"""

import datetime
import json
import secrets

import access_fixtures as fx
import harness
import messaging_servers as ms

icalendar = ms.import_system_package("icalendar")

BASE = "https://clinic.example"


def make_practitioner(daemon):
    """A clinician with a practitioner profile; returns the user id."""
    user, _ = fx.create_user(daemon, "clinician")
    npi = "%010d" % secrets.randbelow(10 ** 10)
    daemon.sql("INSERT INTO practitioners (user_id, npi, license_states, time_zone) "
               "VALUES ('%s', '%s', 'CA', 'America/Los_Angeles')" % (user["id"], npi))
    return user["id"]


def rotate(daemon, practitioner):
    result = daemon.thctl("-o", "json", "calendar", "token", "rotate",
                          "--practitioner", practitioner)
    if result.returncode != 0:
        raise AssertionError("thctl calendar token rotate failed: " + result.stderr)
    url = json.loads(result.stdout)["feed_url"]
    assert url.startswith(BASE + "/api/v1/calendar/") and url.endswith(".ics"), url
    return url[len(BASE):]


def utc(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


class CalendarFeedTest(harness.DaemonTestCase):
    DAEMON_OVERRIDES = {"server": {"public_base_url": BASE}}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.patient = fx.create_patient(cls.daemon, given_name="Robin", family_name="Quill")

    def book(self, practitioner, appointment, start, **kwargs):
        ms.report_change(self.daemon, appointment, start, practitioner=practitioner,
                         patient=self.patient["id"], **kwargs)

    def test_feed_parses_with_an_independent_parser(self):
        practitioner = make_practitioner(self.daemon)
        path = rotate(self.daemon, practitioner)
        start = ms.in_three_days()
        self.book(practitioner, "feed-kept", start)
        self.book(practitioner, "feed-cancelled", start + 3600)
        self.book(practitioner, "feed-cancelled", start + 3600, kind="cancelled", sequence=2)

        reply = self.daemon.get(path)

        self.assertEqual(reply.status, 200, reply.body[:300])
        self.assertEqual(reply.header("Content-Type"), "text/calendar; charset=utf-8")
        calendar = icalendar.Calendar.from_ical(reply.body)
        events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
        self.assertEqual(set(events), {"feed-kept@telehealthd", "feed-cancelled@telehealthd"})
        kept, cancelled = events["feed-kept@telehealthd"], events["feed-cancelled@telehealthd"]
        self.assertEqual(kept.decoded("DTSTART"), utc(start))
        self.assertEqual(kept.decoded("DTEND"), utc(start + 20 * 60))
        self.assertEqual(str(kept["STATUS"]), "CONFIRMED")
        self.assertEqual(int(kept["SEQUENCE"]), 1)
        self.assertIsNotNone(kept.get("DTSTAMP"))
        self.assertEqual(str(cancelled["STATUS"]), "CANCELLED")
        self.assertEqual(int(cancelled["SEQUENCE"]), 2)
        self.assertEqual(str(kept["SUMMARY"]), "Telehealth visit")
        self.assertNotIn(b"Robin", reply.body)
        self.assertNotIn(b"Quill", reply.body)

    def test_feed_follows_the_format_on_the_wire(self):
        practitioner = make_practitioner(self.daemon)
        path = rotate(self.daemon, practitioner)
        self.book(practitioner, "feed-wire-" + "x" * 80, ms.in_three_days())

        body = self.daemon.get(path).body

        self.assertTrue(body.endswith(b"\r\n"))
        lines = body[:-2].split(b"\r\n")
        self.assertNotIn(b"\n", b"".join(lines), "a bare LF line ending")
        self.assertTrue(all(len(line) <= 75 for line in lines), "a line over 75 octets")
        self.assertTrue(any(line.startswith(b" ") for line in lines), "the long UID was not folded")

    def test_rotation_ends_the_previous_url(self):
        practitioner = make_practitioner(self.daemon)
        first = rotate(self.daemon, practitioner)

        second = rotate(self.daemon, practitioner)

        self.assertEqual(self.daemon.get(first).status, 404)
        self.assertEqual(self.daemon.get(second).status, 200)

    def test_revocation_ends_the_url(self):
        practitioner = make_practitioner(self.daemon)
        path = rotate(self.daemon, practitioner)

        revoked = self.daemon.thctl("calendar", "token", "revoke", "--practitioner", practitioner)
        again = self.daemon.thctl("calendar", "token", "revoke", "--practitioner", practitioner)

        self.assertEqual(revoked.returncode, 0, revoked.stderr)
        self.assertNotEqual(again.returncode, 0)
        self.assertEqual(self.daemon.get(path).status, 404)

    def test_unknown_and_malformed_tokens_find_no_feed(self):
        for path in ("/api/v1/calendar/%s.ics" % ("A" * 43), "/api/v1/calendar/short.ics",
                     "/api/v1/calendar/.ics"):
            with self.subTest(path=path):
                self.assertEqual(self.daemon.get(path).status, 404)

    def test_rotating_for_someone_who_is_no_practitioner_is_refused(self):
        result = self.daemon.thctl("calendar", "token", "rotate", "--practitioner",
                                   fx.random_id())

        self.assertNotEqual(result.returncode, 0)
        self.assertIn("no practitioner with that id", result.stderr)

    def test_token_stays_out_of_the_log_the_metrics_and_the_audit_trail(self):
        practitioner = make_practitioner(self.daemon)
        path = rotate(self.daemon, practitioner)
        token = path[len("/api/v1/calendar/"):-len(".ics")]
        mark = self.daemon.log_offset()

        self.assertEqual(self.daemon.get(path).status, 200)
        logged = self.daemon.wait_for_log("/api/v1/calendar/{token}.ics", since=mark)
        metrics = self.daemon.get("/metrics").body.decode()
        audit = self.daemon.sql("SELECT body FROM audit_events WHERE action = 'read' "
                                "AND resource_type = 'calendar_feed'")

        self.assertNotIn(token, self.daemon.log())
        self.assertIn("-> 200", logged)
        self.assertIn("/api/v1/calendar/{token}.ics", metrics)
        self.assertNotIn(token, metrics)
        self.assertTrue(audit, "the feed read was not audited")
        self.assertTrue(any(practitioner in body for body in audit))
        self.assertFalse(any(token in body for body in audit))


class InitialsFeedTest(harness.DaemonTestCase):
    DAEMON_OVERRIDES = {"server": {"public_base_url": BASE},
                        "calendar": {"attendee": "initials"}}

    def test_events_show_the_patients_initials_when_configured(self):
        patient = fx.create_patient(self.daemon, given_name="Robin", family_name="Quill")
        practitioner = make_practitioner(self.daemon)
        path = rotate(self.daemon, practitioner)
        ms.report_change(self.daemon, "feed-initials", ms.in_three_days(),
                         practitioner=practitioner, patient=patient["id"], initials="R. Q.")

        reply = self.daemon.get(path)

        event = icalendar.Calendar.from_ical(reply.body).walk("VEVENT")[0]
        self.assertEqual(str(event["SUMMARY"]), "Telehealth visit (R. Q.)")
        audit = self.daemon.sql("SELECT body FROM audit_events WHERE resource_type = "
                                "'calendar_feed'")
        self.assertTrue(any(patient["id"] in body for body in audit),
                        "a feed naming patients must audit them")


if __name__ == "__main__":
    harness.main()
