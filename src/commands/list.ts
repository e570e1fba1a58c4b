import { Flags } from '@oclif/core';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { dbFlag } from '../cli/db-flag.js';
import { numberFlag } from '../cli/number-flags.js';
import { contentTypeArgument } from '../cli/snapshot-output.js';
import { CONTENT_TYPES, type ContentType } from '../content-types.js';
import { UsageError } from '../errors.js';
import { formatBytes, plural, truncate } from '../progress/format.js';
import { columnWidths, tableRow } from '../progress/table.js';
import { createStyle } from '../progress/style.js';
import {
  folderFilter,
  folderPaths,
  iterateItems,
  openVault,
  readUserEmails,
  resolveSnapshot,
  snapshotFolders,
  userIdsByEmail,
  type ListQuery,
  type ListedItem,
  type Vault,
} from '../store/index.js';

export default class List extends BaseCommand {
  static override summary =
    'List the items of a snapshot: id, title, folder, owner, updated, size, state.';

  static override description = [
    'Lists what a snapshot (default: the latest) holds, filtered by type, folder, owner, title, change and trash state: a table, or with --json one JSON object per line (for jq). Reads the backup only.',
    EXIT_CODES_HELP,
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %> dashboards',
    '<%= config.bin %> <%= command.id %> dashboards looks --folder "Shared/Marketing" --recursive',
    '<%= config.bin %> <%= command.id %> --owner jane@example.com --changed-since 2026-11-01',
    "<%= config.bin %> <%= command.id %> dashboards --title '*revenue*' --json | jq -r .id",
    '<%= config.bin %> <%= command.id %> --deleted',
  ];

  static override strict = false;

