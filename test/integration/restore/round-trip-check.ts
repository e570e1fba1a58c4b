import { expect } from '@jest/globals';
import { text } from '../../../src/restore/normalize.js';
import { RESTORE_TYPES, type Json, type RestoreType } from '../../../src/restore/types.js';
import type { RunningSimulator } from '../../../src/sim/index.js';
import { comparable, identity, isBuiltIn, isSystemFolder, snapshotItems } from './harness.js';

/**
 * After A was restored into an empty B and B was extracted: every restorable item of A has
 * exactly one counterpart in B, equal in its comparison form (docs/restore.md: ids, server-set
 * timestamps, counters, `can`, urls, owners and slugs left out; references mapped through the
 * id mapping); a failure is allowed only for a reason the data gives (it shows content that was
 * in A's trash, or what it depends on failed for that). Shared by the round trip from a snapshot
 * and the one through an exported tree.
 */
export function expectRestoredOnce(input: {
  a: RunningSimulator;
  dbA: string;
  dbB: string;
  mapping: Map<string, string>;
  failures: readonly { type: string; id: string; error: string }[];
}): void {
  const { a, dbA, dbB, mapping } = input;
  const failures = new Map(input.failures.map((f) => [`${f.type}:${f.id}`, f]));
  // LookML dashboards' copies go to the Shared folder (B's id 1), as documented; a folder's
  // access is its folder's; B is A's twin in people (the same users, by id and email).
  const map = (type: RestoreType | 'user', id: string): string | undefined =>
    type === 'user'
      ? id
      : type === 'folder' && id === 'lookml'
        ? '1'
        : mapping.get(type === 'folder_access' ? `folder:${id}` : `${type}:${id}`);
  const trashedDashboards = new Set([...a.dataset.deletedIds('dashboard')].map(String));
  const trashedLooks = new Set([...a.dataset.deletedIds('look')].map(String));

  for (const type of RESTORE_TYPES) {
    const source = snapshotItems(dbA, type);
    const restored = snapshotItems(dbB, type);
    const counterparts = new Map<string, string>();
    let expected = 0;
    for (const [id, item] of source) {
      if (type === 'folder' && isSystemFolder(item)) continue;
      if (isBuiltIn(type, item)) continue;
      const failure = failures.get(`${type}:${id}`);
      const trash = refersToTrash(type, item, trashedDashboards, trashedLooks);
      if (failure !== undefined) {
        // Allowed only for a reason the data gives: it shows a dashboard or look that was in
        // A's trash (nothing in B can stand for it), or what it depends on failed for that.
        const cause = /^(\w+) (\S+) it depends on was not restored$/.exec(failure.error);
        const explained =
          (trash && /in the trash/.test(failure.error)) ||
          (cause !== null && failures.has(`${cause[1] ?? ''}:${cause[2] ?? ''}`));
        expect({ type, id, error: failure.error, explained }).toEqual({
          type,
          id,
          error: failure.error,
          explained: true,
        });
        continue;
      }
      // Nothing that shows trashed content was written anyway.
      expect({ type, id, trash }).toEqual({ type, id, trash: false });
      expected += 1;
      const targetId = map(type, id);
      expect({ type, id, targetId: targetId !== undefined }).toEqual({
        type,
        id,
        targetId: true,
      });
      const counterpart = restored.get(targetId as string);
      expect({ type, id, found: counterpart !== undefined }).toEqual({ type, id, found: true });
      expect(comparable(type, counterpart as Json, identity)).toEqual(comparable(type, item, map));
      counterparts.set(id, targetId as string);
    }
    // Exactly one counterpart each: no two backed-up items share one, and B holds no extras.
    expect(new Set(counterparts.values()).size).toBe(expected);
    const extras = [...restored.entries()].filter(
      ([id, item]) =>
        !(type === 'folder' && isSystemFolder(item)) &&
        !isBuiltIn(type, item) &&
        ![...counterparts.values()].includes(id) &&
        !(type === 'dashboard' && isLookmlCopy(id, mapping)),
    );
    expect({ type, extras: extras.map(([id]) => id) }).toEqual({ type, extras: [] });
  }

  // Tiles keep what makes them: spot-check one dashboard's first tile against the backup.
  const dashboards = snapshotItems(dbA, 'dashboard');
  const [sourceId, sourceDashboard] = [...dashboards].find(
    ([, d]) => Array.isArray(d.dashboard_elements) && d.dashboard_elements.length > 2,
  ) as [string, Json];
  const copy = snapshotItems(dbB, 'dashboard').get(map('dashboard', sourceId) as string) as Json;
  const firstQuery = (d: Json) =>
    ((d.dashboard_elements as Json[]).find((e) => e.query != null)?.query ?? {}) as Json;
  for (const field of [
    'model',
    'view',
    'fields',
    'filters',
    'sorts',
    'pivots',
    'limit',
    'vis_config',
  ]) {
    expect(firstQuery(copy)[field]).toEqual(firstQuery(sourceDashboard)[field]);
  }

  // Merged-results tiles: each restored one is a new merge of new queries, equal in content.
  const merged = [...dashboards].flatMap(([id, dashboard]) =>
    (dashboard.dashboard_elements as Json[])
      .filter((element) => element.merge_result != null && !failures.has(`dashboard:${id}`))
      .map((element) => ({ id, element })),
  );
  if (hasMergedTiles(a)) expect(merged.length).toBeGreaterThan(0);
  const restoredDashboards = snapshotItems(dbB, 'dashboard');
  for (const { id, element } of merged) {
    const target = restoredDashboards.get(map('dashboard', id) as string) as Json;
    const tile = (target.dashboard_elements as Json[]).find(
      (candidate) => candidate.title === element.title && candidate.merge_result != null,
    );
    expect({ id, found: tile !== undefined }).toEqual({ id, found: true });
    if (tile === undefined) continue;
    expect(tile.merge_result_id).not.toBe(element.merge_result_id);
    const sources = (merge: Json) =>
      (merge.source_queries as Json[]).map((source) => ({
        name: source.name,
        merge_fields: source.merge_fields,
        fields: (source.query as Json).fields,
        filters: (source.query as Json).filters,
        model: (source.query as Json).model,
      }));
    expect(sources(tile.merge_result as Json)).toEqual(sources(element.merge_result as Json));
  }
}

