import { LookerClient } from '../../../src/looker/client.js';
import { explicitSettings } from '../../../src/looker/settings.js';
import { comparable, identity, isBuiltIn, isSystemFolder } from '../../../src/restore/normalize.js';
import { Restore, type RestoreOptions, type RestoreSummary } from '../../../src/restore/restore.js';
import {
  RESTORE_TYPES,
  type Json,
  type RestorePlan,
  type RestoreType,
} from '../../../src/restore/types.js';
import type { RunningSimulator } from '../../../src/sim/index.js';
import { openVault } from '../../../src/store/index.js';
import { readSnapshotItems } from '../../../src/store/restore-journal.js';
import { openDatabase } from '../../../src/store/sqlite.js';

/**
 * Counts of a second instance with no content (the harness's `simulator()` fills in the small
 * dataset's counts, which `empty` alone would not override).
 */
export const NO_CONTENT = {
  dashboard: 0,
  look: 0,
  folder: 0,
  board: 0,
  scheduled_plan: 0,
  lookmlDashboards: 0,
} as const;

/** And no configuration but what every instance has (built-in sets, the Admin role). */
export const BUILT_IN_CONFIGURATION_ONLY = {
  group: 0,
  role: 1,
  permission_set: 4,
  model_set: 1,
} as const;

export interface InProcessRestore {
  plan: RestorePlan;
  summary: RestoreSummary | undefined;
}

/** Runs a real restore in this process from a backup file into a simulator, over real HTTP. */
export async function restoreInProcess(
  dbPath: string,
  target: RunningSimulator,
  options: Partial<RestoreOptions> & { dryRun?: boolean } = {},
): Promise<InProcessRestore> {
  const { dryRun = false, ...rest } = options;
  const full: RestoreOptions = {
    types: [...RESTORE_TYPES],
    selectors: [],
    onConflict: 'update',
    workers: 4,
    maxRetries: 2,
    otherInstance: false,
    ...rest,
  };
  const client = LookerClient.create(
    explicitSettings(
      { baseUrl: target.url, clientId: target.clientId, clientSecret: target.clientSecret },
      'test',
    ),
    { poolSize: full.workers, timeoutMs: 10_000 },
  );
  const vault = openVault(dbPath, { toolVersion: 'test' });
  try {
    const restore = new Restore({ vault, client, toolVersion: 'test' }, full);
    const plan = await restore.plan();
    if (dryRun) return { plan, summary: undefined };
    const summary = await restore.execute();
    return { plan, summary };
  } finally {
    await client.close();
    vault.close();
  }
}

/** Planned actions per type: `{dashboard: {create: 2, skip: 5}}`. */
export function actionsByType(plan: RestorePlan): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const item of plan.items) {
    const counts = (out[item.type] ??= {});
    counts[item.action] = (counts[item.action] ?? 0) + 1;
  }
  return out;
}

/** The items of a type the latest snapshot of a backup holds (trash left out), by id. */
export function snapshotItems(
  dbPath: string,
  type: RestoreType,
  snapshotId?: number,
): Map<string, Json> {
  const vault = openVault(dbPath, { readonly: true });
  try {
    const id =
      snapshotId ??
      vault.db
        .prepare<[], number>(
          "SELECT max(id) FROM runs WHERE kind = 'extract' AND status IN ('success','partial')",
        )
        .pluck()
        .get() ??
      0;
    const items = new Map<string, Json>();
    for (const row of readSnapshotItems(vault, id, type)) {
      if (!row.trashed) items.set(row.id, JSON.parse(row.json) as Json);
    }
    return items;
  } finally {
    vault.close();
  }
}

/** `type:sourceId` → target id, as the backup file's id_map records it. */
export function idMap(dbPath: string): Map<string, string> {
  const db = openDatabase(dbPath, { readonly: true });
  try {
    const rows = db
      .prepare('SELECT content_type AS type, source_id AS id, target_id AS target FROM id_map')
      .all() as { type: string; id: string; target: string }[];
    return new Map(rows.map((row) => [`${row.type}:${row.id}`, row.target]));
  } finally {
    db.close();
  }
}

export { comparable, identity, isBuiltIn, isSystemFolder };
