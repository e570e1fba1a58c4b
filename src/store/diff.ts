import microdiff from 'microdiff';
import { compareIds } from '../content-types.js';
import type { SnapshotEntry } from './snapshots.js';

/**
 * Differences between two snapshots (per type: items added, removed, changed, moved to or out
 * of Looker's trash) and, inside one item, path by path. Pure: the caller reads the snapshots.
 */

export interface TypeDiff {
  type: string;
  added: string[];
  removed: string[];
  /** Content changed (trash state unchanged). */
  changed: string[];
  /** Moved to Looker's trash (its content may have changed with it). */
  trashed: string[];
  /** Taken out of Looker's trash. */
  restored: string[];
}

/** Per type, sorted by type then id; types with no difference are left out. */
export function diffSnapshots(
  before: readonly SnapshotEntry[],
  after: readonly SnapshotEntry[],
): TypeDiff[] {
  const key = (entry: SnapshotEntry): string => `${entry.type}\u0000${entry.id}`;
  const old = new Map(before.map((entry) => [key(entry), entry]));
  const now = new Map(after.map((entry) => [key(entry), entry]));
  const byType = new Map<string, TypeDiff>();
  const of = (type: string): TypeDiff => {
    let diff = byType.get(type);
    if (!diff) {
      diff = { type, added: [], removed: [], changed: [], trashed: [], restored: [] };
      byType.set(type, diff);
    }
    return diff;
  };
  for (const [k, entry] of now) {
    const previous = old.get(k);
    if (!previous) of(entry.type).added.push(entry.id);
    else if (!previous.trashed && entry.trashed) of(entry.type).trashed.push(entry.id);
    else if (previous.trashed && !entry.trashed) of(entry.type).restored.push(entry.id);
    else if (previous.hash !== entry.hash) of(entry.type).changed.push(entry.id);
  }
  for (const [k, entry] of old) if (!now.has(k)) of(entry.type).removed.push(entry.id);
  const diffs = [...byType.values()].sort((a, b) =>
    a.type < b.type ? -1 : a.type > b.type ? 1 : 0,
  );
  for (const diff of diffs) {
    for (const list of [diff.added, diff.removed, diff.changed, diff.trashed, diff.restored]) {
      list.sort(compareIds);
    }
  }
  return diffs;
}

export interface ValueChange {
  /** `dashboard_elements[3].title` */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

/** What changed inside one item, path by path (arrays compared index by index). */
export function diffValues(before: unknown, after: unknown): ValueChange[] {
  if (!isContainer(before) || !isContainer(after)) {
    return Object.is(before, after) ? [] : [{ path: '', kind: 'changed', before, after }];
  }
  return microdiff(before, after).map((difference): ValueChange => {
    const path = formatPath(difference.path);
    switch (difference.type) {
      case 'CREATE':
        return { path, kind: 'added', after: difference.value as unknown };
      case 'REMOVE':
        return { path, kind: 'removed', before: difference.oldValue as unknown };
      case 'CHANGE':
        return {
          path,
          kind: 'changed',
          before: difference.oldValue as unknown,
          after: difference.value as unknown,
        };
    }
  });
}

/** `['dashboard_elements', 3, 'title']` → `dashboard_elements[3].title`; odd keys quoted. */
export function formatPath(path: readonly (string | number)[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) text += text === '' ? part : `.${part}`;
    else text += `[${JSON.stringify(part)}]`;
  }
  return text;
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}
