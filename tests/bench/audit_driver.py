"""Driver of the issue-4 benchmark, started by run_audit_benchmark.sh once per
backend (on PostgreSQL inside pg_virtualenv).

  1. Append rate with 1, 8 and 32 writers through AuditLog::record
     (th_audit_bench append), each on a fresh database; on PostgreSQL beside
     pgbench running single-row INSERTs into a table of the same shape, the
     two interleaved run by run so both see the same load on the machine.
  2. One million events loaded through the same path (many threads, so the
     group commits are large) with a checkpoint every 1000 events, then
     verification speed (AuditVerifier over the whole log) and search latency
     (AuditQuery: by patient, by user, by time range, and paging).

Every figure is measured --repeats times and the median reported. Writes one
JSON file of figures; asserts nothing about speed. Python standard library only.
"""

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

WRITERS = (1, 8, 32)

# A table shaped like audit_events: the same columns, keys and indexes.
PLAIN_TABLE = """
CREATE SEQUENCE plain_events_seq;
CREATE TABLE plain_events (
  seq BIGINT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  occurred_at BIGINT NOT NULL,
  actor_user_id TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  action TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  emergency INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  node TEXT NOT NULL,
  body TEXT NOT NULL,
  leaf_hash TEXT NOT NULL);
CREATE INDEX plain_by_time ON plain_events(occurred_at);
CREATE INDEX plain_by_actor ON plain_events(actor_user_id, occurred_at);
CREATE INDEX plain_by_patient ON plain_events(patient_id, occurred_at);
"""

# One autocommitted single-row INSERT per transaction, with values of the
# sizes an audit event has (a 36-character id, a body of about 450 bytes, a
# 64-character hash).
PLAIN_INSERT = """\\set n random(1, 1000000000)
INSERT INTO plain_events (seq, id, occurred_at, actor_user_id, actor_role, action,
  resource_type, resource_id, patient_id, outcome, emergency, request_id, node, body, leaf_hash)
VALUES (nextval('plain_events_seq'), gen_random_uuid()::text,
  (extract(epoch from clock_timestamp()) * 1000000)::bigint,
  'bench-user-' || (:n % 1000), 'clinician', 'read', 'patient_record', 'record-' || :n,
  'bench-patient-' || (:n % 20000), 'success', 0, md5((:n + 1)::text), 'bench-node',
  repeat(md5(:n::text), 14), md5(:n::text) || md5((:n + 2)::text));
"""


def log(message):
    print("[audit bench] " + message, flush=True)


def run(command, **options):
    return subprocess.run(command, check=True, capture_output=True, text=True, **options)


def median(values):
    return round(statistics.median(values), 3) if values else None


def percentile(sorted_values, fraction):
    if not sorted_values:
        return None
    rank = int(fraction * (len(sorted_values) - 1) + 0.5)
    return sorted_values[min(rank, len(sorted_values) - 1)]


def bench_json(bench, *arguments, env=None):
    """Runs th_audit_bench and returns the JSON it prints."""
    completed = subprocess.run([bench, *arguments], capture_output=True, text=True, env=env)
    if completed.stderr.strip():
        for line in completed.stderr.strip().splitlines():
            log("  " + line)
    if completed.returncode != 0:
        raise RuntimeError("th_audit_bench %s failed (%d):\n%s" % (
            arguments[0], completed.returncode, completed.stdout + completed.stderr))
    return json.loads(completed.stdout.strip().splitlines()[-1])


# ---- databases ----

class Backend:
    """Fresh databases on one backend: PostgreSQL from pg_virtualenv, or
    SQLite files in a temporary folder on the same disk."""

    def __init__(self, name, folder):
        self.name = name
        self.folder = folder

    def fresh_url(self, label):
        if self.name == "postgresql":
            database = "th_bench_%s_%s" % (label, uuid.uuid4().hex[:8])
            run(["createdb", database])
            return "postgresql:///" + database
        return "sqlite://" + os.path.join(self.folder, "%s-%s.db" % (label, uuid.uuid4().hex[:8]))

    def drop(self, url):
        if self.name == "postgresql":
            run(["dropdb", url[len("postgresql:///"):]])
        else:
            path = url[len("sqlite://"):]
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)


def postgresql_settings():
    names = ["server_version", "fsync", "synchronous_commit", "wal_sync_method",
             "full_page_writes", "commit_delay", "shared_buffers", "max_wal_size"]
    settings = {}
    for name in names:
        settings[name] = run(["psql", "-X", "-A", "-t", "-d", "postgres", "-c",
                              "SHOW " + name]).stdout.strip()
    return settings


# ---- pgbench ----

