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
source "$here/bench_common.sh"

auth_option() {
  case "$1" in
    --duration) driver_args+=(--duration "$2"); bench_taken=2 ;;
    --backend) backend="$2"; bench_taken=2 ;;
    --profile) driver_args+=(--profile); bench_taken=1 ;;
    --phase) phase="$2"; bench_taken=2 ;;      # internal: one backend, then exit
    --results) results="$2"; bench_taken=2 ;;  # internal: where the phase writes
  esac
}
bench_parse_options auth_option "$@"

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
bench_build_if_missing "$build_dir/daemon/telehealthd" telehealthd

results="$(mktemp -d /tmp/th-bench-results.XXXXXX)"
bench_print_header "telehealthd: $build_dir/daemon/telehealthd" \
  "$0 --backend $backend ${driver_args[*]:+-- ${driver_args[*]}}"
bench_require_cores wrk
bench_raise_priority

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
