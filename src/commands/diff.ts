import { Args } from '@oclif/core';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { dbFlag } from '../cli/db-flag.js';
import { contentTypeArgument } from '../cli/snapshot-output.js';
import { CONTENT_TYPE_PLURALS, isContentType } from '../content-types.js';
import { UsageError } from '../errors.js';
import { formatCount, plural } from '../progress/format.js';
import { renderTable } from '../progress/table.js';
import { createStyle } from '../progress/style.js';
import {
  diffSnapshots,
  diffValues,
  itemContent,
  listSnapshots,
  openVault,
  resolveSnapshot,
  snapshotEntries,
  type SnapshotRecord,
  type TypeDiff,
  type Vault,
  type ValueChange,
} from '../store/index.js';

/** Version of `diff --json`'s shapes. */
export const DIFF_SCHEMA_VERSION = 1;

export default class Diff extends BaseCommand {
  static override summary = 'What changed between two snapshots, or inside one item.';

  static override description = [
    'With snapshot ids (default: the last two): per content type, the items added, removed, changed, moved to the trash and taken out of it between snapshot A and snapshot B.',
    'With a type and an id first: what changed inside that item between snapshots A and B (default: the last two), path by path, e.g. `~ dashboard_elements[3].title: "Revenue" → "Net revenue"` (+ added, - removed; arrays compared index by index).',
    EXIT_CODES_HELP,
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> 3 7',
    '<%= config.bin %> <%= command.id %> dashboard 42',
    '<%= config.bin %> <%= command.id %> dashboard 42 3 7 --json',
  ];

  static override args = {
    first: Args.string({
      description: 'Snapshot A, or a content type (then the item id follows).',
    }),
    second: Args.string({ description: 'Snapshot B, or the item id.' }),
    third: Args.string({ description: 'With a type and id: snapshot A.' }),
    fourth: Args.string({ description: 'With a type and id: snapshot B.' }),
  };

  static override flags = { db: dbFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Diff);
    const vault = openVault(flags.db, { readonly: true });
    try {
      const itemForm = args.first !== undefined && !/^\d+$/.test(args.first);
      if (itemForm) {
        if (args.second === undefined) {
          throw new UsageError('diff TYPE needs an item id', {
            hint: 'Example: `lookervault diff dashboard 42` (or `lookervault diff 3 7` for two snapshots).',
          });
        }
        const type = contentTypeArgument(args.first ?? '');
        const [a, b] = pickSnapshots(vault, args.third, args.fourth);
        this.itemDiff(vault, type, args.second, a, b);
      } else {
        if (args.third !== undefined) {
          throw new UsageError(`Unexpected argument "${args.third}"`, {
            hint: 'diff takes two snapshot ids, or a type, an id and two snapshot ids.',
          });
        }
        const [a, b] = pickSnapshots(vault, args.first, args.second);
        this.snapshotDiff(vault, a, b);
      }
    } finally {
      vault.close();
    }
  }

  private snapshotDiff(vault: Vault, a: SnapshotRecord, b: SnapshotRecord): void {
    const common = a.types.filter((type) => b.types.includes(type));
    const diffs = diffSnapshots(
      snapshotEntries(vault, a.id).filter((entry) => common.includes(entry.type)),
      snapshotEntries(vault, b.id).filter((entry) => common.includes(entry.type)),
    );
    const notCompared = [...new Set([...a.types, ...b.types])].filter((t) => !common.includes(t));
    if (this.jsonEnabled()) {
      this.logJson({
        schemaVersion: DIFF_SCHEMA_VERSION,
        from: a.id,
        to: b.id,
        types: diffs,
        notCompared,
      });
      return;
    }
    this.writeOut(formatSnapshotDiff(a, b, diffs, notCompared));
  }

  private itemDiff(
    vault: Vault,
    type: string,
    id: string,
    a: SnapshotRecord,
    b: SnapshotRecord,
  ): void {
    const before = itemContent(vault, type, id, a.id);
    const after = itemContent(vault, type, id, b.id);
    if (!before && !after) {
      throw new UsageError(`Neither snapshot ${a.id} nor ${b.id} holds ${type} ${id}`, {
        hint: `See its versions with \`lookervault history ${type} ${id}\`.`,
      });
    }
    const changes = diffValues(
      before ? (JSON.parse(before.json) as unknown) : undefined,
      after ? (JSON.parse(after.json) as unknown) : undefined,
    );
    const state = !before
      ? 'added'
      : !after
        ? 'removed'
        : changes.length === 0
          ? 'unchanged'
          : 'changed';
    if (this.jsonEnabled()) {
      this.logJson({
        schemaVersion: DIFF_SCHEMA_VERSION,
        type,
        id,
        from: a.id,
        to: b.id,
        state,
        changes: before && after ? changes : [],
      });
      return;
    }
    const head = `${type} ${id}, snapshot ${a.id} → ${b.id}:`;
    if (state === 'added') this.writeOut(`${head} not in snapshot ${a.id}; added in ${b.id}.`);
    else if (state === 'removed') this.writeOut(`${head} in snapshot ${a.id}; gone in ${b.id}.`);
    else if (state === 'unchanged') this.writeOut(`${head} unchanged.`);
    else this.writeOut([head, ...changes.map(formatChange)].join('\n'));
  }
}