def pgbench(backend, clients, seconds, folder):
    url = backend.fresh_url("plain")
    database = url[len("postgresql:///"):]
    try:
        run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", PLAIN_TABLE])
        script = os.path.join(folder, "plain_insert.sql")
        with open(script, "w") as out:
            out.write(PLAIN_INSERT)
        threads = str(min(clients, 2))
        common = ["pgbench", "-n", "-M", "prepared", "-f", script, "-c", str(clients),
                  "-j", threads]
        run(common + ["-T", "2", database])  # warm-up, not counted
        logs = os.path.join(folder, "pgbench-%d" % clients)
        os.makedirs(logs, exist_ok=True)
        completed = run(common + ["-T", str(seconds), "-l", "--log-prefix",
                                  os.path.join(logs, "tx"), database])
        latencies = []
        for path in glob.glob(os.path.join(logs, "tx*")):
            with open(path) as source:
                for line in source:
                    latencies.append(int(line.split()[2]) / 1000.0)
        shutil.rmtree(logs)
        latencies.sort()
        tps = None
        for line in completed.stdout.splitlines():
            if line.startswith("tps = "):
                tps = float(line.split()[2])
        failed = next((line for line in completed.stdout.splitlines()
                       if line.startswith("number of failed transactions")), "")
        return {"clients": clients, "events_per_second": tps,
                "transactions": len(latencies), "p50_ms": percentile(latencies, 0.5),
                "p99_ms": percentile(latencies, 0.99), "failed": failed.strip()}
    finally:
        backend.drop(url)


# ---- the parts ----

def append_run(backend, args, bench, writers):
    url = backend.fresh_url("append")
    try:
        return bench_json(bench, "append", url, "--writers", str(writers),
                          "--seconds", str(args.seconds), "--warmup", "2")
    finally:
        backend.drop(url)


def append_rates(backend, args, folder, results):
    runs = {"audit": {n: [] for n in WRITERS}, "plain": {n: [] for n in WRITERS},
            "baseline": {n: [] for n in WRITERS}}
    for repeat in range(args.repeats):
        for writers in WRITERS:
            if backend.name == "postgresql":
                plain = pgbench(backend, writers, args.seconds, folder)
                runs["plain"][writers].append(plain)
                log("run %d, %2d clients: pgbench single-row INSERT %8.0f tx/s, p50 %.2f ms, "
                    "p99 %.2f ms" % (repeat + 1, writers, plain["events_per_second"],
                                     plain["p50_ms"], plain["p99_ms"]))
            kinds = [("audit", args.bench, "AuditLog::record")]
            if args.baseline_bench:
                kinds.append(("baseline", args.baseline_bench, "baseline build"))
            for kind, bench, label in kinds:
                audit = append_run(backend, args, bench, writers)
                runs[kind][writers].append(audit)
                log("run %d, %2d writers: %-16s %8.0f events/s, p50 %.2f ms, p99 %.2f ms, "
                    "mean group commit %.1f events, %d failures"
                    % (repeat + 1, writers, label, audit["events_per_second"], audit["p50_ms"],
                       audit["p99_ms"], audit["mean_batch"], audit["failures"]))
    summary = {}
    for kind, by_writers in runs.items():
        for writers, samples in by_writers.items():
            if not samples:
                continue
            summary.setdefault(kind, {})[str(writers)] = {
                "events_per_second": median([s["events_per_second"] for s in samples]),
                "events_per_second_runs": [s["events_per_second"] for s in samples],
                "p50_ms": median([s["p50_ms"] for s in samples]),
                "p99_ms": median([s["p99_ms"] for s in samples]),
                "mean_batch": median([s["mean_batch"] for s in samples])
                if kind != "plain" else None,
                "runs": samples,
            }
    results["append"] = summary


# ---- plans of slow searches (PostgreSQL) ----

SLOW_MS = 100


def search_environment(backend):
    """On PostgreSQL, the searches' sessions load auto_explain, which writes
    the plan of every statement slower than SLOW_MS to the server's log: the
    plans of the statements AuditQuery really sends. Returns the environment,
    the log file and how long it was before the searches."""
    if backend.name != "postgresql":
        return None, None, 0
    clusters = run(["pg_lsclusters", "-h"]).stdout.split()
    server_log = clusters[-1] if clusters and os.path.exists(clusters[-1]) else None
    if server_log is None:
        return None, None, 0
    env = dict(os.environ)
    env["PGOPTIONS"] = ("-c session_preload_libraries=auto_explain "
                        "-c auto_explain.log_min_duration=%d -c auto_explain.log_analyze=on"
                        % SLOW_MS)
    return env, server_log, os.path.getsize(server_log)


def slow_plans(server_log, offset):
    """The first logged plan of each distinct slow statement."""
    with open(server_log, errors="replace") as source:
        source.seek(offset)
        text = source.read()
    plans, seen = [], set()
    for block in text.split("LOG:  duration: ")[1:]:
        if "plan:" not in block:
            continue
        duration = block.split(" ", 2)[:2]
        lines = [line for line in block.splitlines()[1:] if line.startswith(("\t", " "))]
        query = next((line.strip() for line in lines if "Query Text:" in line), "")
        key = query.split(" WHERE ")[-1][:80]
        if key in seen:
            continue
        seen.add(key)
        plans.append({"duration": " ".join(duration), "plan": "\n".join(lines[:30])})
    return plans


