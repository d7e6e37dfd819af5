"""Prints the issue-6 signaling figures side by side, telehealthd beside
PeerJS, with the ratios the issue sets as goals. Reads the <server>.json
files signaling_bench.py wrote into a folder:

    python3 tests/bench/signaling_summary.py RESULTS_DIR

Standard library only.
"""

import json
import os
import sys

SERVERS = ["telehealthd", "peerjs"]
GOAL_RATE = 20000


def load(folder):
    figures = {}
    for name in SERVERS:
        path = os.path.join(folder, name + ".json")
        if os.path.exists(path):
            with open(path) as source:
                figures[name] = json.load(source)
    return figures


def us_per_message(point):
    if not point or point["received"] == 0:
        return None
    return point["server_cpu_seconds"] * 1e6 / point["received"]


def find(figures, name, idle):
    for point in figures["points"]:
        if point["name"] == name and (point["idle_connections"] > 0) == idle:
            return point
    return None


def cell(point):
    if point is None:
        return "%-44s" % "-"
    cpu = us_per_message(point)
    text = "%7.0f %8.2f %8.2f %7s" % (point["achieved_rate"], point["latency"]["p50_ms"],
                                      point["latency"]["p99_ms"],
                                      "-" if cpu is None else "%.1f" % cpu)
    lost = point["sent"] - point["received"]
    if lost > 0 or point["clients_closed"] or point["error_frames"]:
        text += " !"
    return "%-44s" % text


def ratio(ours, theirs):
    if ours is None or theirs is None or theirs == 0:
        return None
    return ours / theirs


def verdict(value, limit, lower_is_better=True):
    if value is None:
        return "not measured"
    met = value <= limit if lower_is_better else value >= limit
    return "met" if met else "NOT met"


def print_table(figures, names):
    point_names = [point["name"] for point in figures[names[0]]["points"]
                   if point["mode"] != "idle"]
    seen = []
    for name in point_names:
        if name not in seen:
            seen.append(name)
    header = "%-24s %-5s " % ("point", "idle") + "".join(
        "%-44s" % ("%s: msg/s   p50 ms   p99 ms  CPU us/msg" % name) for name in names)
    print(header)
    print("-" * len(header))
    for idle in (False, True):
        for name in seen:
            points = [find(figures[server], name, idle) for server in names]
            if all(point is None for point in points):
                continue
            idle_count = next(point["idle_connections"] for point in points if point)
            print("%-24s %-5d " % (name, idle_count) + "".join(cell(point) for point in points))
    print("(msg/s: relayed messages received a second; latency from the time a message was due;"
          " ! marks a point with lost messages, closed clients or error frames)")


def print_details(figures, names):
    for server in names:
        data = figures[server]
        for point in data["points"]:
            lost = point["sent"] - point["received"]
            if lost > 0 or point["clients_closed"] or point["error_frames"]:
                print("%s, %s with %d idle: %d of %d messages not received by the end of the "
                      "drain, %d clients closed, %d error frames"
                      % (server, point["name"], point["idle_connections"], lost, point["sent"],
                         point["clients_closed"], point["error_frames"]))
            if point["mode"] == "fanout":
                print("%s, fan-out with %d idle: last of the 5 receivers p50 %.2f ms, p99 %.2f ms"
                      % (server, point["idle_connections"], point["round_latency"]["p50_ms"],
                         point["round_latency"]["p99_ms"]))
        idle_points = [point for point in data["points"] if point["mode"] == "idle"]
        for point in idle_points:
            print("%s: CPU with nothing but heartbeats (%d idle clients, all clients every %.0f s):"
                  " %.3f s in %.0f s" % (server, point["idle_connections"],
                                        data["heartbeat_seconds"], point["server_cpu_seconds"],
                                        point["seconds"]))


def print_goals(figures):
    ours, theirs = figures.get("telehealthd"), figures.get("peerjs")
    if not ours or not theirs:
        return
    rate_name = "pairs at %d/s" % GOAL_RATE
    print("\nGoals (telehealthd / PeerJS):")
    for idle in (False, True):
        label = "with 5,000 idle" if idle else "without idle"
        for name in (rate_name, "pairs at saturation"):
            cpu = ratio(us_per_message(find(ours, name, idle)),
                        us_per_message(find(theirs, name, idle)))
            print("  server CPU per relayed message, %s, %s: %s (goal at most 0.5: %s)"
                  % (name, label, "-" if cpu is None else "%.2f" % cpu, verdict(cpu, 0.5)))
        a, b = find(ours, rate_name, idle), find(theirs, rate_name, idle)
        if a and b:
            p99 = ratio(a["latency"]["p99_ms"], b["latency"]["p99_ms"])
            print("  p99 at %d/s across %d pairs, %s: %.2f ms vs %.2f ms, ratio %.2f (goal below 1:"
                  " %s)" % (GOAL_RATE, ours["pairs"], label, a["latency"]["p99_ms"],
                            b["latency"]["p99_ms"], p99, "met" if p99 < 1 else "NOT met"))
    memory = ratio(ours["idle"].get("kib_per_connection"), theirs["idle"].get("kib_per_connection"))
    print("  memory per idle TLS connection: %.1f KiB vs %.1f KiB, ratio %s (goal at most 0.5: %s)"
          % (ours["idle"].get("kib_per_connection", 0), theirs["idle"].get("kib_per_connection", 0),
             "-" if memory is None else "%.2f" % memory, verdict(memory, 0.5)))


def main():
    figures = load(sys.argv[1])
    names = [name for name in SERVERS if name in figures]
    if not names:
        raise SystemExit("no figures in " + sys.argv[1])
    first = figures[names[0]]
    sizes = first["sizes"]
    print("\nSignaling relay: %d pairs and a room of %d, %.0f s a point after %s; every client "
          "sends a heartbeat every %.0f s; server on core 0, load generator on core 1"
          % (first["pairs"], first["room"], first["seconds"], "a warm-up",
             first["heartbeat_seconds"]))
    print("payloads (the same for both): ICE candidate %d B, SDP description %d B; one message"
          " in ten is a description" % (sizes["candidate_payload_bytes"],
                                        sizes["description_payload_bytes"]))
    for name in names:
        data = figures[name]
        print("%s: %s; candidate message %d B, description message %d B; load average %.2f at"
              " start, %.2f at end" % (name, data["version"],
                                       data["sizes"]["candidate_message_bytes"],
                                       data["sizes"]["description_message_bytes"],
                                       data["load_before"][0], data["load_after"][0]))
    print("fan-out: the sender sends one message per receiver (5 a round) on both servers, "
          "%d rounds a second" % first["fanout_rate"])
    print()
    print_table(figures, names)
    print()
    print_details(figures, names)
    for name in names:
        idle = figures[name]["idle"]
        if idle:
            print("%s: memory per idle TLS connection %.1f KiB (resident %d KiB before, %d KiB "
                  "after %d connections)" % (name, idle["kib_per_connection"],
                                              idle["resident_kib_before"],
                                              idle["resident_kib_after"], idle["connections"]))
    print_goals(figures)


if __name__ == "__main__":
    main()
