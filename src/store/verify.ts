import { canonicalJson, contentHash } from './canonical.js';
import { toDatabaseError } from './sqlite-errors.js';
import { listSnapshots } from './snapshots.js';
import type { Vault } from './vault.js';

/**
 * `verify`: everything that can be checked in the file alone, read-only (restic's `check
 * --read-data`). SQLite's own integrity check; every stored content re-hashed (and its size and
 * canonical form checked); every version's references (its content, its runs) resolvable and
 * its interval of runs well formed; every snapshot readable; a folder scope's records and the
 * restore mapping consistent.
 */

export type VerifyCheck = 'sqlite' | 'contents' | 'versions' | 'snapshots' | 'scope' | 'id_map';

export const VERIFY_CHECKS: readonly VerifyCheck[] = [
  'sqlite',
  'contents',
  'versions',
  'snapshots',
  'scope',
  'id_map',
];

export interface VerifyProblem {
  check: VerifyCheck;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  problems: VerifyProblem[];
  /** How much each check looked at (contents re-hashed, versions, snapshots, mappings). */
  counts: {
    contents: number;
    contentBytes: number;
    versions: number;
    snapshots: number;
    mappings: number;
  };
}

/** Problems of one kind reported one by one up to this many, then counted. */
const MAX_PER_KIND = 20;

export function verifyVault(vault: Vault): VerifyReport {
  const problems: VerifyProblem[] = [];
  const counts = { contents: 0, contentBytes: 0, versions: 0, snapshots: 0, mappings: 0 };
  const add = (check: VerifyCheck, messages: readonly string[], total = messages.length): void => {
    for (const message of messages.slice(0, MAX_PER_KIND)) problems.push({ check, message });
    if (total > MAX_PER_KIND) {
      problems.push({ check, message: `… and ${total - MAX_PER_KIND} more like these` });
    }
  };
  // Each check on its own: a damaged page that stops one query must not hide the others.
  const guarded = (check: VerifyCheck, run: () => void): void => {
    try {
      run();
    } catch (error) {
      add(check, [toDatabaseError(error, 'Could not read').message]);
    }
  };

  guarded('sqlite', () => {
    add('sqlite', vault.integrityCheck().problems);
  });
  guarded('contents', () => {
    const found = checkContents(vault, counts);
    add('contents', found.messages, found.total);
  });
  guarded('versions', () => {
    counts.versions = count(vault, 'SELECT count(*) FROM item_versions');
    for (const [query, describe] of VERSION_CHECKS) {
      const rows = vault.db.prepare<[], Record<string, unknown>>(query).all();
      add('versions', rows.map(describe));
    }
  });
  guarded('snapshots', () => {
    const snapshots = listSnapshots(vault);
    counts.snapshots = snapshots.length;
    const dangling = vault.db
      .prepare<[], { id: number; from_run: number }>(
        `SELECT v.id, v.from_run FROM item_versions v
          WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = v.from_run)`,
      )
      .all();
    add(
      'snapshots',
      dangling.map(
        (row) => `version ${row.id} starts at run ${row.from_run}, which is not in the file`,
      ),
    );
  });
  guarded('scope', () => {
    const rows = vault.db
      .prepare<[], { run_id: number; content_type: string; item_id: string; why: string }>(
        `SELECT s.run_id, s.content_type, s.item_id,
                CASE WHEN r.id IS NULL THEN 'run' ELSE 'version' END AS why
           FROM run_scope_items s LEFT JOIN runs r ON r.id = s.run_id
          WHERE r.id IS NULL OR NOT EXISTS (
                SELECT 1 FROM item_versions v
                 WHERE v.content_type = s.content_type AND v.item_id = s.item_id
                   AND v.from_run <= s.run_id AND (v.to_run IS NULL OR v.to_run > s.run_id))`,
      )
      .all();
    add(
      'scope',
      rows.map((row) =>
        row.why === 'run'
          ? `scoped item ${row.content_type} ${row.item_id} belongs to run ${row.run_id}, which is not in the file`
          : `snapshot ${row.run_id} lists ${row.content_type} ${row.item_id}, but no version of it spans that run`,
      ),
    );
  });
  guarded('id_map', () => {
    counts.mappings = count(vault, 'SELECT count(*) FROM id_map');
    const twice = vault.db
      .prepare<
        [],
        { target_instance: string; content_type: string; target_id: string; sources: string }
      >(
        `SELECT target_instance, content_type, target_id, group_concat(source_id, ', ') AS sources
           FROM id_map GROUP BY source_instance, target_instance, content_type, target_id
          HAVING count(*) > 1`,
      )
      .all();
    add(
      'id_map',
      twice.map(
        (row) =>
          `${row.content_type} ${row.target_id} of ${row.target_instance} stands for several backed-up items (${row.sources})`,
      ),
    );
    const orphans = vault.db
      .prepare<[], { content_type: string; source_id: string; run_id: number }>(
        `SELECT m.content_type, m.source_id, m.run_id FROM id_map m
          WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = m.run_id AND r.kind = 'restore')`,
      )
      .all();
    add(
      'id_map',
      orphans.map(
        (row) =>
          `the mapping of ${row.content_type} ${row.source_id} names restore run ${row.run_id}, which is not in the file`,
      ),
    );
  });
  return { ok: problems.length === 0, problems, counts };
}

