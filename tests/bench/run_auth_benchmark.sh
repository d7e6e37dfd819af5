#!/usr/bin/env bash
# The issue-3 benchmark: authenticated GET /api/v1/me over TLS with
# keep-alive at 64 connections (wrk), beside nginx serving a static file of
# the same size over TLS in the same run; logins per second at the default
# Argon2id cost; on SQLite and then on PostgreSQL (a throwaway cluster from
# pg_virtualenv), where it also times how long a revocation on one daemon
# takes to reach a second daemon sharing the database.
#
# It prints figures; it is not a test and CI does not run it. Each figure
# is measured --repeats times (default 3), telehealthd and nginx runs
# alternating, and the median reported; GET /healthz, a public route with no
# handler work, shows what the request pipeline costs on its own.
#
# Cores: the server under test (telehealthd, then nginx) runs pinned to
# core 0 and wrk to core 1 (taskset), so neither steals the other's CPU.
# Needs at least 2 cores; any others stay unused.
#
# Usage: tests/bench/run_auth_benchmark.sh [--build-dir DIR] [--duration S]
#          [--backend sqlite|postgresql|both] [--profile] [-- driver options]
# Driver options: tests/bench/auth_bench.py --help (--repeats, --warmup,
# --login-duration, --revocation-trials, ...).
# The build directory defaults to build-bench, configured as Release;
# telehealthd is built there if missing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
source_dir="$(cd "$here/../.." && pwd)"
build_dir="$source_dir/build-bench"
backend=both
driver_args=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build_dir="$(cd "$2" && pwd)"; shift 2 ;;
    --duration) driver_args+=(--duration "$2"); shift 2 ;;
    --backend) backend="$2"; shift 2 ;;
    --profile) driver_args+=(--profile); shift ;;
    --phase) phase="$2"; shift 2 ;;       # internal: one backend, then exit
    --results) results="$2"; shift 2 ;;   # internal: where the phase writes
    --) shift; driver_args+=("$@"); break ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

# One backend's figures, written to $results/<backend>.json. Under
# pg_virtualenv this is the re-executed script.
run_phase() {
  local name="$1"
  TH_TEST_BACKEND="$name" TH_BINARY_DIR="$build_dir" TH_SOURCE_DIR="$source_dir" \
    python3 "$here/auth_bench.py" --backend "$name" --output "$results/$name.json" \
    "${driver_args[@]}"
}

if [[ -n "${phase:-}" ]]; then
  run_phase "$phase"
  exit 0
fi

bash "$source_dir/.ci/install-bench-deps.sh"
if [[ ! -x "$build_dir/daemon/telehealthd" ]]; then
  echo "building telehealthd in $build_dir (Release)"
  cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DTH_BUILD_TESTS=OFF -DTH_BENCHMARKS=ON >/dev/null
  cmake --build "$build_dir" --target telehealthd
fi
if [[ "$(nproc)" -lt 2 ]]; then
  echo "needs 2 cores (server on core 0, wrk on core 1); this machine has $(nproc)" >&2
  exit 1
fi

results="$(mktemp -d /tmp/th-bench-results.XXXXXX)"
build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)"
echo "telehealthd: $build_dir/daemon/telehealthd (build type: ${build_type:-unknown})"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
  "load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: $0 --backend $backend ${driver_args[*]:+-- ${driver_args[*]}}"
echo "pinning: server under test on core 0, wrk on core 1 (taskset)"

# The kernel shares CPU time fairly between sessions (autogroups) before it
# looks at nice values, so on a machine where other sessions are busy the
# server under test gets a small slice of core 0 whatever its own nice value.
# As root the script raises the priority of its own session's group for the
# length of the run (TH_BENCH_NICE, default -10; 0 leaves it alone).
bench_nice="${TH_BENCH_NICE:--10}"
if [[ "$bench_nice" != 0 && -w /proc/self/autogroup ]]; then
  previous_nice="$(awk '{print $NF}' /proc/self/autogroup)"
  trap 'echo "$previous_nice" > /proc/self/autogroup' EXIT
  echo "$bench_nice" > /proc/self/autogroup &&
    echo "scheduling: this session's autogroup at nice $bench_nice for the run"
fi

if [[ "$backend" == sqlite || "$backend" == both ]]; then
  echo "== SQLite =="
  run_phase sqlite
fi
if [[ "$backend" == postgresql || "$backend" == both ]]; then
  echo "== PostgreSQL (pg_virtualenv, fsync=on, synchronous_commit=on) =="
  # A temporary cluster of our own (-t) on a free port, its files on disk,
  # with the durability pg_virtualenv turns off for tests turned back on.
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  PGPORT="$port" TMPDIR=/var/tmp pg_virtualenv -t -o fsync=on -o synchronous_commit=on \
    -- bash "$here/run_auth_benchmark.sh" --build-dir "$build_dir" --phase postgresql \
    --results "$results" -- "${driver_args[@]}"
fi

python3 "$here/auth_summary.py" "$results"
echo "figures in $results"
