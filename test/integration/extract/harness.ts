import { afterEach } from '@jest/globals';
import { openDatabase } from '../../../src/store/sqlite.js';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { CONTENT_TYPES, type ContentType } from '../../../src/content-types.js';
import { Extraction, type ExtractDependencies } from '../../../src/extract/orchestrator.js';
import { EXTRACT_DEFAULTS, type ExtractOptions } from '../../../src/extract/options.js';
import { LookerClient } from '../../../src/looker/client.js';
import { explicitSettings } from '../../../src/looker/settings.js';
import type { RunSummary } from '../../../src/engine/run-summary.js';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../../src/sim/index.js';
import {
  canonicalJson,
  contentHash,
  openVault,
  snapshotEntries,
} from '../../../src/store/index.js';
import { makeTempDir } from '../../helpers/tmp.js';

/** A small instance with every type, several pages each at a small page size. */
export const SMALL_COUNTS = {
  dashboard: 130,
  look: 90,
  folder: 20,
  board: 12,
  user: 30,
  group: 9,
  role: 5,
  permission_set: 4,
  model_set: 4,
  lookml_model: 3,
  exploresPerModel: 3,
  scheduled_plan: 40,
  lookmlDashboards: 2,
} as const;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

export function onCleanup(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

export async function simulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({ ...options, counts: { ...SMALL_COUNTS, ...options.counts } });
  onCleanup(() => sim.close());
  return sim;
}

export function tempDb(): string {
  const { dir, cleanup } = makeTempDir('lookervault-extract-');
  onCleanup(cleanup);
  return path.join(dir, 'looker.db');
}

export function envFor(sim: RunningSimulator): NodeJS.ProcessEnv {
  return {
    LOOKERSDK_BASE_URL: sim.url,
    LOOKERSDK_CLIENT_ID: sim.clientId,
    LOOKERSDK_CLIENT_SECRET: sim.clientSecret,
  };
}

export interface InProcessRun {
  summary: RunSummary;
  extraction: Extraction;
}

/**
 * Runs the real orchestrator in this process against the simulator, over real HTTP.
 * `setup` sees the extraction before it starts (to subscribe to events or interrupt it);
 * `timeoutMs` is the client's per-request timeout.
 */
export async function extractInProcess(
  sim: RunningSimulator,
  dbPath: string,
  { timeoutMs = 10_000, ...options }: Partial<ExtractOptions> & { timeoutMs?: number } = {},
  setup?: (extraction: Extraction) => void,
  deps: Partial<ExtractDependencies> = {},
): Promise<InProcessRun> {
  const full: ExtractOptions = {
    types: [...EXTRACT_DEFAULTS.types],
    workers: 4,
    batchSize: 20,
    maxRetries: EXTRACT_DEFAULTS.maxRetries,
    resume: true,
    ...options,
  };
  const client = LookerClient.create(
    explicitSettings(
      {
        baseUrl: sim.url,
        clientId: sim.clientId,
        clientSecret: sim.clientSecret,
        timeoutSeconds: timeoutMs / 1000,
      },
      'test',
    ),
    { poolSize: full.workers, timeoutMs },
  );
  const vault = openVault(dbPath, { create: true, toolVersion: 'test' });
  try {
    const extraction = new Extraction({ client, vault, toolVersion: 'test', ...deps }, full);
    setup?.(extraction);
    const summary = await extraction.execute();
    return { summary, extraction };
  } finally {
    await client.close();
    vault.close();
  }
}

/** "type id hash" of every item in the backup, sorted. */
export function storedTriples(
  dbPath: string,
  types: readonly ContentType[] = CONTENT_TYPES,
): string[] {
  const db = openDatabase(dbPath, { readonly: true });
  try {
    const rows = db
      .prepare<[], { content_type: string; id: string; content_hash: string }>(
        'SELECT content_type, id, content_hash FROM content_items',
      )
      .all();
    return rows
      .filter((row) => (types as readonly string[]).includes(row.content_type))
      .map((row) => `${row.content_type} ${row.id} ${row.content_hash}`)
      .sort();
  } finally {
    db.close();
  }
}

/**
 * A dashboard as lookervault keeps it: each merged-results tile with its merge query and the
 * merge's source queries (`merge_result`, each source with its `query`), as the simulator has
 * them.
 */
