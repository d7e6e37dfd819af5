"""Driver of the issue-3 benchmark: authenticated GET /api/v1/me on telehealthd
beside nginx serving a file of the same size, logins per second, and (on
PostgreSQL) how long a revocation on one daemon takes to reach another.

Started by run_auth_benchmark.sh, once per backend; writes one JSON file of
figures. Prints figures; asserts nothing about speed.

Python standard library only; reuses the integration harness for the daemon,
its configuration, certificate and key-encryption key.
"""

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness  # noqa: E402  (path set up above)

PASSWORD = "correct horse battery staple"
SERVER_CORE = "0"
CLIENT_CORE = "1"


def pinned(core):
    """The command prefix running a program on one core."""
    return ["taskset", "-c", core]


def autogroup_nice():
    """The scheduler priority of this session's group (see run_auth_benchmark.sh)."""
    try:
        with open("/proc/self/autogroup") as group:
            return group.read().split()[-1]
    except OSError:
        return None

# The headers telehealthd puts on every TLS response; nginx sends the same
# ones so that both answers are alike on the wire, not only in body size.
SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Content-Security-Policy", "\"default-src 'none'; frame-ancestors 'none'\""),
    ("Cache-Control", "no-store"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Strict-Transport-Security", "\"max-age=63072000; includeSubDomains\""),
    ("X-Request-Id", "0123456789abcdef0123456789abcdef"),
]


def log(message):
    print("[bench] " + message, flush=True)


# ---- processes pinned to a core ----

class PinnedDaemon(harness.Daemon):
    """A harness daemon started under `taskset -c CORE`.

    It runs under another name (a symbolic link to the binary, and a config
    file not named after it), so that whatever kills processes called
    telehealthd on a shared machine does not stop it mid-run.
    """

    core = None

    def __init__(self, overrides=None, database=None):
        super().__init__(overrides, database)
        self.config_path = os.path.join(self.dir, "bench.toml")
        self.write_config()
        self.binary = os.path.join(self.dir, "th-bench-daemon")
        os.symlink(os.path.abspath(harness.TELEHEALTHD), self.binary)

    def start(self, wait=True, extra_args=()):
        self.log_file = open(self.log_path, "ab")
        command = [self.binary, "--config", self.config_path, *extra_args]
        if self.core is not None:
            command = pinned(self.core) + command
        self.process = subprocess.Popen(command, stdout=self.log_file, stderr=self.log_file,
                                        env=self.env)
        if wait:
            self.wait_ready()
        return self


