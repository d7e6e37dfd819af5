# Shared by the run_*_benchmark.sh drivers (sourced, not run): their common
# options, the build of what they measure, the lines every report starts
# with, and the scheduling priority of the run. Each driver sets
# source_dir and build_dir before it sources this file.

driver_args=()

# Parses the options every driver takes (--build-dir DIR, and -- followed by
# options for the Python driver, kept in driver_args), handing anything else
# to the driver's own function: `bench_parse_options HANDLER "$@"`. HANDLER
# is called with the remaining arguments and sets bench_taken to how many
# it used (0: not its option).
bench_parse_options() {
  local handler="$1"
  shift
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --build-dir) build_dir="$(cd "$2" && pwd)"; shift 2 ;;
      --) shift; driver_args+=("$@"); return ;;
      *)
        bench_taken=0
        "$handler" "$@"
        if [[ "$bench_taken" -eq 0 ]]; then
          echo "unknown option: $1" >&2
          exit 2
        fi
        shift "$bench_taken" ;;
    esac
  done
}

# Builds TARGET into build_dir (Release, benchmarks on) unless FILE exists:
# `bench_build_if_missing FILE TARGET...`.
bench_build_if_missing() {
  local file="$1"
  shift
  if [[ ! -x "$file" ]]; then
    echo "building $* in $build_dir (Release)"
    cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DTH_BUILD_TESTS=OFF -DTH_BENCHMARKS=ON >/dev/null
    cmake --build "$build_dir" --target "$@"
  fi
}

# The lines a report starts with: what was measured, the machine and its
# load, and the command.
bench_print_header() {
  local program="$1"
  shift
  local build_type
  build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)"
  echo "$program (build type: ${build_type:-unknown})"
  echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
    "load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "command: $*"
}

# Stops unless there are two cores for the server under test (core 0) and
# CLIENT, the load generator (core 1), and says so: `bench_require_cores CLIENT`.
bench_require_cores() {
  if [[ "$(nproc)" -lt 2 ]]; then
    echo "needs 2 cores (server on core 0, $1 on core 1); this machine has $(nproc)" >&2
    exit 1
  fi
  echo "pinning: server under test on core 0, $1 on core 1 (taskset)"
}

# The kernel shares CPU time fairly between sessions (autogroups) before it
# looks at nice values, so on a machine where other sessions are busy the
# server under test gets a small slice of its core whatever its own nice
# value. As root this raises the priority of the run's own session group
# for the length of the run (TH_BENCH_NICE, default -10; 0 leaves it alone)
# and puts it back on exit.
bench_raise_priority() {
  local nice="${TH_BENCH_NICE:--10}"
  if [[ "$nice" != 0 && -w /proc/self/autogroup ]]; then
    bench_previous_nice="$(awk '{print $NF}' /proc/self/autogroup)"
    trap 'echo "$bench_previous_nice" > /proc/self/autogroup' EXIT
    echo "$nice" > /proc/self/autogroup &&
      echo "scheduling: this session's autogroup at nice $nice for the run"
  fi
}
