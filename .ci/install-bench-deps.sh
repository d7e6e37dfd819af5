#!/usr/bin/env bash
# Installs what the benchmarks in tests/bench/ run with, beyond what
# .ci/install-deps.sh installs for building and testing: wrk (the HTTP load
# generator), nginx (the static-file reference), pgbench (shipped with the
# PostgreSQL server package), taskset and perf. Skips packages already
# present; safe to run repeatedly; needs root (or sudo) only when something
# is missing. The bench scripts call it before they start.
set -euo pipefail

packages=(
  wrk nginx
  postgresql postgresql-contrib postgresql-common
  util-linux procps openssl python3
  linux-perf
)

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for package in "${packages[@]}"; do
  if ! installed "$package"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-bench-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
