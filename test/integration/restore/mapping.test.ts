import { describe, expect, it } from '@jest/globals';
import { openDatabase } from '../../../src/store/sqlite.js';
import { extractInProcess, simulator, tempDb } from '../extract/harness.js';
import { NO_CONTENT, idMap, restoreInProcess } from './harness.js';

describe('the id mapping', () => {
  it('is not trusted once the mapped id holds another item (an instance rebuilt at the same URL)', async () => {
    const a = await simulator({ seed: 9 });
    const b = await simulator({ seed: 9, empty: true, counts: NO_CONTENT });
    const db = tempDb();
    await extractInProcess(a, db);
    const options = {
      otherInstance: true,
      types: ['folder' as const, 'look' as const, 'dashboard' as const],
    };
    const first = await restoreInProcess(db, b, options);
    const failed = new Set((first.summary?.failures ?? []).map((f) => `${f.type}:${f.id}`));
    const mapping = idMap(db);
    const [one, two] = [...mapping.entries()]
      .filter(([key]) => key.startsWith('dashboard:') && !key.includes('::'))
      .slice(0, 2) as [[string, string], [string, string]];
    // Dashboard `one` now "maps" to the item that stands for `two`, as if that id had been
    // reused for another dashboard; its recorded created_at is still its own.
    const file = openDatabase(db);
    file
      .prepare('UPDATE id_map SET target_id = ? WHERE content_type = ? AND source_id = ?')
      .run(two[1], 'dashboard', one[0].slice('dashboard:'.length));
    file.close();
    const createdAtOf = (id: string) =>
      (b.dataset.get('dashboard', id) as { created_at: string }).created_at;
    // The simulator stamps items with the clock: make sure the two differ for this test.
    expect(createdAtOf(one[1]) === createdAtOf(two[1])).toBe(false);

    const plan = await restoreInProcess(db, b, { ...options, dryRun: true });
    const item = plan.plan.items.find((i) => `${i.type}:${i.sourceId}` === one[0]);
    // Matched again by its slug: the right dashboard, identical, nothing to write.
    expect({ target: item?.targetId, action: item?.action }).toEqual({
      target: one[1],
      action: 'skip',
    });
    expect(plan.plan.warnings.join('\n')).toContain(
      `${one[0].replace(':', ' ')} was mapped to ${two[1]}`,
    );
    // Nothing else changes: only what the first restore could not do is planned again.
    expect(
      plan.plan.items
        .filter((i) => i.action !== 'skip')
        .map((i) => `${i.type}:${i.sourceId}`)
        .filter((key) => !failed.has(key)),
    ).toEqual([]);
  });
});
