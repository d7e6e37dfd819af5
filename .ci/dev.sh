#!/usr/bin/env bash
# Development instance in one command: installs what is missing, builds, and
# runs telehealthd in the foreground on SQLite, with everything it keeps in
# ./state (database, self-signed certificate, admin socket).
#   bash .ci/dev.sh [--listen 127.0.0.1:8443] [--state-dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/install-deps.sh
BUILD_DIR="${BUILD_DIR:-build}" bash .ci/build.sh -DCMAKE_BUILD_TYPE=RelWithDebInfo
build_dir="${BUILD_DIR:-build}"

state_dir="state"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[$i]}" = "--state-dir" ]; then
    state_dir="${args[$((i + 1))]}"
  fi
done
if [[ " ${args[*]} " != *" --state-dir "* ]]; then
  args+=(--state-dir "$state_dir")
fi

cat <<EOT
telehealthd is starting in development mode; in another terminal:
  $build_dir/cli/thctl --socket $state_dir/admin.sock status
Stop it with Ctrl-C.
EOT
exec "$build_dir/daemon/telehealthd" --dev "${args[@]}"