def cpu_seconds(pids):
    """User plus system CPU time of the processes (all their threads)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with open("/proc/%d/stat" % pid) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def context_switches(pids):
    """Voluntary plus involuntary context switches of all threads of the processes."""
    total = 0
    for pid in pids:
        for task in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/status" % (pid, task)) as status:
                    for line in status:
                        if "ctxt_switches:" in line:
                            total += int(line.split()[1])
            except FileNotFoundError:
                pass  # a thread that ended meanwhile
    return total


def child_pids(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as children:
            return [int(child) for child in children.read().split()]
    except FileNotFoundError:
        return []


# ---- wrk ----

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(match.group(1)) * UNITS[match.group(2)]


def parse_wrk(output):
    figures = {"non_2xx": 0, "socket_errors": 0}
    for line in output.splitlines():
        line = line.strip()
        if match := re.match(r"Requests/sec:\s+([\d.]+)", line):
            figures["requests_per_second"] = float(match.group(1))
        elif match := re.match(r"(50|75|90|99)%\s+(\S+)", line):
            figures["p" + match.group(1) + "_ms"] = to_ms(match.group(2))
        elif match := re.match(r"(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read", line):
            figures["requests"] = int(match.group(1))
            figures["seconds"] = to_ms(match.group(2)) / 1000
            figures["bytes_read"] = match.group(3)
        elif match := re.match(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                               r"timeout (\d+)", line):
            figures["socket_errors"] = sum(int(group) for group in match.groups())
        elif match := re.match(r"Non-2xx or 3xx responses: (\d+)", line):
            figures["non_2xx"] = int(match.group(1))
    if "requests_per_second" not in figures:
        raise RuntimeError("could not read the wrk output:\n" + output)
    if figures.get("seconds"):
        figures["ok_per_second"] = round(
            (figures["requests"] - figures["non_2xx"]) / figures["seconds"], 1)
    return figures


def wrk(url, seconds, connections, threads, headers=(), script=None):
    command = pinned(CLIENT_CORE) + ["wrk", "-t%d" % threads, "-c%d" % connections,
               "-d%ds" % seconds, "--latency", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    command.append(url)
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return result.stdout


def measure(name, url, pids, args, headers=(), script=None, connections=64, threads=2,
            seconds=None, warmup=None):
    seconds = seconds or args.duration
    warmup = args.warmup if warmup is None else warmup
    if warmup:
        wrk(url, warmup, connections, threads, headers, script)
    before, switches_before = cpu_seconds(pids()), context_switches(pids())
    client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = wrk(url, seconds, connections, threads, headers, script)
    client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = cpu_seconds(pids()) - before
    switches = context_switches(pids()) - switches_before
    client = (client_after.ru_utime + client_after.ru_stime -
              client_before.ru_utime - client_before.ru_stime)
    figures = parse_wrk(output)
    figures["server_cpu_seconds"] = round(spent, 2)
    if figures.get("requests"):
        figures["server_cpu_us_per_request"] = round(spent / figures["requests"] * 1e6, 1)
        figures["client_cpu_us_per_request"] = round(client / figures["requests"] * 1e6, 1)
        if switches >= 0:  # threads that ended take their counts with them
            figures["server_context_switches_per_request"] = round(
                switches / figures["requests"], 2)
    log("%s: %.0f req/s, p99 %.2f ms, %d non-2xx, %d socket errors; per request: server %s us "
        "CPU and %s context switches, wrk %s us CPU"
        % (name, figures["requests_per_second"], figures.get("p99_ms", float("nan")),
           figures["non_2xx"], figures["socket_errors"],
           figures.get("server_cpu_us_per_request"),
           figures.get("server_context_switches_per_request"),
           figures.get("client_cpu_us_per_request")))
    figures["wrk_output"] = output
    return figures


# ---- telehealthd set-up ----

def bench_overrides(args):
    return {
        # A kept-alive connection holds no thread between requests; the
        # thread count only decides how many requests may wait at once
        # (and, beyond the cores, how many threads epoll wakes in turn).
        "server": {"worker_threads": args.worker_threads, "max_connections": 512,
                   "header_timeout_seconds": 10},
        "log": {"level": "info"},
        # Logins are throttled per source address, and all of wrk's come
        # from 127.0.0.1.
        "auth": {"login_attempts_per_minute": 100000},
    }


def check(reply, expected, what):
    if reply.status != expected:
        raise RuntimeError("%s: HTTP %d %s" % (what, reply.status, reply.body[:300]))
    return reply


def create_patient_user(daemon, username, mrn):
    check(daemon.admin("POST", "/api/v1/patients",
                       {"mrn": mrn, "given_name": "Bench", "family_name": "Patient",
                        "birth_date": "1980-01-01", "sex": "unknown", "state": "MA"}),
          201, "create patient")
    created = check(daemon.admin("POST", "/api/v1/users",
                                 {"username": username, "role": "patient", "patient_mrn": mrn}),
                    201, "create user")
    code = created.json()["enrolment_code"]
    check(daemon.post("/api/v1/auth/enrol",
                      {"username": username, "code": code, "password": PASSWORD}),
          200, "enrol")


def login(daemon, username):
    reply = check(daemon.post("/api/v1/auth/login", {"username": username, "password": PASSWORD}),
                  200, "login")
    return reply.json()["token"]


def create_service_token(daemon, username, name):
    reply = check(daemon.admin("POST", "/api/v1/tokens",
                               {"user": username, "name": name, "expires_in_days": 1}),
                  201, "create token")
    return reply.json()["token"], reply.json()["id"]


# ---- nginx ----

class Nginx:
    """nginx on its own prefix, one worker, TLS with a certificate like the daemon's."""

    def __init__(self, body, content_type):
        self.dir = tempfile.mkdtemp(prefix="th-bench-nginx-")
        # The worker runs as nobody and must reach the document root.
        os.chmod(self.dir, 0o755)
        self.port = harness.free_port()
        self.cert, self.key = harness.make_certificate(self.dir)
        www = os.path.join(self.dir, "www", "api", "v1")
        os.makedirs(www)
        with open(os.path.join(www, "me"), "wb") as out:
            out.write(body)
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(os.path.join(self.dir, "tmp", name))
        headers = "\n".join("      add_header %s %s always;" % pair for pair in SECURITY_HEADERS)
        config = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {dir}/tmp/body;
  proxy_temp_path {dir}/tmp/proxy;
  fastcgi_temp_path {dir}/tmp/fastcgi;
  uwsgi_temp_path {dir}/tmp/uwsgi;
  scgi_temp_path {dir}/tmp/scgi;
  keepalive_timeout 30s;
  keepalive_requests 1000;
  server_tokens off;
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    root {dir}/www;
    location = /api/v1/me {{
      default_type {content_type};
{headers}
    }}
  }}
}}
""".format(dir=self.dir, port=self.port, cert=self.cert, key=self.key,
           content_type=content_type, headers=headers)
        self.config = os.path.join(self.dir, "nginx.conf")
        with open(self.config, "w") as out:
            out.write(config)
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            pinned(SERVER_CORE) + ["nginx", "-p", self.dir, "-e",
             os.path.join(self.dir, "error.log"), "-c", self.config],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        harness.wait_until(lambda: self.process.poll() is not None or self.answers(),
                           timeout=10, message="nginx to answer")
        if self.process.poll() is not None:
            raise RuntimeError("nginx exited: " + self.process.stderr.read().decode())
        return self

    def answers(self):
        try:
            import socket
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    @property
    def url(self):
        return "https://127.0.0.1:%d/api/v1/me" % self.port

    def pids(self):
        return [self.process.pid] + child_pids(self.process.pid)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


# ---- database round trips (PostgreSQL) ----

def pg_transactions(database_url):
    name = database_url[len("postgresql:///"):]
    # Statistics reach pg_stat_database with a delay of up to a second.
    time.sleep(1.5)
    result = subprocess.run(
        ["psql", "-X", "-A", "-t", "-d", "postgres", "-c",
         "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '%s'" % name],
        capture_output=True, text=True, check=True)
    return int(result.stdout.strip())


# ---- the parts of the benchmark ----

def summarise_runs(runs):
    """The median of each figure over repeated runs, with the runs kept."""
    summary = {"runs": runs}
    for key in ("requests_per_second", "p50_ms", "p99_ms", "server_cpu_us_per_request",
                "server_context_switches_per_request", "client_cpu_us_per_request",
                "ok_per_second"):
        values = [run[key] for run in runs if run.get(key) is not None]
        if values:
            summary[key] = round(statistics.median(values), 3)
    for key in ("non_2xx", "socket_errors", "requests"):
        summary[key] = sum(run.get(key, 0) for run in runs)
    return summary


def bench_me(daemon, args, results):
    create_patient_user(daemon, "bench.patient", "BENCH-0001")
    token = login(daemon, "bench.patient")
    me = check(daemon.get("/api/v1/me", token=token), 200, "GET /api/v1/me")
    results["me_body_bytes"] = len(me.body)
    log("GET /api/v1/me body: %d bytes" % len(me.body))

    daemon_pids = lambda: [daemon.process.pid]  # noqa: E731
    headers = ["Authorization: Bearer " + token]
    url = daemon.base_url + "/api/v1/me"
    nginx = Nginx(me.body, "application/json").start()
    try:
        # Both servers warm up once; then their runs alternate, so that
        # whatever else the machine is doing falls on both alike.
        wrk(url, args.warmup, 64, 2, headers)
        wrk(nginx.url, args.warmup, 64, 2)
        ours, theirs, floor = [], [], []
        transactions = 0
        if args.backend == "postgresql":
            # What the daemon's background work (security-event polling,
            # checkpoints, activity flushes) costs in transactions while no
            # request arrives, over as long as one measured run.
            before = pg_transactions(daemon.database_url)
            time.sleep(args.duration)
            results["idle_database_transactions"] = pg_transactions(daemon.database_url) - before
            log("database transactions in %d s without requests: %d"
                % (args.duration, results["idle_database_transactions"]))
        for run in range(args.repeats):
            before = pg_transactions(daemon.database_url) if args.backend == "postgresql" else None
            ours.append(measure("run %d: telehealthd GET /api/v1/me" % (run + 1), url,
                                daemon_pids, args, headers=headers, warmup=0))
            if before is not None:
                # From PostgreSQL's own statistics (the probe connects to
                # another database, so it does not count itself).
                transactions += pg_transactions(daemon.database_url) - before
            theirs.append(measure("run %d: nginx static file" % (run + 1), nginx.url,
                                  nginx.pids, args, warmup=0))
            if args.floor:
                floor.append(measure("run %d: telehealthd GET /healthz" % (run + 1),
                                     daemon.base_url + "/healthz", daemon_pids, args, warmup=0))
    finally:
        nginx.stop()
    results["telehealthd"] = summarise_runs(ours)
    results["nginx"] = summarise_runs(theirs)
    if floor:
        results["healthz"] = summarise_runs(floor)
    if args.backend == "postgresql":
        results["telehealthd"]["database_transactions"] = transactions
        log("database transactions during the measured runs: %d for %d requests"
            % (transactions, results["telehealthd"]["requests"]))
    results["ratio"] = round(results["telehealthd"]["requests_per_second"] /
                             results["nginx"]["requests_per_second"], 3)
    results["ratio_runs"] = [round(a["requests_per_second"] / b["requests_per_second"], 3)
                             for a, b in zip(ours, theirs)]
    log("ratio telehealthd / nginx (medians): %.3f; run by run: %s"
        % (results["ratio"], results["ratio_runs"]))
    if args.profile and shutil.which("perf"):
        results["perf_report"] = profile(daemon, url, headers, args)


def profile(daemon, url, headers, args):
    data = os.path.join(daemon.dir, "perf.data")
    # The Release build has no frame pointers, hence DWARF unwinding (at a
    # low rate: each sample copies 16 KiB of stack).
    recorder = subprocess.Popen(["perf", "record", "-F", "299", "--call-graph", "dwarf,16384",
                                 "-p", str(daemon.process.pid), "-o", data, "--", "sleep", "8"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wrk(url, 10, 64, 2, headers)
    recorder.wait()
    inclusive = subprocess.run(["perf", "report", "-i", data, "--stdio", "--children",
                                "--sort", "symbol", "-g", "none", "--percent-limit", "1"],
                               capture_output=True, text=True)
    by_dso = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                             "--sort", "dso", "-g", "none"], capture_output=True, text=True)
    text = by_dso.stdout + "\n" + inclusive.stdout
    log("perf profile of telehealthd (self time by library, then time including callees):\n" +
        "\n".join(re.sub(r"\s+", " ", line)[:150] for line in text.splitlines()
                  if line.strip() and not line.startswith("#")))
    return text


# Two sign-ins of one user at the same moment conflict (the second is
# refused with 409, "changed concurrently"), so wrk cycles through more users
# than it has connections.
LOGIN_SCRIPT = r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local users, next_user = %d, 0
request = function()
  next_user = next_user %% users + 1
  local body = string.format('{"username": "bench.login.%%d", "password": "%s"}', next_user)
  return wrk.format(nil, nil, nil, body)
end
response = function(status, headers, body)
  if status ~= 200 then
    io.write("refused login: ", status, " ", body, "\n")
  end
end
"""


