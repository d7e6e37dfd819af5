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
driver_args=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build_dir="$(cd "$2" && pwd)"; shift 2 ;;
    --backend) backend="$2"; shift 2 ;;
    --phase) phase="$2"; shift 2 ;;      # internal: one backend, then exit
    --results) results="$2"; shift 2 ;;  # internal: where the phase writes
    --) shift; driver_args+=("$@"); break ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

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
if [[ ! -x "$bench" ]]; then
  echo "building th_audit_bench in $build_dir (Release)"
  cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DTH_BUILD_TESTS=OFF -DTH_BENCHMARKS=ON >/dev/null
  cmake --build "$build_dir" --target th_audit_bench
fi

results="$(mktemp -d /tmp/th-audit-bench-results.XXXXXX)"
build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)"
echo "th_audit_bench: $bench (build type: ${build_type:-unknown})"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
  "load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: $0 --backend $backend ${driver_args[*]:+-- ${driver_args[*]}}"

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
