"""Driver of the issue-6 signaling benchmark: telehealthd's visit-room relay
beside the PeerJS signaling server (npm package `peer`), both over TLS with a
self-signed certificate, measured by one load generator (th_signal_bench).

For each server it starts the server pinned to core 0, prepares who connects
as whom (for telehealthd: practitioners, patients and checked-in visits, one
room per pair and one room of six; for PeerJS: made-up ids), runs the load
generator pinned to core 1 and writes its figures with the setup to
RESULTS/<server>.json (a list, one entry a run). Started by run_signaling_benchmark.sh; prints
figures, asserts nothing about speed.

Python standard library only; reuses the integration harness and fixtures.
"""

import argparse
import datetime
import json
import os
import resource
import secrets
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import access_fixtures as fx  # noqa: E402  (path set up above)
import harness  # noqa: E402
import test_scheduling as sched  # noqa: E402
from auth_bench import CLIENT_CORE, SERVER_CORE, PinnedDaemon, autogroup_nice, log, pinned  # noqa: E402

PEERJS_DIR = os.path.join(HERE, "peerjs")
PEERJS_BIN = os.path.join(PEERJS_DIR, "node_modules", ".bin", "peerjs")
PEERJS_PATH = "/bench"
ROOM_SIZE = 6


# ---- PeerJS ----

class PeerJsServer:
    """The stock `peerjs` command of the npm package over TLS, pinned to a core."""

    def __init__(self, directory):
        self.dir = directory
        self.cert, self.key = harness.make_certificate(directory, "peerjs")
        self.port = harness.free_port()
        self.log_path = os.path.join(directory, "peerjs.log")
        self.process = None

    def start(self):
        command = pinned(SERVER_CORE) + [
            "node", PEERJS_BIN, "--port", str(self.port), "--host", "127.0.0.1",
            "--sslkey", self.key, "--sslcert", self.cert, "--path", PEERJS_PATH,
            "--concurrent_limit", "1000000"]
        self.log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, stdout=self.log_file, stderr=self.log_file)
        context = ssl.create_default_context(cafile=self.cert)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("peerjs exited:\n" + open(self.log_path).read())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=2) as raw:
                    with context.wrap_socket(raw, server_hostname="127.0.0.1"):
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("peerjs did not start listening")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.log_file.close()


def peerjs_plan(port, pairs):
    def peer(name):
        return {"peer_id": name, "token": secrets.token_hex(8)}
    return {"dialect": "peerjs", "port": port, "path": PEERJS_PATH,
            "pairs": [{"first": peer("pair-%d-a" % i), "second": peer("pair-%d-b" % i)}
                      for i in range(pairs)],
            "room": [peer("room-%d" % i) for i in range(ROOM_SIZE)],
            "idle": {"peer_id": "idle-", "token": secrets.token_hex(8)}}


# ---- telehealthd ----

def telehealthd_overrides(args):
    hub = {"max_connections": args.idle + 1000}
    if args.hub_io_threads is not None:
        hub["io_threads"] = args.hub_io_threads
    if args.hub_batch_window is not None:
        hub["batch_window_microseconds"] = args.hub_batch_window
    return {"auth": dict(fx.UNTHROTTLED), "log": {"level": "warn"},
            "server": {"worker_threads": 16}, "hub": hub}


class Visits:
    """Practitioners bookable all day, and checked-in visits with them."""

    def __init__(self, daemon):
        self.daemon = daemon
        self.front_desk = fx.create_account(daemon, "front_desk")

    def practitioner(self):
        clinician = fx.create_account(self.daemon, "clinician")
        fx.expect(self.daemon.admin("PUT", "/api/v1/practitioners/" + clinician.id,
                                    {"npi": sched.next_npi(), "license_states": ["OR", "WA"],
                                     "time_zone": "America/New_York", "slot_minutes": 20}),
                  200, "set practitioner profile")
        fx.expect(self.daemon.request("PUT", "/api/v1/practitioners/%s/availability"
                                      % clinician.id, {"rules": sched.ALL_WEEK},
                                      token=self.front_desk.token),
                  200, "set availability")
        return clinician

    def patient(self):
        record = fx.create_patient(self.daemon, state="OR")
        return record, fx.create_account(self.daemon, "patient", patient_mrn=record["mrn"])

    def checked_in(self, practitioner, record, patient, start):
        """Books the visit at `start` and checks the patient in; returns its id."""
        booked = fx.expect(self.daemon.post(
            "/api/v1/appointments",
            {"practitioner_id": practitioner.id, "patient_id": record["id"],
             "visit_type": "follow_up", "start": sched.rfc3339(start), "reason": "follow-up"},
            token=self.front_desk.token), 201, "book").json()
        fx.expect(self.daemon.post("/api/v1/appointments/%s/check-in" % booked["id"],
                                   token=patient.token), 200, "check in")
        return booked["id"]


