#!/usr/bin/env bash
# `make run`: start the gateway on the embedded SQLite default (./data/llmgate.db).
# The first start creates an admin key and prints it; later starts print it from
# ./data/admin.key when that file exists. Settings come from LLMGATE_* variables.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/release/llmgate}
data_dir=./data
if [[ -z "${LLMGATE_ADMIN_KEY:-}" && -f "$data_dir/admin.key" ]]; then
  echo "llmgate: admin key (from $data_dir/admin.key): $(cat "$data_dir/admin.key")" >&2
fi
exec "$binary" serve "${@:2}"
