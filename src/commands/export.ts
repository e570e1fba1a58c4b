import { Args, Flags } from '@oclif/core';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { dbFlag } from '../cli/db-flag.js';
import { numberFlag } from '../cli/number-flags.js';
import { contentTypeArgument, SNAPSHOT_SCHEMA_VERSION } from '../cli/snapshot-output.js';
import { CONTENT_TYPES, type ContentType } from '../content-types.js';
import { exportSnapshot, type ExportResult } from '../export/export.js';
import { SCOPED_TYPES } from '../extract/scope.js';
import { formatCount, plural } from '../progress/format.js';
import { openVault, resolveSnapshot, RunStore } from '../store/index.js';

export default class Export extends BaseCommand {
  static override summary =
    'Write a snapshot as a tree of files, one item per file, mirroring Looker’s folders (for git).';

  static override description = [
    'Writes every item of a snapshot (default: the latest) under DIR: `Shared/Marketing/_folder.json` for a folder, `Shared/Marketing/dashboards/<slug>.json`, `Shared/Marketing/looks/<id>-<title>.json`, and `_boards/`, `_users/`, `_scheduled_plans/`, … for the types that live in no folder; `lookervault-manifest.json` lists each file with its type, id and content hash. Files are deterministic (stable key order and formatting) and names are safe on Linux, macOS and Windows. Exporting again over the same directory rewrites only the files whose item changed and removes those of items gone, so `export && git commit` commits only real changes. Files the export did not write are never touched. `restore --from-dir DIR` reads such a tree back.',
    EXIT_CODES_HELP,
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %> ./looker-content',
    '<%= config.bin %> <%= command.id %> ./marketing --folders "Shared/Marketing" --format yaml',
    '<%= config.bin %> <%= command.id %> ./repo && git -C ./repo add -A && git -C ./repo commit -m "Looker content"',
  ];

  static override args = {
    dir: Args.string({
      description: 'The directory to write the tree into (created when missing).',
      required: true,
    }),
  };

  static override flags = {
    db: dbFlag,
    snapshot: numberFlag('snapshot', {
      description: 'The snapshot to export (see `snapshots`). [default: the latest]',
      min: 1,
      integer: true,
      helpValue: 'ID',
    }),
    format: Flags.option({
      description: 'The format of each item’s file.',
      options: ['json', 'yaml'] as const,
      default: 'json' as const,
    })(),
    types: Flags.string({
      char: 't',
      description: `Types to export, comma-separated. [default: all; with --folders: ${SCOPED_TYPES.join(', ')}]`,
      multiple: true,
      delimiter: ',',
    }),
    folders: Flags.string({
      description:
        'Only these folders (ids or paths such as "Shared/Marketing"), with their subfolders, their dashboards and looks, and those items’ scheduled plans. Repeatable.',
      multiple: true,
      multipleNonGreedy: true,
      delimiter: ',',
      helpValue: 'ID|PATH',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Export);
    const types = exportTypes(flags.types, flags.folders !== undefined);
    const vault = openVault(flags.db, { readonly: true });
    try {
      const snapshot = resolveSnapshot(vault, flags.snapshot);
      const run = new RunStore(vault).get(snapshot.id);
      const showProgress = !this.jsonEnabled() && process.stderr.isTTY;
      let lastShown = 0;
      const result = exportSnapshot(vault, {
        directory: args.dir,
        snapshotId: snapshot.id,
        baseUrl: run?.baseUrl ?? '',
        format: flags.format,
        types,
        ...(flags.folders === undefined ? {} : { folders: flags.folders }),
        ...(showProgress
          ? {
              onItem: (done: number, total: number) => {
                const now = Date.now();
                if (now - lastShown < 200 && done !== total) return;
                lastShown = now;
                process.stderr.write(`\rExporting ${formatCount(done)}/${formatCount(total)}…`);
              },
            }
          : {}),
      });
      if (showProgress) process.stderr.write('\r\u001b[K');
      if (this.jsonEnabled()) {
        this.logJson({ schemaVersion: SNAPSHOT_SCHEMA_VERSION, ...result });
      } else {
        this.writeErr(formatExport(result));
      }
    } finally {
      vault.close();
    }
  }
}

function exportTypes(values: string[] | undefined, scoped: boolean): ContentType[] {
  if (values === undefined || values.length === 0) {
    return scoped ? [...SCOPED_TYPES] : [...CONTENT_TYPES];
  }
  const named = new Set(values.filter((v) => v.trim() !== '').map(contentTypeArgument));
  return CONTENT_TYPES.filter((type) => named.has(type));
}

function formatExport(result: ExportResult): string {
  const seconds = (result.durationMs / 1000).toFixed(1);
  const changes =
    result.created + result.updated + result.removed === 0
      ? 'nothing changed'
      : `${formatCount(result.created)} new, ${formatCount(result.updated)} changed, ${formatCount(result.removed)} removed`;
  return `Exported snapshot ${String(result.snapshotId)} to ${result.directory}: ${plural(result.items, 'item')} (${changes}; ${formatCount(result.unchanged)} unchanged) in ${seconds} s, ${formatCount(Math.round(result.itemsPerSecond))} items/s`;
}