/**
 * Snapshots A and B: both given, one given (B = the latest), or none (the last two). A must be
 * older than B.
 */
function pickSnapshots(
  vault: Vault,
  first: string | undefined,
  second: string | undefined,
): [SnapshotRecord, SnapshotRecord] {
  const id = (text: string): number => {
    if (!/^\d+$/.test(text)) {
      throw new UsageError(`"${text}" is not a snapshot id`, {
        hint: 'Snapshot ids are the numbers `lookervault snapshots` lists.',
      });
    }
    return Number(text);
  };
  if (first !== undefined) {
    const a = resolveSnapshot(vault, id(first));
    const b = resolveSnapshot(vault, second === undefined ? undefined : id(second));
    if (a.id === b.id) {
      throw new UsageError(`Snapshot ${a.id} compared with itself`, {
        hint: 'Name two different snapshots (`lookervault snapshots` lists them).',
      });
    }
    return a.id < b.id ? [a, b] : [b, a];
  }
  const snapshots = listSnapshots(vault);
  const [a, b] = snapshots.slice(-2);
  if (!a || !b) {
    throw new UsageError(
      `\`${vault.path}\` holds ${plural(snapshots.length, 'snapshot')}: diff needs two`,
      {
        hint: 'Every `lookervault extract` that finishes makes a snapshot.',
      },
    );
  }
  return [a, b];
}

const IDS_SHOWN = 8;

function formatSnapshotDiff(
  a: SnapshotRecord,
  b: SnapshotRecord,
  diffs: readonly TypeDiff[],
  notCompared: readonly string[],
): string {
  const lines = [`Snapshot ${a.id} (${a.startedAt}) → ${b.id} (${b.startedAt}):`];
  if (diffs.length === 0) lines.push('', 'No differences.');
  else {
    const count = (list: readonly string[]): string =>
      list.length === 0 ? '' : formatCount(list.length);
    lines.push(
      '',
      ...renderTable({
        header: ['type', 'added', 'removed', 'changed', 'trashed', 'restored'],
        rows: diffs.map((d) => [
          typeLabel(d.type),
          count(d.added),
          count(d.removed),
          count(d.changed),
          count(d.trashed),
          count(d.restored),
        ]),
        align: ['left', 'right', 'right', 'right', 'right', 'right'],
        style: createStyle(false),
      }),
      '',
    );
    for (const d of diffs) {
      for (const [what, list] of [
        ['added', d.added],
        ['removed', d.removed],
        ['changed', d.changed],
        ['trashed', d.trashed],
        ['restored', d.restored],
      ] as const) {
        if (list.length === 0) continue;
        const shown = list.slice(0, IDS_SHOWN).join(', ');
        lines.push(
          `${typeLabel(d.type)} ${what}: ${shown}${list.length > IDS_SHOWN ? `, … (${list.length})` : ''}`,
        );
      }
    }
  }
  if (notCompared.length > 0) {
    lines.push(
      '',
      `Not compared (in one snapshot only): ${notCompared.map(typeLabel).join(', ')}.`,
    );
  }
  return lines.join('\n');
}

function typeLabel(type: string): string {
  return isContentType(type) ? CONTENT_TYPE_PLURALS[type] : type;
}

function formatChange(change: ValueChange): string {
  const show = (value: unknown): string => {
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 117)}…` : text;
  };
  const path = change.path === '' ? '(whole item)' : change.path;
  switch (change.kind) {
    case 'added':
      return `  + ${path}: ${show(change.after)}`;
    case 'removed':
      return `  - ${path}: ${show(change.before)}`;
    case 'changed':
      return `  ~ ${path}: ${show(change.before)} → ${show(change.after)}`;
  }
}
