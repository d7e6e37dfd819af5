#!/usr/bin/env bash
# The whole test suite on SQLite in a build with AddressSanitizer and
# UndefinedBehaviorSanitizer (-DTH_SANITIZE=address,undefined): the unit
# tests, and the integration tests against the instrumented telehealthd and
# thctl. Every instrumented process writes its reports into one folder, so a
# finding fails the run even where a test does not look at exit codes (a
# leak found when a daemon exits after its test has passed, say). Installs
# what is missing first, like .ci/test.sh; BUILD_DIR names the build folder
# (default build-sanitize).
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/install-deps.sh
sanitize_dir="${BUILD_DIR:-build-sanitize}"
# -Og -g1: the instrumented code is compiled with light optimization and
# line tables only. Reports keep their file and line, and the build takes a
# third of the time of -O2 -g, where the instrumentation makes the optimizer
# and the debug info several times more expensive than in a plain build.
cmake -S . -B "$sanitize_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTH_WERROR=ON \
  -DCMAKE_CXX_FLAGS_DEBUG="-Og -g1" -DTH_SANITIZE=address,undefined >/dev/null
cmake --build "$sanitize_dir" -j "$(nproc)"

reports="$(mktemp -d)"
# Daemons some tests start under another user must be able to write here too.
chmod 1777 "$reports"
status=0
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$reports/asan" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan" \
  TH_TEST_BACKEND=sqlite ctest --test-dir "$sanitize_dir" --output-on-failure -j 2 || status=$?
if compgen -G "$reports/*" >/dev/null; then
  echo "sanitizer reports:"
  cat "$reports"/*
  status=1
fi
rm -rf "$reports"
exit "$status"
