"""Idle WebSocket connections on the hub: resident memory per connection and
HTTP latency while they are open.

Starts telehealthd (SQLite, two request workers), signs a patient in, opens
--connections authenticated TLS WebSockets and keeps them idle, and prints
the daemon's resident memory before and after, per connection, the CPU it
spent while they sat idle, and the median and worst latency of an
authenticated GET /api/v1/me meanwhile. Prints figures; asserts nothing
about speed. Standard library only; reuses the integration harness.

    python3 tests/bench/hub_idle_bench.py --connections 2000
"""

import argparse
import os
import resource
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import access_fixtures as fx  # noqa: E402  (path set up above)
import harness  # noqa: E402
import ws_client  # noqa: E402


def resident_kib(pid):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--idle-seconds", type=float, default=10)
    options = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, options.connections + 1000), hard))

    daemon = harness.Daemon({"auth": dict(fx.UNTHROTTLED), "log": {"level": "warn"},
                             "server": {"worker_threads": 2},
                             "hub": {"max_connections": options.connections + 100}})
    daemon.start()
    try:
        patient = fx.create_account(daemon, "patient")
        pid = daemon.process.pid
        before = resident_kib(pid)
        sockets = [ws_client.WebSocket(daemon, token=patient.token)
                   for _ in range(options.connections)]
        time.sleep(1)
        after = resident_kib(pid)
        cpu_start = cpu_seconds(pid)
        time.sleep(options.idle_seconds)
        idle_cpu = cpu_seconds(pid) - cpu_start
        latencies = []
        for _ in range(50):
            started = time.monotonic()
            reply = daemon.get("/api/v1/me", token=patient.token)
            latencies.append((time.monotonic() - started) * 1000)
            assert reply.status == 200, reply.body
        print("connections: %d" % len(sockets))
        print("daemon resident memory: %d KiB before, %d KiB after" % (before, after))
        print("per connection: %.1f KiB" % ((after - before) / len(sockets)))
        print("daemon CPU while idle for %.0f s: %.3f s" % (options.idle_seconds, idle_cpu))
        print("GET /api/v1/me with the sockets open: median %.1f ms, max %.1f ms"
              % (statistics.median(latencies), max(latencies)))
        for socket in sockets:
            socket.sock.close()
    finally:
        daemon.stop()
        daemon.cleanup()


if __name__ == "__main__":
    main()
