#!/usr/bin/env bash
# The whole test suite, on a fresh Debian 12 machine: installs what is
# missing, builds with warnings as errors, runs every test against SQLite,
# then starts a throwaway PostgreSQL cluster (pg_virtualenv: a temporary
# folder and port, removed afterwards) and runs every test again against it.
# Finally every test runs once more, on SQLite, in a build with
# AddressSanitizer and UndefinedBehaviorSanitizer (.ci/sanitize.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/install-deps.sh
bash .ci/check-format.sh

export BUILD_DIR="${BUILD_DIR:-build-ci}"
# Optimized as released, with line tables only (-g1): backtraces keep their
# file and line, and the build is a quarter faster than with full -g.
bash .ci/build.sh -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTH_WERROR=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"

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

echo "== all tests under AddressSanitizer and UndefinedBehaviorSanitizer, on SQLite =="
BUILD_DIR="${BUILD_DIR}-sanitize" bash .ci/sanitize.sh
