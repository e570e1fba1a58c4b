#!/usr/bin/env bash
# `npm run test:stress`: the whole Jest suite on a machine that is busy, to catch tests whose
# outcome depends on how fast the machine is. Three runs beside two CPU hogs (busy loops, one
# per core here), then three runs pinned to one core (`taskset -c 0`). Any failure fails it.
#
#   bash scripts/test-stress.sh [runs]      (default 3 of each; build first: npm run build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
hogs=()
stop_hogs() {
  for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; done
  hogs=()
}
trap stop_hogs EXIT

jest() {
  NODE_OPTIONS=--experimental-vm-modules npx jest --silent 2>&1 | tail -n 5
  return "${PIPESTATUS[0]}"
}

for i in $(seq 1 "$runs"); do
  echo "== run $i of $runs beside two CPU hogs"
  sh -c 'while :; do :; done' & hogs+=($!)
  sh -c 'while :; do :; done' & hogs+=($!)
  jest
  stop_hogs
done

if command -v taskset >/dev/null; then
  for i in $(seq 1 "$runs"); do
    echo "== run $i of $runs on one core (taskset -c 0)"
    NODE_OPTIONS=--experimental-vm-modules taskset -c 0 npx jest --silent 2>&1 | tail -n 5
    [ "${PIPESTATUS[0]}" -eq 0 ]
  done
else
  echo "taskset not found: skipped the one-core runs" >&2
fi
echo "== stress: all runs passed"
