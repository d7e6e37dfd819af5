"""Prints the issue-6 signaling figures side by side, telehealthd beside
PeerJS, with the ratios the issue sets as goals. Reads the <server>.json
files signaling_bench.py wrote into a folder (each a list of runs) and
prints the median of the runs, with the single runs in brackets where a
goal is judged:

    python3 tests/bench/signaling_summary.py RESULTS_DIR

Standard library only.
"""

import json
import os
import statistics
import sys

SERVERS = ["telehealthd", "peerjs"]
GOAL_RATE = 20000
COLUMN = 50


def load(folder):
    figures = {}
    for name in SERVERS:
        path = os.path.join(folder, name + ".json")
        if os.path.exists(path):
            with open(path) as source:
                figures[name] = json.load(source)
    return figures


def us_per_message(point):
    if point["received"] == 0:
        return None
    return point["server_cpu_seconds"] * 1e6 / point["received"]


def points_of(runs, name, idle):
    """The point of that name in every run, with or without idle clients."""
    found = []
    for run in runs:
        for point in run["points"]:
            if point["name"] == name and (point["idle_connections"] > 0) == idle:
                found.append(point)
    return found


def median(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def troubled(point):
    return (point["sent"] > point["received"] or point["clients_closed"] > 0
            or point["error_frames"] > 0)


def cell(points):
    if not points:
        return "%-*s" % (COLUMN, "-")
    cpu = median(us_per_message(point) for point in points)
    text = "%7.0f %8.2f %8.2f %10s" % (
        median(point["achieved_rate"] for point in points),
        median(point["latency"]["p50_ms"] for point in points),
        median(point["latency"]["p99_ms"] for point in points),
        "-" if cpu is None else "%.1f" % cpu)
    if any(troubled(point) for point in points):
        text += " !"
    return "%-*s" % (COLUMN, text)


def point_names(runs):
    names = []
    for point in runs[0]["points"]:
        if point["mode"] != "idle" and point["name"] not in names:
            names.append(point["name"])
    return names


def print_table(figures, servers):
    header = "%-22s %-5s " % ("point", "idle") + "".join(
        "%-*s" % (COLUMN, "%-11s msg/s   p50 ms   p99 ms CPU us/msg" % server)
        for server in servers)
    print(header)
    print("-" * len(header.rstrip()))
    for idle in (False, True):
        for name in point_names(figures[servers[0]]):
            columns = [points_of(figures[server], name, idle) for server in servers]
            present = [points for points in columns if points]
            if not present:
                continue
            print("%-22s %-5d " % (name, present[0][0]["idle_connections"])
                  + "".join(cell(points) for points in columns).rstrip())
    print("(medians of the runs; msg/s: relayed messages received a second; latency from the"
          " time a message was due;\n ! marks a point where a run lost messages, closed clients"
          " or got error frames)")


def print_details(figures, servers):
    for server in servers:
        runs = figures[server]
        for index, run in enumerate(runs, 1):
            for point in run["points"]:
                if troubled(point):
                    print("%s run %d, %s with %d idle: %d of %d messages not received by the "
                          "end of the drain, %d clients closed, %d error frames"
                          % (server, index, point["name"], point["idle_connections"],
                             point["sent"] - point["received"], point["sent"],
                             point["clients_closed"], point["error_frames"]))
        for idle in (False, True):
            fanout = points_of(runs, "fan-out to 5", idle)
            if fanout:
                print("%s, fan-out with%s idle clients: the last of the 5 receivers of a round p50"
                      " %.2f ms, p99 %.2f ms" % (
                          server, "" if idle else "out",
                          median(point["round_latency"]["p50_ms"] for point in fanout),
                          median(point["round_latency"]["p99_ms"] for point in fanout)))
        quiet = [point for run in runs for point in run["points"] if point["mode"] == "idle"]
        for idle in (False, True):
            chosen = [point for point in quiet if (point["idle_connections"] > 0) == idle]
            if chosen:
                print("%s: CPU with nothing but heartbeats, %d idle clients: %.3f s in %.0f s"
                      % (server, chosen[0]["idle_connections"],
                         median(point["server_cpu_seconds"] for point in chosen),
                         chosen[0]["seconds"]))
        memory = [run["idle"]["kib_per_connection"] for run in runs if run["idle"]]
        if memory:
            last = runs[-1]["idle"]
            print("%s: memory per idle TLS connection %.1f KiB %s (last run: resident %d KiB "
                  "before, %d KiB after %d connections)"
                  % (server, median(memory), brackets(memory), last["resident_kib_before"],
                     last["resident_kib_after"], last["connections"]))


def brackets(values):
    return "[" + " ".join("%.1f" % value for value in values) + "]"


def ratio_line(what, ours, theirs, limit, strict=False):
    """One goal: the median of each side, the ratio of the medians, the verdict."""
    a, b = median(ours), median(theirs)
    if a is None or b is None or b == 0:
        print("  %s: not measured" % what)
        return
    value = a / b
    met = value < limit if strict else value <= limit
    print("  %s: %.1f %s vs %.1f %s, ratio %.2f (goal %s %.1f: %s)"
          % (what, a, brackets(ours), b, brackets(theirs), value,
             "below" if strict else "at most", limit, "met" if met else "NOT met"))


def print_goals(figures):
    ours, theirs = figures.get("telehealthd"), figures.get("peerjs")
    if not ours or not theirs:
        return
    rate_name = "pairs at %d/s" % GOAL_RATE
    print("\nGoals, telehealthd vs PeerJS (medians, runs in brackets):")
    for idle in (False, True):
        label = "with 5,000 idle" if idle else "without idle"
        for name in (rate_name, "pairs at saturation"):
            ratio_line("server CPU us per relayed message, %s, %s" % (name, label),
                       [us_per_message(p) for p in points_of(ours, name, idle)],
                       [us_per_message(p) for p in points_of(theirs, name, idle)], 0.5)
        ratio_line("p99 ms at %d/s across %d pairs, %s" % (GOAL_RATE, ours[0]["pairs"], label),
                   [p["latency"]["p99_ms"] for p in points_of(ours, rate_name, idle)],
                   [p["latency"]["p99_ms"] for p in points_of(theirs, rate_name, idle)], 1.0,
                   strict=True)
    ratio_line("KiB per idle TLS connection",
               [run["idle"]["kib_per_connection"] for run in ours if run["idle"]],
               [run["idle"]["kib_per_connection"] for run in theirs if run["idle"]], 0.5)


def print_setup(figures, servers):
    first = figures[servers[0]][0]
    sizes = first["sizes"]
    print("\nSignaling relay: %d pairs and a room of %d, %.0f s a point after a warm-up, %d runs"
          " of each server alternating; every client sends a heartbeat every %.0f s; server on"
          " core 0, load generator on core 1"
          % (first["pairs"], first["room"], first["seconds"], len(figures[servers[0]]),
             first["heartbeat_seconds"]))
    print("payloads (the same for both): ICE candidate %d B, SDP description %d B; one message"
          " in ten is a description" % (sizes["candidate_payload_bytes"],
                                        sizes["description_payload_bytes"]))
    for server in servers:
        runs = figures[server]
        print("%s: %s; candidate message %d B, description message %d B; load average at the "
              "start of its runs %s" % (server, runs[0]["version"],
                                        runs[0]["sizes"]["candidate_message_bytes"],
                                        runs[0]["sizes"]["description_message_bytes"],
                                        " ".join("%.1f" % run["load_before"][0] for run in runs)))
    print("fan-out: the sender sends one message per receiver (5 a round) on both servers, "
          "%d rounds a second" % first["fanout_rate"])


def main():
    figures = load(sys.argv[1])
    servers = [name for name in SERVERS if name in figures]
    if not servers:
        raise SystemExit("no figures in " + sys.argv[1])
    print_setup(figures, servers)
    print()
    print_table(figures, servers)
    print()
    print_details(figures, servers)
    print_goals(figures)


if __name__ == "__main__":
    main()
