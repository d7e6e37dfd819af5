#!/usr/bin/env bash
# The whole test suite, on a fresh Debian 12 machine: installs what is
# missing, builds with warnings as errors, runs every test against SQLite,
# then starts a throwaway PostgreSQL cluster (pg_virtualenv: a temporary
# folder and port, removed afterwards) and runs every test again against it.
# Finally the library's unit tests run once more in a build with
# AddressSanitizer and UndefinedBehaviorSanitizer (-DTH_SANITIZE).
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/install-deps.sh
bash .ci/check-format.sh

export BUILD_DIR="${BUILD_DIR:-build-ci}"
bash .ci/build.sh -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTH_WERROR=ON

echo "== tests on SQLite =="
TH_TEST_BACKEND=sqlite ctest --test-dir "$BUILD_DIR" --output-on-failure -j 2

echo "== tests on PostgreSQL =="
# pg_virtualenv refuses to start when a "regress" cluster already exists. One
# it created itself (it leaves a marker file) and failed to remove, because an
# earlier run was killed, is dropped here with its marker; any other is left
# alone.
for marker in /etc/postgresql/*/regress/.by_pg_virtualenv; do
  [ -e "$marker" ] || continue
  version="$(basename "$(dirname "$(dirname "$marker")")")"
  echo "dropping the stale throwaway cluster $version/regress"
  if pg_lsclusters --no-header "$version" regress >/dev/null 2>&1; then
    pg_dropcluster --stop "$version" regress
  fi
  rm -f "$marker"
  rmdir "$(dirname "$marker")" 2>/dev/null || true
done
pg_virtualenv -- env TH_TEST_BACKEND=postgresql \
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j 2

echo "== unit tests under AddressSanitizer and UndefinedBehaviorSanitizer =="
sanitize_dir="${BUILD_DIR}-sanitize"
cmake -S . -B "$sanitize_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTH_WERROR=ON \
  -DTH_SANITIZE=address,undefined >/dev/null
cmake --build "$sanitize_dir" -j "$(nproc)" --target th_unit_tests
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  ctest --test-dir "$sanitize_dir" --output-on-failure -j 2 -L unit
