#!/usr/bin/env bash
# The issue-6 signaling benchmark: telehealthd's visit-room relay (`signal`
# between admitted participants) beside the PeerJS signaling server (npm
# package `peer`, pinned in tests/bench/peerjs/package-lock.json), both over
# TLS with a self-signed certificate, measured in the same run by the same
# load generator (th_signal_bench) with the same payloads: 50 pairs at fixed
# offered rates and at saturation, fan-out to a room of six, each with and
# without 5,000 extra idle connections sending heartbeats; server CPU per
# relayed message from the server's own accounting, memory per idle TLS
# connection.
#
# It prints figures; it is not a test and CI does not run it.
#
# Cores: the server under test runs pinned to core 0 and the load generator
# to core 1 (taskset). Needs at least 2 cores; any others stay unused.
#
# Usage: tests/bench/run_signaling_benchmark.sh [--build-dir DIR]
#          [--servers peerjs,telehealthd] [--seconds S] [-- driver options]
# Driver options: tests/bench/signaling_bench.py --help (--repeats, default 3,
# with the servers alternating run by run; --rates, --idle,
# --window, --fanout-rate, --warmup, --heartbeat-seconds, ...).
# The build directory defaults to build-bench, configured as Release;
# telehealthd and th_signal_bench are built there if missing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
source_dir="$(cd "$here/../.." && pwd)"
build_dir="$source_dir/build-bench"
servers=peerjs,telehealthd
source "$here/bench_common.sh"

signaling_option() {
  case "$1" in
    --servers) servers="$2"; bench_taken=2 ;;
    --seconds) driver_args+=(--seconds "$2"); bench_taken=2 ;;
  esac
}
bench_parse_options signaling_option "$@"

bash "$source_dir/.ci/install-bench-deps.sh"
bench_build_if_missing "$build_dir/daemon/telehealthd" telehealthd
bench_build_if_missing "$build_dir/tests/bench/th_signal_bench" th_signal_bench

results="$(mktemp -d /tmp/th-signal-bench-results.XXXXXX)"
bench_print_header "th_signal_bench: $build_dir/tests/bench/th_signal_bench" \
  "$0 --servers $servers ${driver_args[*]:+-- ${driver_args[*]}}"
bench_require_cores th_signal_bench
bench_raise_priority

TH_BINARY_DIR="$build_dir" TH_SOURCE_DIR="$source_dir" \
  python3 "$here/signaling_bench.py" --bench "$build_dir/tests/bench/th_signal_bench" \
  --servers "$servers" --output "$results" "${driver_args[@]}"

python3 "$here/signaling_summary.py" "$results"
echo "figures in $results"