def million(backend, args, folder, results):
    url = backend.fresh_url("million")
    key_file = os.path.join(folder, "checkpoint-key.hex")
    try:
        log("loading %d events through AuditLog::record (%d threads) with checkpoints"
            % (args.events, args.loaders))
        loaded = bench_json(args.bench, "load", url, "--events", str(args.events),
                            "--loaders", str(args.loaders), "--key-file", key_file)
        log("loaded %d events in %.0f s (%.0f events/s, mean group commit %.0f events)"
            % (loaded["events"], loaded["seconds"], loaded["events_per_second"],
               loaded["mean_batch"]))
        results["load"] = loaded
        if backend.name == "postgresql":
            database = url[len("postgresql:///"):]
            run(["psql", "-X", "-q", "-d", database, "-c", "VACUUM ANALYZE"])
            size = run(["psql", "-X", "-A", "-t", "-d", database, "-c",
                        "SELECT pg_size_pretty(pg_database_size(current_database()))"])
            results["database_size"] = size.stdout.strip()
        else:
            path = url[len("sqlite://"):]
            run(["sqlite3", path, "ANALYZE"])
            results["database_size"] = "%.0f MB" % (os.path.getsize(path) / 1e6)

        verifications = []
        for repeat in range(args.repeats):
            walk = bench_json(args.bench, "verify", url, "--key-file", key_file)
            verifications.append(walk)
            log("run %d: verified %d events and %d checkpoints in %.1f s: %.0f events/s, "
                "intact: %s" % (repeat + 1, walk["events"], walk["checkpoints"],
                                walk["seconds"], walk["events_per_second"], walk["intact"]))
        results["verify"] = {
            "events_per_second": median([v["events_per_second"] for v in verifications]),
            "runs": verifications,
        }

        searches = {}
        env, server_log, logged = search_environment(backend)
        for repeat in range(args.repeats):
            for case in bench_json(args.bench, "search", url, "--rounds", str(args.rounds),
                                   "--budget", str(args.search_budget), env=env):
                searches.setdefault(case["search"], []).append(case)
                log("run %d: search %-32s p50 %8.2f ms, p99 %8.2f ms over %d pages of %.0f "
                    "events" % (repeat + 1, case["search"], case["p50_ms"], case["p99_ms"],
                                case["pages"], case["mean_events_per_page"]))
        if server_log:
            results["slow_search_plans"] = slow_plans(server_log, logged)
            for plan in results["slow_search_plans"]:
                log("slow search plan (auto_explain), %s:\n%s" % (plan["duration"],
                                                                   plan["plan"]))
        results["search"] = {
            name: {"p50_ms": median([c["p50_ms"] for c in cases]),
                   "p99_ms": median([c["p99_ms"] for c in cases]),
                   "pages_per_run": median([c["pages"] for c in cases]),
                   "mean_events_per_page": median([c["mean_events_per_page"] for c in cases]),
                   "runs": cases}
            for name, cases in searches.items()}
    finally:
        backend.drop(url)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--bench", required=True, help="the th_audit_bench program")
    parser.add_argument("--output", required=True, help="JSON file of figures to write")
    parser.add_argument("--seconds", type=int, default=10, help="measured time of each append run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--events", type=int, default=1000000)
    parser.add_argument("--loaders", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=200, help="searches of each kind per run")
    parser.add_argument("--search-budget", type=int, default=10,
                        help="seconds at most per kind of search per run")
    parser.add_argument("--baseline-bench",
                        help="another th_audit_bench (an earlier build) whose append runs "
                             "alternate with this one's, for a before-and-after comparison")
    parser.add_argument("--skip-append", action="store_true")
    parser.add_argument("--skip-million", action="store_true")
    args = parser.parse_args()

    # /var/tmp rather than /tmp, which may be a tmpfs where a flush costs
    # nothing: SQLite's durability is measured on the disk.
    folder = tempfile.mkdtemp(prefix="th-audit-bench-", dir="/var/tmp")
    os.chmod(folder, 0o755)
    backend = Backend(args.backend, folder)
    results = {"backend": args.backend, "load_before": os.getloadavg(),
               "baseline_bench": args.baseline_bench,
               "seconds": args.seconds, "repeats": args.repeats}
    if args.backend == "postgresql":
        results["settings"] = postgresql_settings()
        log("PostgreSQL settings: %s" % results["settings"])
    started = time.time()
    try:
        if not args.skip_append:
            append_rates(backend, args, folder, results)
        if not args.skip_million:
            million(backend, args, folder, results)
    finally:
        results["load_after"] = os.getloadavg()
        results["elapsed_s"] = round(time.time() - started)
        shutil.rmtree(folder, ignore_errors=True)
    with open(args.output, "w") as out:
        json.dump(results, out, indent=2)


if __name__ == "__main__":
    sys.exit(main())
