"""Prints the tables of the issue-4 benchmark from the JSON files that
audit_driver.py wrote (one per backend) in the folder given."""

import json
import os
import sys


def load(folder):
    rows = []
    for name in ("postgresql", "sqlite"):
        path = os.path.join(folder, name + ".json")
        if os.path.exists(path):
            with open(path) as source:
                rows.append(json.load(source))
    return rows


def append_table(row):
    append = row.get("append")
    if not append:
        return
    audit, plain = append.get("audit", {}), append.get("plain", {})
    print("\nAppend rate, %s: median of %d runs of %d s each (rates of the runs in brackets)"
          % (row["backend"], row["repeats"], row["seconds"]))
    header = "%-8s %-38s %9s %9s %-38s %9s %9s %7s" % (
        "writers", "AuditLog::record events/s", "p50 ms", "p99 ms",
        "pgbench INSERT tx/s" if plain else "", "p50 ms" if plain else "",
        "p99 ms" if plain else "", "ratio" if plain else "")
    print(header.rstrip())
    print("-" * len(header.rstrip()))
    for writers in ("1", "8", "32"):
        ours = audit.get(writers)
        if not ours:
            continue
        line = "%-8s %-38s %9.2f %9.2f" % (
            writers, "%.0f [%s] batch %.0f" % (
                ours["events_per_second"],
                " ".join("%.0f" % r for r in ours["events_per_second_runs"]),
                ours["mean_batch"]), ours["p50_ms"], ours["p99_ms"])
        theirs = plain.get(writers)
        if theirs:
            line += " %-38s %9.2f %9.2f %7.2f" % (
                "%.0f [%s]" % (theirs["events_per_second"], " ".join(
                    "%.0f" % r for r in theirs["events_per_second_runs"])),
                theirs["p50_ms"], theirs["p99_ms"],
                ours["events_per_second"] / theirs["events_per_second"])
        print(line)
    baseline = append.get("baseline", {})
    if baseline:
        print("baseline build (%s), alternating run by run with the one above:"
              % row.get("baseline_bench"))
        for writers in ("1", "8", "32"):
            theirs, ours = baseline.get(writers), audit.get(writers)
            if theirs and ours:
                print("%-8s %-38s %9.2f %9.2f   this build / baseline: %.2f" % (
                    writers, "%.0f [%s] batch %.0f" % (
                        theirs["events_per_second"],
                        " ".join("%.0f" % r for r in theirs["events_per_second_runs"]),
                        theirs["mean_batch"]), theirs["p50_ms"], theirs["p99_ms"],
                    ours["events_per_second"] / theirs["events_per_second"]))


def million_table(row):
    if "verify" not in row:
        return
    load = row["load"]
    print("\nOne million events, %s: loaded in %.0f s (%.0f events/s, group commits of %.0f), "
          "database %s" % (row["backend"], load["seconds"], load["events_per_second"],
                           load["mean_batch"], row.get("database_size", "?")))
    verify = row["verify"]
    runs = verify["runs"]
    print("verification: %.0f events/s (median of %d walks of %d events and %d checkpoints: %s)"
          % (verify["events_per_second"], len(runs), runs[0]["events"], runs[0]["checkpoints"],
             ", ".join("%.1f s" % r["seconds"] for r in runs)))
    header = "%-34s %10s %10s %14s" % ("search (100 events a page)", "p50 ms", "p99 ms",
                                       "pages per run")
    print(header)
    print("-" * len(header))
    for name, figures in row["search"].items():
        print("%-34s %10.2f %10.2f %14.0f" % (name, figures["p50_ms"], figures["p99_ms"],
                                             figures["pages_per_run"]))
    for plan in row.get("slow_search_plans", []):
        print("\nplan of a search slower than 100 ms (auto_explain, %s):" % plan["duration"])
        print(plan["plan"])


def main():
    for row in load(sys.argv[1]):
        if "settings" in row:
            print("\nPostgreSQL: %s" % ", ".join("%s=%s" % item for item in row["settings"].items()))
        print("%s: load average %s before, %s after, %d s"
              % (row["backend"], " ".join("%.2f" % x for x in row["load_before"]),
                 " ".join("%.2f" % x for x in row["load_after"]), row["elapsed_s"]))
        append_table(row)
        million_table(row)


if __name__ == "__main__":
    main()
