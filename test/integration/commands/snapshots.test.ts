import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openDatabase } from '../../../src/store/sqlite.js';
import { copyFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { runCli } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/tmp.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { SMALL_COUNTS, extractInProcess } from '../extract/harness.js';

/** The installed CLI's view (see status.test.ts for why NODE_ENV is set). */
const cli = (args: string[]) => runCli(args, { env: { TZ: 'UTC', NODE_ENV: 'production' } });

let sim: RunningSimulator;
let dir: string;
let cleanup: () => void;
/** A backup with three snapshots: full, then two incremental runs with known changes. */
let db: string;

beforeAll(async () => {
  ({ dir, cleanup } = makeTempDir('lookervault-snapshots-'));
  db = path.join(dir, 'looker.db');
  sim = await startSimulator({ counts: SMALL_COUNTS });
  await extractInProcess(sim, db);
  sim.applyMutations([
    { action: 'update', type: 'dashboard', id: '5' },
    { action: 'trash', type: 'look', id: '9' },
  ]);
  await extractInProcess(sim, db);
  sim.applyMutations([
    { action: 'update', type: 'dashboard', id: '5' },
    { action: 'delete', type: 'dashboard', id: '8' },
  ]);
  await extractInProcess(sim, db);
});

afterAll(async () => {
  await sim.close();
  cleanup();
});

/** A copy of the three-snapshot backup, for commands that change it. */
function copyOfDb(name: string): string {
  const copy = path.join(dir, name);
  copyFileSync(db, copy);
  return copy;
}

describe('snapshots, history, show', () => {
  it('snapshots lists each finished run with its kind and counts (table and --json)', async () => {
    const table = await cli(['snapshots', '--db', db]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+Time \(UTC\)\s+Status\s+Kind/m);
    expect(table.stdout).toMatch(/^\s*1\s.*success\s+full\s+all\s/m);
    expect(table.stdout).toMatch(/^\s*3\s.*success\s+incremental\s+all\s/m);
    expect(table.stdout).toContain('3 snapshots in');

    const json = await cli(['snapshots', '--db', db, '--json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      snapshots: { id: number; changed: number; deleted: number; incremental: boolean }[];
    };
    expect(parsed.snapshots.map((s) => [s.id, s.incremental, s.deleted])).toEqual([
      [1, false, 0],
      [2, true, 0],
      [3, true, 1],
    ]);
    expect(parsed.snapshots[1]?.changed).toBe(2);
  });

  it('history shows each version of an item and why it ended', async () => {
    const result = await cli(['history', 'dashboard', '5', '--db', db, '--json']);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as {
      versions: { fromRun: number; toRun: number | null; change: string; hash: string }[];
    };
    expect(parsed.versions.map((v) => [v.fromRun, v.toRun, v.change])).toEqual([
      [1, 2, 'new'],
      [2, 3, 'changed'],
      [3, null, 'changed'],
    ]);
    const trashed = await cli(['history', 'looks', '9', '--db', db]);
    expect(trashed.stdout).toMatch(/^\s*2\s.*current\s+trashed\s/m);
    const deleted = await cli(['history', 'dashboard', '8', '--db', db]);
    expect(deleted.stdout).toMatch(/^\s*1\s.*deleted in 3\s+new\s/m);
  });

  it('show prints a version as a snapshot held it: piped, the stored text whose hash history shows; --pretty indented', async () => {
    const history = JSON.parse(
      (await cli(['history', 'dashboard', '5', '--db', db, '--json'])).stdout,
    ) as { versions: { hash: string }[] };
    const raw = await cli(['show', 'dashboard', '5', '--snapshot', '1', '--raw', '--db', db]);
    expect(raw.code).toBe(0);
    const text = raw.stdout.replace(/\n$/, '');
    expect(createHash('sha256').update(text).digest('hex')).toBe(history.versions[0]?.hash);
    // Piped (as here) the default is the canonical text too.
    const piped = await cli(['show', 'dashboard', '5', '--snapshot', '1', '--db', db]);
    expect(piped.stdout).toBe(raw.stdout);
    const pretty = await cli(['show', 'dashboard', '5', '--pretty', '--db', db]);
    expect(pretty.stdout.split('\n')[1]).toMatch(/^ {2}"/);
    expect(JSON.parse(pretty.stdout)).toMatchObject({
      id: '5',
      title: expect.stringContaining('(edited 2)'),
    });

    // A deleted dashboard is still there as snapshot 2 held it, and absent from snapshot 3.
    expect((await cli(['show', 'dashboard', '8', '--snapshot', '2', '--db', db])).code).toBe(0);
    const absent = await cli(['show', 'dashboard', '8', '--snapshot', '3', '--db', db]);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toContain('Snapshot 3 holds no dashboard with id 8');
    expect(absent.stderr).toContain('Hint:');
  });

  it('bad input is one line and exit 2, with a hint', async () => {
    for (const args of [
      ['show', 'widget', '1'],
      ['show', 'dashboard', '5', '--snapshot', '9'],
      ['history', 'dashboard', '424242'],
      ['show', 'dashboard', '5', '--snapshot', 'x'],
    ]) {
      const result = await cli([...args, '--db', db]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^Error: .+\nHint: .+/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('forget and prune', () => {
  it('refuses requests that would remove nothing sensible, and changes nothing', async () => {
    const copy = copyOfDb('refuse.db');
    const before = statSync(copy).mtimeMs;
    for (const args of [
      ['forget'],
      ['forget', '3'],
      ['forget', '7'],
      ['forget', '1', '--keep-last', '1'],
    ]) {
      const result = await cli([...args, '--db', copy]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^Error: .+\nHint: .+/);
    }
    const snapshots = JSON.parse((await cli(['snapshots', '--db', copy, '--json'])).stdout) as {
      snapshots: unknown[];
    };
    expect(snapshots.snapshots).toHaveLength(3);
    expect(statSync(copy).mtimeMs).toBeGreaterThanOrEqual(before);
  });

  it('--dry-run shows the decision and removes nothing; then forget --prune deletes what only forgotten snapshots held', async () => {
    const copy = copyOfDb('forget.db');
    const dry = await cli(['forget', '--keep-last', '1', '--dry-run', '--db', copy, '--json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      dryRun: true,
      keep: [{ id: 3, reasons: ['last snapshot'] }],
      remove: [{ id: 2 }, { id: 1 }],
    });
    const listed = JSON.parse((await cli(['snapshots', '--db', copy, '--json'])).stdout) as {
      snapshots: unknown[];
    };
    expect(listed.snapshots).toHaveLength(3);

    const done = await cli(['forget', '--keep-last', '1', '--prune', '--db', copy, '--json']);
    expect(done.code).toBe(0);
    const result = JSON.parse(done.stdout) as {
      prune: { versionsRemoved: number; vacuumed: boolean };
    };
    // dashboard 5's first two versions, look 9 before the trash, dashboard 8 (deleted in 3).
    expect(result.prune.versionsRemoved).toBe(4);
    expect(result.prune.vacuumed).toBe(true);

    const history = await cli(['history', 'dashboard', '5', '--db', copy, '--json']);
    expect((JSON.parse(history.stdout) as { versions: unknown[] }).versions).toHaveLength(1);
    expect((await cli(['history', 'dashboard', '8', '--db', copy])).code).toBe(2);
    const check = openDatabase(copy, { readonly: true });
    try {
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      // No content is left that no version refers to.
      expect(
        check
          .prepare(
            'SELECT count(*) FROM contents WHERE id NOT IN (SELECT content_id FROM item_versions)',
          )
          .pluck()
          .get(),
      ).toBe(0);
    } finally {
      check.close();
    }
    // A second prune finds nothing.
    const again = await cli(['prune', '--db', copy, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ versionsRemoved: 0, contentsRemoved: 0 });
  });
});