def telehealthd_plan(daemon, pairs):
    """One visit room per pair (its practitioner hosts, its patient is
    admitted) and a room of six: the practitioner, the patient and four
    clinicians of the patient's care team, who may run the visit and so
    join as hosts. Every visit starts at the next 20-minute mark, so
    check-in (30 minutes before) is open."""
    visits = Visits(daemon)
    people = [(visits.practitioner(), *visits.patient()) for _ in range(pairs)]
    host = visits.practitioner()
    room_record, room_patient = visits.patient()
    staff = [fx.create_account(daemon, "clinician") for _ in range(ROOM_SIZE - 2)]
    for member in staff:
        fx.add_to_care_team(daemon, room_record["id"], member.id)
    idle = fx.create_account(daemon, "patient")

    start = sched.on_grid(sched.utc_now() + datetime.timedelta(minutes=2))
    plan_pairs = []
    for practitioner, record, patient in people:
        visit = visits.checked_in(practitioner, record, patient, start)
        plan_pairs.append({"first": {"token": practitioner.token, "appointment_id": visit,
                                     "host": True},
                           "second": {"token": patient.token, "appointment_id": visit}})
    room_visit = visits.checked_in(host, room_record, room_patient, start)
    room = [{"token": host.token, "appointment_id": room_visit, "host": True},
            {"token": room_patient.token, "appointment_id": room_visit}]
    room += [{"token": member.token, "appointment_id": room_visit, "host": True}
             for member in staff]
    return {"dialect": "telehealthd", "port": daemon.port, "pairs": plan_pairs, "room": room,
            "idle": {"token": idle.token}}


# ---- the load generator ----

def run_load(args, plan, cert, server_pid, directory):
    plan_path = os.path.join(directory, "plan.json")
    with open(plan_path, "w") as out:
        json.dump(plan, out)
    os.chmod(plan_path, 0o600)  # bearer tokens
    command = pinned(CLIENT_CORE) + [
        args.bench, "--plan", plan_path, "--ca-file", cert, "--server-pid", str(server_pid),
        "--rates", ",".join(str(rate) for rate in args.rates), "--window", str(args.window),
        "--fanout-rate", str(args.fanout_rate), "--idle", str(args.idle),
        "--seconds", str(args.seconds), "--warmup", str(args.warmup),
        "--heartbeat-seconds", str(args.heartbeat_seconds)]
    finished = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if finished.returncode != 0:
        raise RuntimeError("th_signal_bench failed with %d" % finished.returncode)
    return json.loads(finished.stdout)


def bench_peerjs(args, directory):
    server = PeerJsServer(directory)
    server.start()
    try:
        log("PeerJS %s on port %d (node %s)" % (peerjs_version(), server.port, node_version()))
        figures = run_load(args, peerjs_plan(server.port, args.pairs), server.cert,
                           server.process.pid, directory)
    finally:
        server.stop()
    figures["version"] = "peer " + peerjs_version() + ", node " + node_version()
    return figures


def bench_telehealthd(args, directory):
    daemon = PinnedDaemon(telehealthd_overrides(args))
    daemon.core = SERVER_CORE
    daemon.start()
    try:
        log("telehealthd on port %d: provisioning %d pairs and a room of %d"
            % (daemon.port, args.pairs, ROOM_SIZE))
        plan = telehealthd_plan(daemon, args.pairs)
        figures = run_load(args, plan, daemon.cert, daemon.process.pid, directory)
    except Exception:
        log("failed; the daemon's log ends with:\n" + daemon.log()[-3000:])
        raise
    finally:
        daemon.stop()
        daemon.cleanup()
    figures["version"] = "telehealthd at " + git_revision()
    return figures


def peerjs_version():
    with open(os.path.join(PEERJS_DIR, "node_modules", "peer", "package.json")) as package:
        return json.load(package)["version"]


def node_version():
    return subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()


def git_revision():
    return subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", required=True, help="the th_signal_bench binary")
    parser.add_argument("--output", required=True, help="folder for <server>.json")
    parser.add_argument("--servers", default="peerjs,telehealthd",
                        help="comma-separated, in the order they run")
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--rates", type=lambda text: [int(r) for r in text.split(",")],
                        default=[5000, 20000], help="offered rates of the pairs, messages/s")
    parser.add_argument("--window", type=int, default=4,
                        help="messages in flight per client at saturation")
    parser.add_argument("--fanout-rate", type=int, default=200, help="fan-out rounds a second")
    parser.add_argument("--idle", type=int, default=5000, help="extra idle connections")
    parser.add_argument("--hub-io-threads", type=int, default=None,
                        help="telehealthd's hub.io_threads (default: the daemon's own)")
    parser.add_argument("--hub-batch-window", type=int, default=None,
                        help="telehealthd's hub.batch_window_microseconds (default: the "
                        "daemon's own)")
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds a point")
    parser.add_argument("--warmup", type=float, default=2, help="seconds before each point")
    parser.add_argument("--heartbeat-seconds", type=float, default=5)
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each server; the summary prints medians")
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    runners = {"peerjs": bench_peerjs, "telehealthd": bench_telehealthd}
    names = args.servers.split(",")
    runs = {name: [] for name in names}
    # The servers alternate run by run, so that a stretch of load from
    # other work on the machine falls on both.
    for repeat in range(args.repeats):
        for name in names:
            with tempfile.TemporaryDirectory(prefix="th-signal-%s-" % name) as directory:
                load_before = os.getloadavg()
                log("== %s, run %d of %d ==" % (name, repeat + 1, args.repeats))
                figures = runners[name](args, directory)
                figures.update({"load_before": load_before, "load_after": os.getloadavg(),
                                "autogroup_nice": autogroup_nice(), "seconds": args.seconds,
                                "rates": args.rates, "window": args.window,
                                "fanout_rate": args.fanout_rate})
            runs[name].append(figures)
            with open(os.path.join(args.output, name + ".json"), "w") as out:
                json.dump(runs[name], out, indent=2)


if __name__ == "__main__":
    main()