export function withMergeResults(sim: RunningSimulator, dashboard: Record<string, unknown>): void {
  const elements = Array.isArray(dashboard.dashboard_elements)
    ? (dashboard.dashboard_elements as Record<string, unknown>[])
    : [];
  dashboard.dashboard_elements = elements.map((element) => {
    if (typeof element.merge_result_id !== 'string') return element;
    const merge = sim.dataset.mergeQuery(element.merge_result_id);
    if (merge === undefined) return { ...element, merge_result: null };
    const sources = (merge.source_queries as Record<string, unknown>[]).map((source) => ({
      ...source,
      query: sim.dataset.query(String(source.query_id)) ?? null,
    }));
    return { ...element, merge_result: { ...merge, source_queries: sources } };
  });
}

/** Ids of a lookervault content type in the simulator: current ones, or those in the trash. */
export function simIds(sim: RunningSimulator, type: ContentType, trash = false): string[] {
  if (type === 'folder_access') return trash ? [] : sim.dataset.accessFolderIds();
  return trash ? sim.dataset.deletedIds(type) : sim.dataset.ids(type);
}

/**
 * An item as a complete backup holds it, from what the simulator serves: folders without the
 * `dashboards`/`looks` lists `folder(id)` embeds, dashboards with their merges, user attributes
 * with their group values, a folder's access from its content metadata and access rows.
 */
export function expectedItem(
  sim: RunningSimulator,
  type: ContentType,
  id: string,
): Record<string, unknown> {
  if (type === 'folder_access') return { id, ...sim.dataset.folderAccessOf(id) };
  const value = { ...(sim.dataset.get(type, id) as Record<string, unknown>) };
  if (type === 'folder') {
    delete value.dashboards;
    delete value.looks;
  }
  if (type === 'dashboard') withMergeResults(sim, value);
  if (type === 'user_attribute') value.group_values = sim.dataset.userAttributeGroupValues(id);
  return value;
}

/**
 * What a complete backup of the simulator holds: every current item of each type, as
 * {@link expectedItem} builds it from what the simulator serves.
 */
export function expectedTriples(
  sim: RunningSimulator,
  types: readonly ContentType[] = CONTENT_TYPES,
): string[] {
  const triples: string[] = [];
  for (const type of types) {
    // Items in Looker's trash are backed up too (flagged), to be restorable once it is emptied.
    for (const id of [...simIds(sim, type), ...simIds(sim, type, true)]) {
      const value = expectedItem(sim, type, id);
      triples.push(`${type} ${id} ${contentHash(canonicalJson(value))}`);
    }
  }
  return triples.sort();
}

/** Checkpointed page offsets of one type in the database (done pages only). */
export function checkpointedOffsets(dbPath: string, type: ContentType): number[] {
  const db = openDatabase(dbPath, { readonly: true });
  try {
    return db
      .prepare<[string], number>(
        `SELECT page_offset FROM checkpoints
          WHERE content_type = ? AND status = 'done' AND page_offset IS NOT NULL
          ORDER BY page_offset`,
      )
      .pluck()
      .all(type);
  } finally {
    db.close();
  }
}

/**
 * An `onStderr` for runCli that SIGKILLs the child once a plain progress line shows at least
 * `threshold` items stored (run it with `--progress-interval 1s`).
 */
export function killOnceStored(threshold: number): (chunk: string, child: ChildProcess) => void {
  let progress = '';
  return (chunk, child) => {
    progress += chunk;
    const stored = [...progress.matchAll(/\[\d\d:\d\d\] ([\d,]+) items/g)]
      .map((match) => Number((match[1] ?? '0').replace(/,/g, '')))
      .pop();
    if (stored !== undefined && stored >= threshold) child.kill('SIGKILL');
  };
}

/** "type id hash" of every item of a snapshot, sorted. */
export function snapshotTriples(dbPath: string, snapshotId: number): string[] {
  const vault = openVault(dbPath, { readonly: true });
  try {
    return snapshotEntries(vault, snapshotId)
      .map((entry) => `${entry.type} ${entry.id} ${entry.hash}`)
      .sort();
  } finally {
    vault.close();
  }
}
