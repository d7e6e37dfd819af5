#!/usr/bin/env bash
# Fails when a C++ file differs from what .clang-format would make of it.
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files '*.cc' '*.h' | xargs clang-format --dry-run -Werror
