#!/usr/bin/env python3
"""Outbox throughput: how fast queued booking notices reach a real SMTP
server with STARTTLS and AUTH (aiosmtpd on loopback), sent by one daemon and
then by two daemons sharing the database. It prints figures; it is not a
test and CI does not run it.

Each round queues N notices through the fixture tool (one transaction per
appointment, as booking will), then times from the first claim to the last
message marked sent. Every message is a full SMTP session: connect, EHLO,
STARTTLS and the TLS handshake, EHLO, AUTH, MAIL, RCPT, DATA, QUIT.

Usage: TH_BINARY_DIR=build [TH_TEST_BACKEND=postgresql] \\
         python3 tests/bench/reminder_bench.py [--messages N]
(under pg_virtualenv for PostgreSQL).
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))

import access_fixtures as fx  # noqa: E402
import harness  # noqa: E402
import messaging_servers as ms  # noqa: E402
import test_reminders  # noqa: E402


def sent_of(daemon, name):
    return daemon.sql("SELECT claimed_by, COUNT(*) FROM outbox_messages WHERE status = 'sent' "
                      "AND reference LIKE 'appointment:%s-%%' GROUP BY claimed_by "
                      "ORDER BY claimed_by" % name)


def measure(daemon, name, messages):
    """Queues `messages` notices through `daemon`'s database and prints how
    long the daemons sharing it took to send them all."""
    patient = fx.create_patient(daemon)
    started = time.monotonic()
    queued = ms.report_change(daemon, name, ms.in_three_days(), patient=patient["id"],
                              email_address="robin@example.org", count=messages)
    queued_at = time.monotonic()
    harness.wait_until(lambda: sum(int(row.split("|")[1]) for row in sent_of(daemon, name))
                       >= messages, timeout=600, interval=0.1, message="all sent")
    done = time.monotonic()
    print("%-12s %4d notices (%d rows with their reminders) queued in %.2f s; sent in %.2f s: "
          "%.1f messages/s; by daemon %s"
          % (name, messages, queued, queued_at - started, done - queued_at,
             messages / (done - queued_at), ", ".join(sent_of(daemon, name))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    print("backend:", harness.BACKEND)

    servers = test_reminders.Servers()
    daemons = []
    try:
        overrides = servers.overrides(sms=False)
        overrides["reminders"].update({"batch_size": 20, "lease_seconds": 30})
        overrides["log"] = {"level": "info", "format": "json"}
        first = harness.Daemon(dict(overrides, node={"name": "bench-a"}))
        daemons.append(first.start())
        measure(first, "one-daemon", args.messages)
        second = harness.Daemon(dict(overrides, node={"name": "bench-b"},
                                     keys={"kek_file": first.kek}),
                                database=first.database_url)
        daemons.append(second.start())
        measure(first, "two-daemons", args.messages)
        print("deliveries at the SMTP server: %d for %d messages"
              % (servers.smtp.handler.count(), 2 * args.messages))
    finally:
        for daemon in daemons:
            daemon.stop()
            daemon.cleanup()
        servers.stop()


if __name__ == "__main__":
    main()
