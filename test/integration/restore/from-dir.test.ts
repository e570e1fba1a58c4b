import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportSnapshot } from '../../../src/export/export.js';
import { readExportedTree } from '../../../src/export/tree-reader.js';
import { openVault } from '../../../src/store/index.js';
import { runCli } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/tmp.js';
import { extractInProcess, onCleanup, simulator, tempDb } from '../extract/harness.js';
import {
  BUILT_IN_CONFIGURATION_ONLY,
  NO_CONTENT,
  actionsByType,
  idMap,
  restoreInProcess,
} from './harness.js';
import { expectRestoredOnce } from './round-trip-check.js';

/**
 * The round trip through git: extract A → export as YAML → `restore --from-dir` into an empty B
 * (the restore and its id mapping recorded in a file of their own) → extract B. B must hold what
 * the restore from the snapshot itself gives (round-trip.test.ts's check), a second restore from
 * the tree writes nothing, and a file edited in the tree (a pull request) is what gets updated.
 */
describe('restore --from-dir: an exported tree into an empty instance', () => {
  it('equals the round trip from the snapshot; again writes nothing; an edited file is updated', async () => {
    const a = await simulator({ seed: 1 });
    const b = await simulator({
      seed: 1,
      empty: true,
      counts: { ...NO_CONTENT, ...BUILT_IN_CONFIGURATION_ONLY },
    });
    const dbA = tempDb();
    const dbB = tempDb();
    const dbT = tempDb();
    openVault(dbT, { create: true, toolVersion: 'test' }).close();
    const { dir, cleanup } = makeTempDir('lookervault-tree-');
    onCleanup(cleanup);
    const tree = path.join(dir, 'tree');
    await extractInProcess(a, dbA);
    const vault = openVault(dbA, { readonly: true });
    try {
      exportSnapshot(vault, {
        directory: tree,
        snapshotId: 1,
        baseUrl: a.url,
        format: 'yaml',
        types: [
          'folder',
          'dashboard',
          'look',
          'board',
          'scheduled_plan',
          'user',
          'group',
          'role',
          'permission_set',
          'model_set',
          'user_attribute',
          'folder_access',
        ],
      });
    } finally {
      vault.close();
    }

    // Read back, every YAML file is exactly the stored item (its hash is the manifest's).
    const read = readExportedTree(tree);
    expect({ edited: read.edited, missing: read.missing }).toEqual({ edited: [], missing: [] });
    const first = await restoreInProcess(dbT, b, { otherInstance: true, fromTree: read });
    expect(first.summary?.status).toMatch(/^(success|partial)$/);
    expect(first.summary?.snapshotId).toBeNull();
    expect(first.summary?.fromDir).toBe(tree);
    await extractInProcess(b, dbB);
    // The mapping lives in the restore's own file, keyed by A as the manifest names it.
    expectRestoredOnce({
      a,
      dbA,
      dbB,
      mapping: idMap(dbT),
      failures: first.summary?.failures ?? [],
    });

    const again = await restoreInProcess(dbT, b, {
      otherInstance: true,
      fromTree: readExportedTree(tree),
      dryRun: true,
    });
    for (const [type, counts] of Object.entries(actionsByType(again.plan))) {
      const failedBefore = (first.summary?.failures ?? []).filter((f) => f.type === type).length;
      expect({ type, writes: (counts.create ?? 0) + (counts.update ?? 0) }).toEqual({
        type,
        writes: failedBefore,
      });
    }

    // Edit one dashboard's title in the tree, as a pull request would: the CLI plans that update.
    const manifest = JSON.parse(
      readFileSync(path.join(tree, 'lookervault-manifest.json'), 'utf8'),
    ) as {
      items: { path: string; type: string; id: string }[];
    };
    const restored = new Set((first.summary?.failures ?? []).map((f) => `${f.type}:${f.id}`));
    const entry = manifest.items.find(
      (e) => e.type === 'dashboard' && /^\d+$/.test(e.id) && !restored.has(`dashboard:${e.id}`),
    ) as { path: string; id: string };
    const file = path.join(tree, entry.path);
    const yaml = readFileSync(file, 'utf8');
    expect(yaml).toMatch(/^title: /m);
    writeFileSync(file, yaml.replace(/^title: (.*)$/m, 'title: Edited in review'));
    const result = await runCli(
      ['restore', '--from-dir', tree, '--db', dbT, '--to-base-url', b.url, '--dry-run', '--json'],
      {
        env: { LOOKERVAULT_TO_CLIENT_ID: b.clientId, LOOKERVAULT_TO_CLIENT_SECRET: b.clientSecret },
      },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as {
      fromDir: string;
      warnings: string[];
      plan: { items: { type: string; id: string; action: string }[] };
    };
    expect(plan.fromDir).toBe(tree);
    expect(plan.warnings.filter((w) => w.includes('since the export'))).toEqual([
      `${entry.path} changed since the export: restored as it is now`,
    ]);
    expect(
      plan.plan.items.filter((i) => i.action === 'update').map((i) => `${i.type}:${i.id}`),
    ).toEqual([`dashboard:${entry.id}`]);
  }, 120_000);

  it('a directory without a manifest, or with a damaged one, is a usage error', async () => {
    const { dir, cleanup } = makeTempDir('lookervault-tree-bad-');
    onCleanup(cleanup);
    const db = path.join(dir, 'map.db');
    // Nothing listens on port 9: the tree is refused before any connection.
    const restoreFromDir = () =>
      runCli(
        [
          'restore',
          '--from-dir',
          dir,
          '--db',
          db,
          '--to-base-url',
          'http://127.0.0.1:9',
          '--dry-run',
        ],
        { env: { LOOKERVAULT_TO_CLIENT_ID: 'x', LOOKERVAULT_TO_CLIENT_SECRET: 'y' } },
      );
    const none = await restoreFromDir();
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/holds no lookervault-manifest.json\nHint: /);
    writeFileSync(
      path.join(dir, 'lookervault-manifest.json'),
      JSON.stringify({
        format: 'lookervault-export',
        version: 1,
        source: 'x',
        fileFormat: 'json',
        items: [{ path: '../etc/passwd', type: 'user', id: '1', hash: '0'.repeat(64) }],
      }),
    );
    const escape = await restoreFromDir();
    expect(escape.code).toBe(2);
    expect(escape.stderr).toMatch(/names a file outside its tree: \.\.\/etc\/passwd/);
  });
});
