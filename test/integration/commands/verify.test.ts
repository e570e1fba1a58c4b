import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openDatabase, type SqlDatabase } from '../../../src/store/sqlite.js';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/tmp.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { SMALL_COUNTS, extractInProcess } from '../extract/harness.js';

const cli = (args: string[]) => runCli(args, { env: { NODE_ENV: 'production' } });

let sim: RunningSimulator;
let dir: string;
let cleanup: () => void;
/** A backup with two snapshots, folded into one file (no WAL beside it). */
let good: string;

const sha256 = (file: string): string =>
  createHash('sha256').update(readFileSync(file)).digest('hex');

/** A copy of the good backup, changed with `damage` through SQL (then folded back into the file). */
function damagedCopy(name: string, damage?: (db: SqlDatabase) => void): string {
  const copy = path.join(dir, name);
  copyFileSync(good, copy);
  if (damage) {
    const db = openDatabase(copy);
    db.pragma('foreign_keys = OFF');
    damage(db);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  }
  return copy;
}

/** Runs `verify --json` and checks the file's bytes are exactly as before. */
async function verify(
  file: string,
): Promise<{ code: number | null; problems: string[]; stderr: string }> {
  const before = sha256(file);
  const result = await cli(['verify', '--db', file, '--json']);
  expect(sha256(file)).toBe(before);
  expect(existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`).length : 0).toBe(0);
  const report = JSON.parse(result.stdout) as {
    problems: Array<{ check: string; message: string }>;
  };
  return {
    code: result.code,
    problems: report.problems.map((problem) => `${problem.check}: ${problem.message}`),
    stderr: result.stderr,
  };
}

beforeAll(async () => {
  ({ dir, cleanup } = makeTempDir('lookervault-verify-'));
  good = path.join(dir, 'good.db');
  sim = await startSimulator({ counts: SMALL_COUNTS });
  await extractInProcess(sim, good);
  sim.applyMutations([{ action: 'update', type: 'dashboard', id: '5' }]);
  await extractInProcess(sim, good);
  const db = openDatabase(good);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
});

afterAll(async () => {
  await sim.close();
  cleanup();
});

describe('lookervault verify', () => {
  it('passes a good file (exit 0) and says what it checked', async () => {
    const { code, problems } = await verify(good);
    expect(problems).toEqual([]);
    expect(code).toBe(0);
    const text = await cli(['verify', '--db', good]);
    expect(text.stdout).toMatch(
      /Verified .*: [\d,]+ contents \(.*\) re-hashed, [\d,]+ versions, 2 snapshots/,
    );
    expect(text.stdout).toContain('No problems found.');
  });

  it('finds one flipped byte inside a stored JSON', async () => {
    const copy = damagedCopy('flipped.db');
    const db = openDatabase(copy, { readonly: true });
    const rows = db
      .prepare<[], { id: number; json: string }>(
        "SELECT c.id, c.json FROM contents c JOIN item_versions v ON v.content_id = c.id WHERE v.content_type = 'dashboard' ORDER BY c.id LIMIT 50",
      )
      .all();
    db.close();
    // A stretch of some JSON that occurs once in the file (free pages may hold old copies of
    // others): flip one of its letters on disk.
    const bytes = readFileSync(copy);
    let id = 0;
    let at = -1;
    let needle = Buffer.alloc(0);
    for (const row of rows) {
      for (let from = 0; from + 40 < row.json.length && at < 0; from += 40) {
        needle = Buffer.from(row.json.slice(from, from + 40), 'utf8');
        const found = bytes.indexOf(needle);
        if (found >= 0 && bytes.indexOf(needle, found + 1) < 0 && needle.includes('"')) {
          at = found;
          id = row.id;
        }
      }
      if (at >= 0) break;
    }
    expect(at).toBeGreaterThan(0);
    const flip = at + needle.indexOf('"') + 1;
    bytes[flip] = (bytes[flip] ?? 0) ^ 0x01;
    writeFileSync(copy, bytes);

    const { code, problems, stderr } = await verify(copy);
    expect(code).toBe(1);
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(`^contents: content ${id}: its SHA-256 is [0-9a-f]{64}, not the stored`),
      ),
    ]);
    expect(stderr).toMatch(/Error: 1 problem found in/);
    expect(stderr).toContain('Hint:');
  });

  it('finds a truncated file', async () => {
    const copy = damagedCopy('truncated.db');
    truncateSync(copy, Math.floor(readFileSync(copy).length / 2));
    const { code, problems } = await verify(copy);
    expect(code).toBe(1);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(/sqlite: .*(malformed|page|corrupt|missing|never used)/i);
  });

  it('finds a deleted content row and a dangling snapshot reference', async () => {
    let contentId = 0;
    const deleted = damagedCopy('deleted-content.db', (db) => {
      contentId =
        db
          .prepare<[], number>('SELECT content_id FROM item_versions ORDER BY id LIMIT 1')
          .pluck()
          .get() ?? 0;
      db.prepare('DELETE FROM contents WHERE id = ?').run(contentId);
    });
    const first = await verify(deleted);
    expect(first.code).toBe(1);
    expect(first.problems).toContainEqual(
      expect.stringMatching(
        new RegExp(`^versions: .*refers to content ${contentId}, which is not in the file`),
      ),
    );

    const dangling = damagedCopy('dangling.db', (db) => {
      db.prepare(
        'UPDATE item_versions SET from_run = 99 WHERE id = (SELECT max(id) FROM item_versions)',
      ).run();
    });
    const second = await verify(dangling);
    expect(second.code).toBe(1);
    expect(second.problems).toContainEqual(
      expect.stringMatching(/^snapshots: version \d+ starts at run 99, which is not in the file/),
    );
  });

  it('--live reports exactly what changed in Looker since the latest snapshot, without content requests', async () => {
    const copy = damagedCopy('live.db');
    const applied = sim.applyMutations([
      { action: 'update', type: 'dashboard', id: '6' },
      { action: 'trash', type: 'look', id: '9' },
      { action: 'delete', type: 'dashboard', id: '8' },
      { action: 'create', type: 'look' },
      { action: 'create', type: 'group' },
      { action: 'delete', type: 'scheduled_plan', id: '4' },
    ]);
    const created = (type: string): string[] =>
      applied
        .filter((entry) => entry.action === 'create' && entry.type === type)
        .map((entry) => entry.id);
    sim.resetStats();
    const result = await runCli(['verify', '--live', '--db', copy, '--json'], {
      env: {
        NODE_ENV: 'production',
        LOOKERSDK_BASE_URL: sim.url,
        LOOKERSDK_CLIENT_ID: sim.clientId,
        LOOKERSDK_CLIENT_SECRET: sim.clientSecret,
      },
    });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      types: Array<{ type: string; new: string[]; changed: string[]; gone: string[] }>;
    };
    const differences = report.types
      .filter((t) => t.new.length + t.changed.length + t.gone.length > 0)
      .map(({ type, new: added, changed, gone }) => ({ type, new: added, changed, gone }));
    expect(differences).toEqual([
      { type: 'dashboard', new: [], changed: ['6'], gone: ['8'] },
      { type: 'look', new: created('look'), changed: ['9'], gone: [] },
      { type: 'group', new: created('group'), changed: [], gone: [] },
      { type: 'scheduled_plan', new: [], changed: [], gone: ['4'] },
    ]);
    // Listings only: no item was fetched by id.
    const byOperation = sim.stats().requests.byOperation;
    for (const detail of [
      'dashboard',
      'look',
      'folder',
      'scheduled_plan',
      'lookml_model_explore',
    ]) {
      expect([detail, byOperation[detail] ?? 0]).toEqual([detail, 0]);
    }
  });

  it('a path that does not exist is a usage error (exit 2), not a finding', async () => {
    const result = await cli(['verify', '--db', path.join(dir, 'nope.db')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/does not exist/);
  });
});