/** Re-hashes every content: its SHA-256 and size must be the stored ones, its JSON canonical. */
function checkContents(
  vault: Vault,
  counts: VerifyReport['counts'],
): { messages: string[]; total: number } {
  const messages: string[] = [];
  let total = 0;
  const rows = vault.db
    .prepare<[], { id: number; hash: string; size: number; json: string }>(
      'SELECT id, hash, size, json FROM contents ORDER BY id',
    )
    .iterate();
  for (const row of rows) {
    counts.contents += 1;
    const bytes = Buffer.byteLength(row.json, 'utf8');
    counts.contentBytes += bytes;
    const problem = contentProblem(row, bytes);
    if (problem === undefined) continue;
    total += 1;
    if (messages.length < MAX_PER_KIND) messages.push(`content ${row.id}: ${problem}`);
  }
  return { messages, total };
}

function contentProblem(
  row: { hash: string; size: number; json: string },
  bytes: number,
): string | undefined {
  const actual = contentHash(row.json);
  if (actual !== row.hash)
    return `its SHA-256 is ${actual}, not the stored ${row.hash} (the JSON was altered)`;
  if (bytes !== row.size) return `it is ${bytes} bytes, not the stored ${row.size}`;
  let value: unknown;
  try {
    value = JSON.parse(row.json);
  } catch {
    return 'it is not valid JSON';
  }
  return canonicalJson(value) === row.json ? undefined : 'its JSON is not in canonical form';
}

/** Queries whose every row is a problem with the versions, and how to say it. */
const VERSION_CHECKS: ReadonlyArray<[string, (row: Record<string, unknown>) => string]> = [
  [
    `SELECT v.id, v.content_type, v.item_id, v.content_id FROM item_versions v
      WHERE NOT EXISTS (SELECT 1 FROM contents c WHERE c.id = v.content_id)`,
    (row) =>
      `${String(row.content_type)} ${String(row.item_id)}: version ${String(row.id)} refers to content ${String(row.content_id)}, which is not in the file`,
  ],
  [
    `SELECT v.id, v.content_type, v.item_id FROM item_versions v JOIN contents c ON c.id = v.content_id
      WHERE c.hash <> v.content_hash`,
    (row) =>
      `${String(row.content_type)} ${String(row.item_id)}: version ${String(row.id)} records another hash than its content's`,
  ],
  [
    `SELECT v.id, v.content_type, v.item_id, v.to_run FROM item_versions v
      WHERE v.to_run IS NOT NULL AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = v.to_run)`,
    (row) =>
      `${String(row.content_type)} ${String(row.item_id)}: version ${String(row.id)} ends at run ${String(row.to_run)}, which is not in the file`,
  ],
  [
    `SELECT v.id, v.content_type, v.item_id FROM item_versions v
      WHERE v.to_run IS NOT NULL AND v.to_run <= v.from_run`,
    (row) =>
      `${String(row.content_type)} ${String(row.item_id)}: version ${String(row.id)} ends before it starts`,
  ],
  [
    `SELECT content_type, item_id, count(*) AS n FROM item_versions WHERE to_run IS NULL
      GROUP BY content_type, item_id HAVING count(*) > 1`,
    (row) =>
      `${String(row.content_type)} ${String(row.item_id)} has ${String(row.n)} current versions (one at most)`,
  ],
  [
    `SELECT content_type, item_id, from_run, previous_to FROM (
       SELECT content_type, item_id, from_run,
              lag(to_run) OVER (PARTITION BY content_type, item_id ORDER BY from_run) AS previous_to,
              lag(from_run) OVER (PARTITION BY content_type, item_id ORDER BY from_run) AS previous_from
         FROM item_versions)
      WHERE previous_from IS NOT NULL AND (previous_to IS NULL OR previous_to > from_run)`,
    (row) =>
      `${String(row.content_type)} ${String(row.item_id)}: a version starting at run ${String(row.from_run)} overlaps the one before it`,
  ],
];

function count(vault: Vault, query: string): number {
  return vault.db.prepare<[], number>(query).pluck().get() ?? 0;
}
