#!/usr/bin/env bash
# Installs what the benchmarks in tests/bench/ run with, beyond what the
# build and the tests need: wrk (the HTTP load generator), nginx (the
# static-file reference), pgbench (shipped with the PostgreSQL server
# package), taskset and perf. The bench scripts call it before they start;
# like .ci/install-deps.sh, which it extends, it installs only what is
# missing.
set -euo pipefail
cd "$(dirname "$0")/.."

exec bash .ci/install-deps.sh wrk nginx postgresql postgresql-contrib postgresql-common \
  util-linux procps openssl python3 linux-perf
