#!/usr/bin/env bash
# Proves the published shape works the way a user runs it: `npm pack`, then `npx` on the
# tarball in an empty directory (npm installs the dependencies from the registry, as for
# `npx lookervault`), then a real backup against the simulator the package ships.
# Slow (installs and, without prebuilt binaries, compiles better-sqlite3 unless npm_config_omit
# includes optional): not part of npm test. No warning may reach the user's stderr (Node 22
# announces node:sqlite as experimental unless lookervault silences it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
# The simulator runs in its own process group (npx does not pass signals on to its child).
trap 'rm -rf "$work"; [ -n "${sim_pid:-}" ] && kill -- "-$sim_pid" 2>/dev/null || true' EXIT

cd "$root"
npm run build >/dev/null
tarball="$(npm pack --ignore-scripts --silent --pack-destination "$work" | tail -n 1)"
cd "$work"
echo "== npx ./$tarball --help (installs it; omit=${npm_config_omit:-none})"
started=$(date +%s)
npx --yes "./$tarball" --help >/dev/null
echo "installed and ran in $(($(date +%s) - started)) s"
npx --yes "./$tarball" --help
echo "== npx ./$tarball sim --json (in the background)"
setsid npx --yes "./$tarball" sim --json --dashboards 200 --looks 100 > sim.json &
sim_pid=$!
for _ in $(seq 1 100); do [ -s sim.json ] && break; sleep 0.2; done
url="$(node -p 'JSON.parse(require("fs").readFileSync("sim.json","utf8").split("\n")[0]).url')"
echo "== npx ./$tarball extract against $url"
LOOKERSDK_BASE_URL="$url" LOOKERSDK_CLIENT_ID=sim-client-id LOOKERSDK_CLIENT_SECRET=sim-client-secret \
  npx --yes "./$tarball" extract --db "$work/looker.db" --no-progress 2> extract.err
cat extract.err
if grep -q "Warning" extract.err; then
  echo "a warning reached stderr" >&2
  exit 1
fi
echo "== ok"
echo "== npm i ./$tarball in a new project, then import('lookervault') against the simulator"
mkdir "$work/project"
cd "$work/project"
npm init -y >/dev/null
# npm 11 runs no install script unless the project approves it: better-sqlite3 builds in one.
npm pkg set allowScripts.better-sqlite3=true --json
npm i --no-audit --no-fund "../$tarball" >/dev/null
node --input-type=module -e "
import { extract, openBackup } from 'lookervault';
const summary = await extract({
  db: 'library.db',
  connection: { baseUrl: '$url', clientId: 'sim-client-id', clientSecret: 'sim-client-secret' },
  types: ['dashboard', 'look'],
});
const backup = openBackup('library.db');
const items = backup.contents().reduce((n, c) => n + c.items, 0);
backup.close();
console.log('library:', summary.status, items, 'items');
if (summary.status !== 'success' || items < 250) process.exit(1);
"
echo "== ok (library)"