def bench_logins(daemon, args, results):
    users = args.login_connections * 16
    for number in range(1, users + 1):
        create_patient_user(daemon, "bench.login.%d" % number, "BENCH-L%04d" % number)
    script = os.path.join(daemon.dir, "login.lua")
    with open(script, "w") as out:
        out.write(LOGIN_SCRIPT % (users, PASSWORD))
    runs = []
    refused = {}
    for run in range(args.repeats):
        figures = measure("run %d: logins" % (run + 1), daemon.base_url + "/api/v1/auth/login",
                          lambda: [daemon.process.pid], args, script=script,
                          connections=args.login_connections, threads=1,
                          seconds=args.login_duration, warmup=2 if run == 0 else 0)
        for status in re.findall(r"^refused login: (\d+)", figures["wrk_output"],
                                 re.MULTILINE):
            refused[status] = refused.get(status, 0) + 1
        if refused and run == 0:
            sample = re.search(r"^refused login: .*$", figures["wrk_output"],
                               re.MULTILINE).group(0)
            log("refused logins by status: %s; for example: %s" % (refused, sample[:200]))
        runs.append(figures)
    summary = summarise_runs(runs)
    summary["refused_by_status"] = refused
    summary["users"] = users
    summary["argon2"] = argon2_cost(daemon)
    log("logins: median %.1f signed in per second at %s" % (summary["ok_per_second"],
                                                             summary["argon2"]))
    results["logins"] = summary


