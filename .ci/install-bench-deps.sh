#!/usr/bin/env bash
# Installs what the benchmarks in tests/bench/ run with, beyond what the
# build and the tests need: wrk (the HTTP load generator), nginx (the
# static-file reference), pgbench (shipped with the PostgreSQL server
# package), taskset and perf, Node.js, and the PeerJS signaling server
# (npm package `peer`, installed with `npm ci` at the versions of
# tests/bench/peerjs/package-lock.json). The bench scripts call it before
# they start; like .ci/install-deps.sh, which it extends, it installs only
# what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/install-deps.sh wrk nginx postgresql postgresql-contrib postgresql-common \
  util-linux procps openssl python3 linux-perf nodejs
if [[ ! -x tests/bench/peerjs/node_modules/.bin/peerjs ]]; then
  echo "install-bench-deps: npm ci in tests/bench/peerjs"
  npm ci --prefix tests/bench/peerjs --no-audit --no-fund
fi
