#!/usr/bin/env bash
# Installs every Debian package the project builds and tests with, and any
# packages named as arguments (.ci/install-bench-deps.sh names the
# benchmarks' tools), skipping those already present. Safe to run
# repeatedly; needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config clang-format
  libpoco-dev libsoci-dev libboost-dev libcli11-dev libspdlog-dev libtomlplusplus-dev
  libssl-dev libsqlite3-dev libpq-dev libsystemd-dev libargon2-dev libgtest-dev
  libcctz-dev tzdata
  # tests
  postgresql postgresql-contrib sqlite3 python3 openssl mandoc groff-base zsh fish
  systemd procps
  # tests of reminders: a real SMTP server with STARTTLS, and an independent
  # iCalendar parser for the feeds
  python3-aiosmtpd python3-icalendar
  # the browser client's end-to-end test (tests/browser): Debian's Chromium,
  # driven by playwright-core from npm (installed below, never a browser
  # download)
  chromium
  "$@"
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The browser test's npm packages, exactly as the lockfile pins them; done
# again only when the lockfile changed since the last install.
browser_dir="$(dirname "$0")/../tests/browser"
if ! command -v npm >/dev/null; then
  echo "install-deps: npm (Node.js 20 or later) is needed for tests/browser" >&2
  exit 1
fi
stamp="$browser_dir/node_modules/.installed-from-lockfile"
if ! cmp -s "$browser_dir/package-lock.json" "$stamp"; then
  echo "install-deps: npm ci in tests/browser"
  (cd "$browser_dir" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$browser_dir/package-lock.json" "$stamp"
fi
