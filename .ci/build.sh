#!/usr/bin/env bash
# Configures and builds into BUILD_DIR (default build/). Extra arguments go to
# the CMake configure step, e.g. -DTH_SANITIZE=address,undefined.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -G Ninja "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