def argon2_cost(daemon):
    """The hashing cost the daemon runs with, as it reports its settings."""
    printed = harness.run_telehealthd("--config", daemon.config_path, "--print-config").stdout
    cost = {}
    for line in printed.splitlines():
        if match := re.match(r"\s*auth\.argon2_(\w+)\s*=\s*(\d+)", line):
            cost[match.group(1)] = match.group(2)
    return "Argon2id m=%s KiB, t=%s, p=%s" % (
        cost.get("memory_kib", "?"), cost.get("iterations", "?"), cost.get("parallelism", "?"))


def bench_revocation(daemon, args, results):
    """Daemon B shares A's database; a credential cached on B is revoked on A."""
    overrides = bench_overrides(args)
    overrides["keys"] = {"kek_file": daemon.kek}  # the data keys in the database are wrapped with it
    overrides["node"] = {"name": "bench-node-b"}
    other = PinnedDaemon(overrides, database=daemon.database_url)
    other.core = None
    other.start()
    # B settles first (its first poll of the security events, its listening
    # connection), so that the figures are of a running daemon.
    time.sleep(1)
    try:
        check(daemon.admin("POST", "/api/v1/users",
                           {"username": "bench.service", "role": "front_desk",
                            "kind": "service"}), 201, "create service user")
        trials = {"logout on A": [], "token revoked on A's admin socket": []}
        for trial in range(args.revocation_trials):
            token = login(daemon, "bench.patient")
            trials["logout on A"].append(revocation_trial(
                daemon, other, token,
                lambda token=token: check(daemon.post("/api/v1/auth/logout", token=token), 200,
                                          "logout")))
            token, token_id = create_service_token(daemon, "bench.service", "t%d" % trial)
            trials["token revoked on A's admin socket"].append(revocation_trial(
                daemon, other, token,
                lambda token_id=token_id: check(
                    daemon.admin("DELETE", "/api/v1/tokens/" + token_id), 200, "revoke token")))
        results["revocation"] = {}
        for name, samples in trials.items():
            delays = sorted(sample["b_ms"] for sample in samples)
            after_answer = sorted(sample["b_after_answer_ms"] for sample in samples)
            summary = {
                "trials": len(samples),
                "revoke_request_median_ms": round(
                    statistics.median(sample["revoke_ms"] for sample in samples), 1),
                "b_after_answer_median_ms": round(statistics.median(after_answer), 1),
                "b_after_answer_max_ms": round(after_answer[-1], 1),
                "polls_median": statistics.median(sample["polls"] for sample in samples),
                "samples": samples,
                "a_refused_next_request": all(sample["a_refused"] for sample in samples),
                "b_min_ms": round(delays[0], 1),
                "b_median_ms": round(statistics.median(delays), 1),
                "b_p95_ms": round(delays[max(0, int(len(delays) * 0.95) - 1)], 1),
                "b_max_ms": round(delays[-1], 1),
            }
            results["revocation"][name] = summary
            log("revocation, %s: A refuses at once: %s; B refuses after min %.1f / median %.1f "
                "/ p95 %.1f / max %.1f ms from the revoking request (median %.1f / max %.1f ms "
                "from its answer; the request itself took a median %.1f ms; %d trials, B "
                "polled every 10 ms, median %s polls)"
                % (name, summary["a_refused_next_request"], summary["b_min_ms"],
                   summary["b_median_ms"], summary["b_p95_ms"], summary["b_max_ms"],
                   summary["b_after_answer_median_ms"], summary["b_after_answer_max_ms"],
                   summary["revoke_request_median_ms"], summary["trials"],
                   summary["polls_median"]))
    finally:
        other.stop()
        other.cleanup()