/** Whether A's dataset has merged-results tiles at all (the default dataset does). */
function hasMergedTiles(a: RunningSimulator): boolean {
  return a.dataset
    .ids('dashboard')
    .some((id) =>
      ((a.dataset.get('dashboard', id) as Json).dashboard_elements as Json[]).some(
        (element) => typeof element.merge_result_id === 'string',
      ),
    );
}

function refersToTrash(
  type: RestoreType,
  item: Json,
  dashboards: Set<string>,
  looks: Set<string>,
): boolean {
  const refs: Json[] =
    type === 'scheduled_plan'
      ? [item]
      : type === 'dashboard'
        ? ((item.dashboard_elements as Json[] | undefined) ?? [])
        : type === 'board'
          ? ((item.board_sections as Json[] | undefined) ?? []).flatMap(
              (s) => (s.board_items as Json[] | undefined) ?? [],
            )
          : [];
  return refs.some((ref) => {
    const dashboard = text(ref.dashboard_id);
    const look = text(ref.look_id);
    return (dashboard !== null && dashboards.has(dashboard)) || (look !== null && looks.has(look));
  });
}

/** LookML dashboards come back as user-defined copies (with ids of their own in B). */
function isLookmlCopy(id: string, mapping: Map<string, string>): boolean {
  return [...mapping.entries()].some(
    ([key, target]) => key.startsWith('dashboard:') && key.includes('::') && target === id,
  );
}
