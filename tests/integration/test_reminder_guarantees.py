#!/usr/bin/env python3
"""The outbox's delivery promises, against a real SMTP server with STARTTLS:

  - a daemon killed (SIGKILL) while the server has not yet taken the message
    leaves it claimed; once the claim's lease runs out the restarted daemon
    sends it, and it arrives exactly once;
  - the one window the outbox cannot close, shown as documented: a daemon
    killed after the server took the message and before the outbox recorded
    it sends it again after restart, with the same Message-ID, so the
    receiving side can drop the copy;
  - a daemon stopped and started again sends nothing twice;
  - two daemons sharing one database (one PostgreSQL under
    TH_TEST_BACKEND=postgresql, one SQLite file otherwise) send each of many
    messages exactly once.
"""

import time
import unittest

import access_fixtures as fx
import harness
import messaging_servers as ms

import test_reminders


class DeliveryGuaranteeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.servers = test_reminders.Servers()

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()

    def setUp(self):
        handler = self.servers.smtp.handler
        handler.mode = "accept"
        handler.delay = 0.0
        handler.stalled.clear()
        handler.released.clear()

    def make_daemon(self, node="node-a", **kwargs):
        overrides = self.servers.overrides(sms=False)
        overrides["node"] = {"name": node}
        overrides.update(kwargs.pop("overrides", {}))
        daemon = harness.Daemon(overrides, **kwargs)
        self.addCleanup(self.dispose, daemon)
        return daemon

    @staticmethod
    def dispose(daemon):
        daemon.kill()
        daemon.cleanup()
        if getattr(daemon, "log_file", None) is not None:
            daemon.log_file.close()

    def deliveries_of(self, appointment):
        return [d for d in list(self.servers.smtp.handler.deliveries)
                if "/visits/%s\n" % appointment in d.text()]

    def book(self, daemon, appointment, count=1):
        patient = fx.create_patient(daemon)
        return ms.report_change(daemon, appointment, ms.in_three_days(), patient=patient["id"],
                                email_address="robin@example.org", count=count)

    def kill_mid_send(self, daemon):
        harness.wait_until(self.servers.smtp.handler.stalled.is_set, timeout=20,
                           message="the daemon to be inside DATA")
        daemon.process.kill()
        daemon.process.wait()
        self.servers.smtp.handler.release()

    def test_crash_before_the_server_took_the_message_delivers_it_once(self):
        self.servers.smtp.handler.mode = "stall_then_refuse"
        daemon = self.make_daemon().start()
        self.book(daemon, "appt-crash")
        key = "appointment:appt-crash:1:booked:email"

        self.kill_mid_send(daemon)
        stranded = daemon.sql("SELECT status FROM outbox_messages WHERE dedupe_key = '%s'" % key)
        daemon.start()
        row = ms.wait_for_status(daemon, key, "sent")

        self.assertEqual(stranded, ["sending"])
        self.assertEqual(len(self.deliveries_of("appt-crash")), 1)
        self.assertEqual(row["attempts"], 2)

    def test_crash_after_the_server_took_the_message_resends_it_with_the_same_message_id(self):
        # The documented at-least-once window: the provider accepted the
        # message and the sender died before recording it.
        self.servers.smtp.handler.mode = "accept_then_stall"
        daemon = self.make_daemon().start()
        self.book(daemon, "appt-window")
        key = "appointment:appt-window:1:booked:email"

        self.kill_mid_send(daemon)
        daemon.start()
        ms.wait_for_status(daemon, key, "sent")

        copies = self.deliveries_of("appt-window")
        self.assertEqual(len(copies), 2)
        self.assertEqual(copies[0].message_id, copies[1].message_id)

    def test_restart_sends_nothing_twice(self):
        daemon = self.make_daemon().start()
        self.book(daemon, "appt-restart")
        ms.wait_for_status(daemon, "appointment:appt-restart:1:booked:email", "sent")

        daemon.stop()
        daemon.start()
        # Several dispatcher rounds of the restarted daemon (one a second).
        time.sleep(3)

        self.assertEqual(len(self.deliveries_of("appt-restart")), 1)
        pending = [r for r in ms.reminders(daemon, "pending")
                   if r["reference"] == "appointment:appt-restart"]
        self.assertEqual(len(pending), 2)

    def test_two_daemons_sharing_the_database_send_each_message_once(self):
        self.servers.smtp.handler.delay = 0.05
        small_batches = {"reminders": {"batch_size": 2, "poll_interval_seconds": 1,
                                       "retry_initial_seconds": 1, "retry_max_seconds": 1,
                                       "max_attempts": 3, "lease_seconds": 3}}
        first = self.make_daemon("node-a", overrides=small_batches)
        second = self.make_daemon("node-b", overrides=dict(small_batches,
                                                           keys={"kek_file": first.kek}),
                                  database=first.database_url)
        first.start()
        second.start()

        queued = self.book(first, "appt-pair", count=20)
        harness.wait_until(lambda: len(ms.reminders(first, "sent")) >= 20, timeout=60,
                           interval=0.25, message="20 messages sent")

        copies = [d for d in list(self.servers.smtp.handler.deliveries)
                  if "/visits/appt-pair-" in d.text()]
        senders = first.sql("SELECT claimed_by, COUNT(*) FROM outbox_messages "
                            "WHERE status = 'sent' GROUP BY claimed_by ORDER BY claimed_by")
        self.assertEqual(queued, 60)
        self.assertEqual(len(copies), 20)
        self.assertEqual(len({d.message_id for d in copies}), 20)
        self.assertTrue(set(row.split("|")[0] for row in senders) <= {"node-a", "node-b"})
        print("messages sent per daemon:", senders)


if __name__ == "__main__":
    harness.main()