def revocation_trial(daemon, other, token, revoke):
    to_b = other.connection()
    try:
        check(other.get("/api/v1/me", token=token, connection=to_b), 200, "B before revocation")
        check(daemon.get("/api/v1/me", token=token), 200, "A before revocation")
        # B is told of the revocation by NOTIFY, and polls every 250 ms should
        # that be lost; a random pause samples every phase of that cycle.
        time.sleep(random.uniform(0, 0.25))
        started = time.monotonic()
        revoke()
        answered = time.monotonic()
        a_refused = daemon.get("/api/v1/me", token=token).status == 401
        polls = 0
        while True:
            polls += 1
            status = other.get("/api/v1/me", token=token, connection=to_b).status
            if status == 401:
                break
            if status != 200:
                raise RuntimeError("B answered %d while waiting for the revocation" % status)
            if time.monotonic() - started > 10:
                raise RuntimeError("B still accepts a credential revoked 10 s ago")
            time.sleep(0.01)
        refused = time.monotonic()
        # From the revoking request being sent, and from its answer (the
        # commit happened in between).
        return {"a_refused": a_refused, "b_ms": (refused - started) * 1000,
                "b_after_answer_ms": (refused - answered) * 1000,
                "revoke_ms": (answered - started) * 1000, "polls": polls}
    finally:
        to_b.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--output", required=True, help="JSON file of figures to write")
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--worker-threads", type=int, default=8,
                        help="server.worker_threads (default: the daemon's default)")
    parser.add_argument("--login-duration", type=int, default=10)
    parser.add_argument("--login-connections", type=int, default=4)
    parser.add_argument("--revocation-trials", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each figure; the median is reported")
    parser.add_argument("--no-floor", dest="floor", action="store_false",
                        help="skip GET /healthz, the cost of the pipeline without a handler")
    parser.add_argument("--profile", action="store_true", help="perf profile of telehealthd")
    parser.add_argument("--revocation-only", action="store_true",
                        help="measure only how fast a revocation reaches another daemon")
    args = parser.parse_args()
    if harness.BACKEND != args.backend:
        raise SystemExit("TH_TEST_BACKEND must be set to %s" % args.backend)

    results = {"backend": args.backend, "worker_threads": args.worker_threads,
               "autogroup_nice": autogroup_nice(), "login_connections": args.login_connections,
               "duration_s": args.duration, "load_before": os.getloadavg()}
    daemon = PinnedDaemon(bench_overrides(args))
    daemon.core = SERVER_CORE
    daemon.start()
    try:
        if args.revocation_only:
            create_patient_user(daemon, "bench.patient", "BENCH-0001")
        else:
            bench_me(daemon, args, results)
            bench_logins(daemon, args, results)
        if args.backend == "postgresql" and args.revocation_trials > 0:
            bench_revocation(daemon, args, results)
    except Exception:
        log("failed; the daemon's log ends with:\n" + daemon.log()[-3000:])
        raise
    finally:
        results["load_after"] = os.getloadavg()
        daemon.stop()
        daemon.cleanup()
    with open(args.output, "w") as out:
        json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
