import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/tmp.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { openVault } from '../../../src/store/index.js';
import { snapshotHolds } from '../../../src/store/snapshots.js';
import { extractInProcess } from '../extract/harness.js';

/**
 * `export` of the simulator's default dataset (2,000 dashboards, 1,500 looks, …): one file per
 * item, a second export changes nothing in git, a change in Looker changes that item's file
 * (and the manifest's line for it), and files the export did not write are never touched.
 */

const cli = (args: string[]) => runCli(args, { env: { NODE_ENV: 'production' } });

let sim: RunningSimulator;
let dir: string;
let cleanup: () => void;
let db: string;
let tree: string;

interface Manifest {
  source: string;
  items: { path: string; type: string; id: string; hash: string; trashed?: boolean }[];
}

const manifestOf = (root: string): Manifest =>
  JSON.parse(readFileSync(path.join(root, 'lookervault-manifest.json'), 'utf8')) as Manifest;

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.parentPath.split(path.sep).includes('.git'))
    .map((entry) =>
      path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'),
    )
    .sort();
}

function snapshotKeys(snapshotId: number): string[] {
  const vault = openVault(db, { readonly: true });
  try {
    return vault.db
      .prepare<[], { key: string }>(
        `SELECT v.content_type || ':' || v.item_id AS key FROM item_versions v
          WHERE ${snapshotHolds(snapshotId)}`,
      )
      .all()
      .map((row) => row.key)
      .sort();
  } finally {
    vault.close();
  }
}

const git = (args: string[]): string =>
  execFileSync('git', ['-C', tree, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  });

beforeAll(async () => {
  ({ dir, cleanup } = makeTempDir('lookervault-export-'));
  db = path.join(dir, 'looker.db');
  tree = path.join(dir, 'tree');
  sim = await startSimulator({ seed: 3 });
  await extractInProcess(sim, db, { batchSize: 100, timeoutMs: 60_000 });
}, 120_000);

afterAll(async () => {
  await sim.close();
  cleanup();
});

