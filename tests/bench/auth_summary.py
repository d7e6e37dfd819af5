"""Prints the table of the issue-3 benchmark from the JSON files that
auth_bench.py wrote (one per backend) in the folder given."""

import json
import os
import sys


def load(folder):
    rows = []
    for name in ("sqlite", "postgresql"):
        path = os.path.join(folder, name + ".json")
        if os.path.exists(path):
            with open(path) as source:
                rows.append(json.load(source))
    return rows


def runs(figures, key="requests_per_second"):
    return " ".join("%.0f" % run[key] for run in figures["runs"])


def main():
    rows = load(sys.argv[1])
    if not rows:
        sys.exit("no figures in %s" % sys.argv[1])
    first = rows[0]
    print()
    print("GET /api/v1/me, wrk -t2 -c64, %s s a run, median of %d runs (runs in brackets), "
          "body %s bytes; server on core 0, wrk on core 1"
          % (first["duration_s"], len(first["telehealthd"]["runs"]), first["me_body_bytes"]))
    header = "%-11s %-28s %8s %-28s %8s %7s %-24s" % (
        "backend", "telehealthd req/s", "p99 ms", "nginx req/s", "p99 ms", "ratio",
        "/healthz req/s")
    print(header.rstrip())
    print("-" * len(header.rstrip()))
    for row in rows:
        ours, theirs = row["telehealthd"], row["nginx"]
        floor = row.get("healthz")
        print("%-11s %-28s %8.2f %-28s %8.2f %7.3f %-24s" % (
            row["backend"], "%.0f [%s]" % (ours["requests_per_second"], runs(ours)),
            ours["p99_ms"], "%.0f [%s]" % (theirs["requests_per_second"], runs(theirs)),
            theirs["p99_ms"], row["ratio"],
            "%.0f [%s]" % (floor["requests_per_second"], runs(floor)) if floor else "-"))
    print()
    print("CPU per request (median): telehealthd / nginx / telehealthd /healthz, in us")
    for row in rows:
        floor = row.get("healthz", {})
        print("%-11s %s / %s / %s; context switches per request %s / %s / %s" % (
            row["backend"], row["telehealthd"].get("server_cpu_us_per_request"),
            row["nginx"].get("server_cpu_us_per_request"),
            floor.get("server_cpu_us_per_request", "-"),
            row["telehealthd"].get("server_context_switches_per_request"),
            row["nginx"].get("server_context_switches_per_request"),
            floor.get("server_context_switches_per_request", "-")))
    print()
    for row in rows:
        logins = row["logins"]
        print("%s logins: %.1f per second signed in (median; runs %s) at %s, p99 %.0f ms, "
              "%d connections" % (row["backend"], logins["ok_per_second"],
                                  runs(logins, "ok_per_second"), logins["argon2"],
                                  logins["p99_ms"], row.get("login_connections", 4)))
    for row in rows:
        for who in ("telehealthd", "nginx", "healthz", "logins"):
            figures = row.get(who)
            if figures and (figures["non_2xx"] or figures["socket_errors"]):
                print("warning: %s %s: %d non-2xx responses, %d socket errors"
                      % (row["backend"], who, figures["non_2xx"], figures["socket_errors"]))
        if "database_transactions" in row["telehealthd"]:
            print("%s: %d database transactions during the %d requests of the %d measured runs "
                  "(%d in one idle stretch as long as a run)"
                  % (row["backend"], row["telehealthd"]["database_transactions"],
                     row["telehealthd"]["requests"], len(row["telehealthd"]["runs"]),
                     row.get("idle_database_transactions", -1)))
        for name, summary in row.get("revocation", {}).items():
            print("%s revocation (%s): daemon A refuses at once: %s; daemon B refuses after "
                  "median %.1f ms, p95 %.1f ms, max %.1f ms from the revoking request "
                  "(median %.1f ms, max %.1f ms from its answer) over %d trials (polled every "
                  "10 ms)" % (row["backend"], name, summary["a_refused_next_request"],
                              summary["b_median_ms"], summary["b_p95_ms"], summary["b_max_ms"],
                              summary["b_after_answer_median_ms"],
                              summary["b_after_answer_max_ms"], summary["trials"]))
        print("%s: load average %s before, %s after" % (
            row["backend"], " ".join("%.2f" % x for x in row["load_before"]),
            " ".join("%.2f" % x for x in row["load_after"])))


if __name__ == "__main__":
    main()
