#!/usr/bin/env bash
# The whole test suite, on a fresh Debian 12 machine: installs what is
# missing, builds with warnings as errors and AddressSanitizer plus
# UndefinedBehaviorSanitizer, runs every test against SQLite, then starts a
# throwaway PostgreSQL cluster (pg_virtualenv: a temporary folder and port,
# removed afterwards) and runs every test again against it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/install-deps.sh
export BUILD_DIR="${BUILD_DIR:-build-ci}"
bash .ci/build.sh -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTH_WERROR=ON \
  -DTH_SANITIZE=address,undefined

bash .ci/check-format.sh

# Poco keeps a few singletons alive until exit on purpose; everything else
# must be leak-free.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

echo "== tests on SQLite =="
TH_TEST_BACKEND=sqlite ctest --test-dir "$BUILD_DIR" --output-on-failure -j 2

echo "== tests on PostgreSQL =="
pg_virtualenv -- env TH_TEST_BACKEND=postgresql \
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j 2