describe('lookervault export', () => {
  it('writes one file per item of the snapshot, each the stored item, listed by the manifest', async () => {
    const result = await cli(['export', tree, '--db', db, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { items: number; created: number };
    const keys = snapshotKeys(1);
    expect(keys.length).toBeGreaterThan(4_000);
    expect(summary).toMatchObject({ items: keys.length, created: keys.length });

    const manifest = manifestOf(tree);
    expect(manifest.items.map((e) => `${e.type}:${e.id}`).sort()).toEqual(keys);
    const files = filesUnder(tree);
    expect(files).toHaveLength(keys.length + 1);
    expect(files).toEqual(
      [...manifest.items.map((e) => e.path), 'lookervault-manifest.json'].sort(),
    );
    // Every file is its item as stored: the same JSON as `show` (whose --raw is the stored text).
    const dashboard = manifest.items.find((e) => e.type === 'dashboard' && /^\d+$/.test(e.id));
    const look = manifest.items.find((e) => e.type === 'look');
    for (const entry of [dashboard, look]) {
      if (!entry) throw new Error('no entry');
      const shown = await cli(['show', entry.type, entry.id, '--db', db, '--raw']);
      expect(JSON.parse(readFileSync(path.join(tree, entry.path), 'utf8'))).toEqual(
        JSON.parse(shown.stdout),
      );
    }
    expect(dashboard?.path).toMatch(/^(Shared|Users)\/.+\/dashboards\/[^/]+\.json$/);
    expect(look?.path).toMatch(/\/looks\/\d+-[^/]*\.json$/);
    expect(files.some((file) => file.startsWith('_users/'))).toBe(true);
  });

  it('a second export changes nothing; a file that is not ours is left alone', async () => {
    writeFileSync(path.join(tree, 'README.md'), '# our Looker content\n');
    git(['init', '-q']);
    git(['add', '-A']);
    git(['commit', '-qm', 'export 1']);
    const again = await cli(['export', tree, '--db', db]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/nothing changed/);
    expect(git(['status', '--porcelain'])).toBe('');
    expect(readFileSync(path.join(tree, 'README.md'), 'utf8')).toBe('# our Looker content\n');
  });

  it('after a change in Looker, only the changed item’s file, the deleted one’s and the manifest change', async () => {
    const manifest = manifestOf(tree);
    const live = sim.dataset.ids('dashboard').filter((id) => /^\d+$/.test(id));
    const [edited, deleted] = [live[7] as string, live[8] as string];
    sim.applyMutations([
      { action: 'update', type: 'dashboard', id: edited },
      { action: 'delete', type: 'dashboard', id: deleted },
    ]);
    await extractInProcess(sim, db, { batchSize: 100, timeoutMs: 60_000 });
    const result = await cli(['export', tree, '--db', db]);
    expect(result.code).toBe(0);
    const pathOf = (id: string) =>
      manifest.items.find((e) => e.type === 'dashboard' && e.id === id)?.path ?? '?';
    // -z: paths as they are (git quotes those with spaces otherwise).
    expect(git(['status', '--porcelain', '-z']).split('\0').filter(Boolean).sort()).toEqual(
      [` D ${pathOf(deleted)}`, ` M ${pathOf(edited)}`, ' M lookervault-manifest.json'].sort(),
    );
  });

  it('never overwrites a file it did not write: a usage error before anything is written', async () => {
    const other = path.join(dir, 'other');
    const manifest = manifestOf(tree);
    const taken = manifest.items.find((e) => e.type === 'dashboard')?.path as string;
    mkdirSync(path.dirname(path.join(other, taken)), { recursive: true });
    writeFileSync(path.join(other, taken), 'mine\n');
    const result = await cli(['export', other, '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is in the way: it is not from an earlier export\nHint: /);
    expect(readFileSync(path.join(other, taken), 'utf8')).toBe('mine\n');
    expect(filesUnder(other)).toEqual([taken]);
  });

  it('YAML, a folder scope and a type filter', async () => {
    const yaml = path.join(dir, 'yaml');
    const result = await cli([
      'export',
      yaml,
      '--db',
      db,
      '--format',
      'yaml',
      '-t',
      'groups,roles',
    ]);
    expect(result.code).toBe(0);
    const manifest = manifestOf(yaml);
    expect(new Set(manifest.items.map((e) => e.type))).toEqual(new Set(['group', 'role']));
    expect(manifest.items.every((e) => /^_(groups|roles)\/[^/]+\.yaml$/.test(e.path))).toBe(true);

    const scoped = path.join(dir, 'scoped');
    const shared = manifestOf(tree).items.find(
      (e) => e.type === 'folder' && /^Shared\/[^/]+\/_folder\.json$/.test(e.path),
    );
    const folderPath = shared?.path.replace(/\/_folder\.json$/, '') as string;
    const scopedRun = await cli(['export', scoped, '--db', db, '--folders', folderPath]);
    expect(scopedRun.code).toBe(0);
    const items = manifestOf(scoped).items;
    expect(items.length).toBeGreaterThan(1);
    expect(
      items
        .filter((e) => e.type !== 'scheduled_plan')
        .every((e) => e.path.startsWith(`${folderPath}/`)),
    ).toBe(true);
    expect(new Set(items.map((e) => e.type)).has('user')).toBe(false);
  });

  it('bad input is one line and exit 2', async () => {
    for (const args of [
      ['export', path.join(dir, 'x'), '--db', db, '--snapshot', '9'],
      ['export', path.join(dir, 'x'), '--db', db, '--folders', 'Shared/Nowhere'],
      ['export', path.join(dir, 'x'), '--db', db, '-t', 'widgets'],
      ['export', path.join(dir, 'x'), '--db', db, '--format', 'xml'],
      ['export', path.join(tree, 'README.md'), '--db', db],
    ]) {
      const result = await cli(args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