  static override flags = {
    db: dbFlag,
    snapshot: numberFlag('snapshot', {
      description: 'The snapshot to list (see `snapshots`). [default: the latest]',
      min: 1,
      integer: true,
      helpValue: 'ID',
    }),
    folder: Flags.string({
      description:
        'Only items in this folder: its id, or its path ("Shared/Marketing"). Repeatable.',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: 'ID|PATH',
    }),
    recursive: Flags.boolean({
      char: 'r',
      description: 'With --folder: its subfolders too.',
      default: false,
    }),
    owner: Flags.string({
      description: "Only items owned by this user: the user's id or email.",
      helpValue: 'ID|EMAIL',
    }),
    title: Flags.string({
      description:
        'Only items whose title matches this pattern (* any text, ? one character; case-insensitive).',
      helpValue: 'GLOB',
    }),
    'changed-since': Flags.string({
      description:
        'Only items new or changed since this date (2026-11-01, or an ISO time) or since this snapshot id.',
      helpValue: 'DATE|SNAPSHOT',
    }),
    trashed: Flags.boolean({ description: "Only items in Looker's trash.", default: false }),
    deleted: Flags.boolean({
      description:
        'Instead: items deleted in Looker (gone for good) that the backup still holds, as last seen.',
      default: false,
    }),
    limit: numberFlag('limit', {
      description: 'At most this many items.',
      min: 1,
      integer: true,
      helpValue: 'N',
    }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(List);
    const types = parseTypes(argv.map(String));
    if (flags.recursive && flags.folder === undefined) {
      throw new UsageError('--recursive needs --folder', {
        hint: 'Example: --folder "Shared/Marketing" --recursive.',
      });
    }
    if (flags.trashed && flags.deleted) {
      throw new UsageError('--trashed and --deleted exclude each other', {
        hint: '--trashed: in the trash; --deleted: deleted for good.',
      });
    }
    const vault = openVault(flags.db, { readonly: true });
    try {
      const snapshot = resolveSnapshot(vault, flags.snapshot);
      const folders = snapshotFolders(vault, snapshot.id);
      const paths = folderPaths(folders);
      const query: ListQuery = { snapshotId: snapshot.id, types };
      if (flags.folder !== undefined) {
        query.folderIds = folderFilter(folders, paths, flags.folder, flags.recursive);
      }
      if (flags.owner !== undefined) query.ownerIds = ownerFilter(vault, flags.owner);
      if (flags.title !== undefined) query.title = flags.title;
      if (flags['changed-since'] !== undefined)
        Object.assign(query, changedSince(flags['changed-since']));
      if (flags.trashed) query.trashed = true;
      if (flags.deleted) query.deleted = true;
      if (flags.limit !== undefined) query.limit = flags.limit;
      const emails = readUserEmails(vault);
      const rows: Generator<ListRow> = (function* () {
        for (const item of iterateItems(vault, query)) {
          yield {
            ...item,
            folder: item.folderId === null ? null : (paths.get(item.folderId) ?? null),
            owner: item.ownerId === null ? null : (emails.get(item.ownerId) ?? null),
          };
        }
      })();
      if (this.jsonEnabled()) {
        // One line per item as SQLite returns them: memory stays flat however many there are.
        await writeLines(rows, (row) => JSON.stringify(row));
        return;
      }
      // Column widths come from the first rows; later rows are cut to them, so the table streams
      // with flat memory however many items there are (a tail cell may lose characters to `…`).
      const header = ['type', 'id', 'title', 'folder', 'owner', 'updated', 'size', 'state'];
      const align = ['left', 'right', 'left', 'left', 'left', 'left', 'right', 'left'] as const;
      const toCells = (row: ListRow): string[] => [
        row.type,
        row.id,
        truncate(row.title ?? '', 48),
        truncate(row.folder ?? row.folderId ?? '', 40),
        truncate(row.owner ?? row.ownerId ?? '', 40),
        row.updatedAt?.slice(0, 10) ?? '',
        formatBytes(row.size),
        row.state,
      ];
      const first: string[][] = [];
      // Not `for…of` with `break`: that would close the generator the rest is read from.
      while (first.length < TABLE_WIDTH_SAMPLE) {
        const next = rows.next();
        if (next.done === true) break;
        first.push(toCells(next.value));
      }
      const widths = columnWidths([header, ...first]);
      const style = createStyle(false);
      let count = 0;
      const lines = (function* () {
        yield tableRow(
          header.map((cell) => style.dim(cell)),
          widths,
          align,
        );
        for (const cells of first) {
          count += 1;
          yield tableRow(cells, widths, align);
        }
        for (const row of rows) {
          count += 1;
          const cells = toCells(row).map((cell, column) =>
            align[column] === 'left' ? truncate(cell, widths[column] ?? cell.length) : cell,
          );
          yield tableRow(cells, widths, align);
        }
      })();
      await writeLines(lines, (line) => line);
      this.writeOut(
        `\n${plural(count, 'item')} in snapshot ${snapshot.id}${flags.deleted ? ' (deleted in Looker)' : ''}`,
      );
    } finally {
      vault.close();
    }
  }
}

/** Rows sized before the table starts streaming. */
const TABLE_WIDTH_SAMPLE = 1000;

type ListRow = ListedItem & { folder: string | null; owner: string | null };

/** Writes one line per value to stdout in 64 KiB chunks, waiting whenever the reader lags. */
async function writeLines<T>(values: Iterable<T>, line: (value: T) => string): Promise<void> {
  let chunk = '';
  const flush = async (): Promise<void> => {
    if (chunk === '') return;
    const text = chunk;
    chunk = '';
    if (!process.stdout.write(text)) {
      await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
    }
  };
  for (const value of values) {
    chunk += `${line(value)}\n`;
    if (chunk.length >= 64 * 1024) await flush();
  }
  await flush();
}

function parseTypes(values: string[]): ContentType[] {
  if (values.length === 0) return [...CONTENT_TYPES];
  const types = new Set(
    values
      .flatMap((value) => value.split(','))
      .filter((v) => v.trim() !== '')
      .map(contentTypeArgument),
  );
  return CONTENT_TYPES.filter((type) => types.has(type));
}

function ownerFilter(vault: Vault, owner: string): string[] {
  if (!owner.includes('@')) return [owner];
  const ids = userIdsByEmail(vault, owner);
  if (ids.length === 0) {
    throw new UsageError(`The backup holds no user with the email ${owner}`, {
      hint: "Pass the owner's user id instead, or back up users (`extract -t users`).",
    });
  }
  return ids;
}

function changedSince(value: string): Pick<ListQuery, 'changedSinceTime' | 'changedSinceSnapshot'> {
  if (/^\d+$/.test(value)) return { changedSinceSnapshot: Number(value) };
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time)) {
    throw new UsageError(`--changed-since: "${value}" is neither a date nor a snapshot id`, {
      hint: 'Examples: --changed-since 2026-11-01, --changed-since 2026-11-01T08:00:00Z, --changed-since 3.',
    });
  }
  return { changedSinceTime: new Date(time).toISOString() };
}
