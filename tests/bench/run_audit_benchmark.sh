#!/usr/bin/env bash
# The issue-4 benchmarks: audit append rate with 1, 8 and 32 writers beside
# pgbench's single-row INSERTs into a table of the same shape, then
# verification speed and search latency over one million events; on
# PostgreSQL (a throwaway cluster from pg_virtualenv, with fsync and
# synchronous_commit on, so every commit is durable) and on SQLite.
#
# It prints figures; it is not a test and CI does not run it.
#
# Usage: tests/bench/run_audit_benchmark.sh [--build-dir DIR]
#          [--backend sqlite|postgresql|both] [-- driver options]
# Driver options (tests/bench/audit_driver.py --help): --seconds S (each
# append run, default 10), --repeats R (default 3), --events N (default
# 1000000), --skip-append, --skip-million.
# The build directory defaults to build-bench, configured as Release with
# -DTH_BENCHMARKS=ON; th_audit_bench is built there if missing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
source_dir="$(cd "$here/../.." && pwd)"
build_dir="$source_dir/build-bench"
backend=both
source "$here/bench_common.sh"

audit_option() {
  case "$1" in
    --backend) backend="$2"; bench_taken=2 ;;
    --phase) phase="$2"; bench_taken=2 ;;      # internal: one backend, then exit
    --results) results="$2"; bench_taken=2 ;;  # internal: where the phase writes
  esac
}
bench_parse_options audit_option "$@"

bench="$build_dir/tests/bench/th_audit_bench"

run_phase() {
  python3 "$here/audit_driver.py" --backend "$1" --bench "$bench" \
    --output "$results/$1.json" "${driver_args[@]}"
}

if [[ -n "${phase:-}" ]]; then
  run_phase "$phase"
  exit 0
fi

bash "$source_dir/.ci/install-bench-deps.sh"
bench_build_if_missing "$bench" th_audit_bench

results="$(mktemp -d /tmp/th-audit-bench-results.XXXXXX)"
bench_print_header "th_audit_bench: $bench" \
  "$0 --backend $backend ${driver_args[*]:+-- ${driver_args[*]}}"

if [[ "$backend" == postgresql || "$backend" == both ]]; then
  echo "== PostgreSQL (pg_virtualenv, fsync=on, synchronous_commit=on) =="
  # A temporary cluster of our own (-t) on a free port, its files on disk
  # rather than in a tmpfs, with the durability pg_virtualenv turns off for
  # tests turned back on.
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  PGPORT="$port" TMPDIR=/var/tmp pg_virtualenv -t -o fsync=on -o synchronous_commit=on \
    -- bash "$here/run_audit_benchmark.sh" --build-dir "$build_dir" --phase postgresql \
    --results "$results" -- "${driver_args[@]}"
fi
if [[ "$backend" == sqlite || "$backend" == both ]]; then
  echo "== SQLite (WAL, synchronous=FULL) =="
  run_phase sqlite
fi

python3 "$here/audit_summary.py" "$results"
echo "figures in $results"
