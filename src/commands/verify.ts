import { Flags } from '@oclif/core';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { connectionFlags } from '../cli/connection-flags.js';
import { dbFlag } from '../cli/db-flag.js';
import { numberFlag } from '../cli/number-flags.js';
import { CONTENT_TYPE_PLURALS, isContentType } from '../content-types.js';
import { ExitCode, LookervaultError, UsageError } from '../errors.js';
import { isScopedType } from '../extract/scope.js';
import { LookerClient } from '../looker/client.js';
import { compareLive, type LiveTypeComparison } from '../looker/live-compare.js';
import { resolveSettings, type ConnectionFlagValues } from '../looker/settings.js';
import { formatBytes, formatCount, plural } from '../progress/format.js';
import { renderTable } from '../progress/table.js';
import { createStyle } from '../progress/style.js';
import {
  openVault,
  resolveSnapshot,
  snapshotFingerprints,
  verifyVault,
  type SnapshotRecord,
  type VerifyReport,
} from '../store/index.js';

/** Version of `verify --json`'s shape. */
export const VERIFY_SCHEMA_VERSION = 1;

export default class Verify extends BaseCommand {
  static override summary =
    'Check that the backup file is intact: every content re-hashed, every reference resolvable.';

  static override description = [
    "Reads the whole file without changing a byte of it: SQLite's integrity check; every stored content re-hashed with SHA-256 and compared with its recorded hash and size (a flipped byte in a dashboard's JSON is found); every version's content and runs present and its interval of runs well formed; every snapshot readable; a folder scope's records and the restore mapping consistent. Prints each problem and exits 1 if there is any, 0 if none.",
    'Run it after copying a backup, before relying on an old one, or from cron after each extract.',
    EXIT_CODES_HELP,
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --db backups/looker.db --json | jq .problems',
    '<%= config.bin %> <%= command.id %> --live',
  ];

  static override flags = {
    db: dbFlag,
    live: Flags.boolean({
      description:
        'Instead: compare a snapshot (default the latest) with the instance now, through cheap listings only (ids; for dashboards and looks also updated_at and the trash), and report the items new, changed or gone since. Needs the connection settings of the instance the backup is of.',
      default: false,
    }),
    snapshot: numberFlag('snapshot', {
      description: 'With --live: the snapshot to compare (see `snapshots`). [default: the latest]',
      min: 1,
      integer: true,
      helpValue: 'ID',
    }),
    ...connectionFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Verify);
    if (flags.snapshot !== undefined && !flags.live) {
      throw new UsageError('--snapshot goes with --live', {
        hint: 'verify (without --live) checks the whole file, every snapshot in it.',
      });
    }
    if (flags.live) {
      await this.live(flags);
      return;
    }
    const file = path.resolve(flags.db);
    let report: VerifyReport;
    let opened = true;
    if (!existsSync(file)) {
      // Nothing to verify: the path is wrong (exit 2), not the file damaged.
      openVault(file, { readonly: true });
      return;
    }
    try {
      const vault = openVault(file, { readonly: true });
      try {
        report = verifyVault(vault);
      } finally {
        vault.close();
      }
    } catch (error) {
      // A file too damaged to open is a finding, like any other.
      opened = false;
      const message = error instanceof Error ? error.message : String(error);
      report = {
        ok: false,
        problems: [{ check: 'sqlite', message }],
        counts: { contents: 0, contentBytes: 0, versions: 0, snapshots: 0, mappings: 0 },
      };
    }
    if (this.jsonEnabled()) {
      this.logJson({ schemaVersion: VERIFY_SCHEMA_VERSION, database: file, ...report });
    } else {
      this.writeOut(formatReport(file, report, opened));
    }
    if (!report.ok) {
      const error = new LookervaultError(
        `${plural(report.problems.length, 'problem')} found in \`${file}\``,
        {
          hint: 'Keep this file for inspection; back up again into a new file (or `pull` a good copy) before relying on it.',
        },
      );
      this.writeErr(`Error: ${error.message}\nHint: ${error.hint ?? ''}`);
      this.exit(ExitCode.Error);
    }
  }

  /** `--live`: the snapshot against the instance, by cheap listings. */
  private async live(
    flags: ConnectionFlagValues & { db: string; snapshot?: number },
  ): Promise<void> {
    const vault = openVault(flags.db, { readonly: true });
    let snapshot: SnapshotRecord;
    const stored = new Map<string, ReturnType<typeof snapshotFingerprints>>();
    try {
      snapshot = resolveSnapshot(vault, flags.snapshot);
      for (const type of snapshot.types) {
        stored.set(type, snapshotFingerprints(vault, snapshot.id, type));
      }
    } finally {
      vault.close();
    }
    const settings = resolveSettings({ flags, env: process.env, cwd: process.cwd() });
    for (const notice of settings.notices) this.writeErr(`Warning: ${notice}`);
    if (instance(settings.baseUrl) !== instance(snapshot.baseUrl)) {
      throw new UsageError(
        `Snapshot ${snapshot.id} is of ${snapshot.baseUrl}, not of ${settings.baseUrl}`,
        {
          hint: 'Point the connection settings (--base-url, LOOKERSDK_BASE_URL, looker.ini) at the instance the backup is of.',
        },
      );
    }
    // A folder-scoped snapshot holds part of its scoped types: comparing them with the whole
    // instance would call everything outside the scope new.
    const scoped =
      snapshot.scope === null
        ? []
        : snapshot.types.filter((t) => isContentType(t) && isScopedType(t));
    const types = snapshot.types.filter(isContentType).filter((type) => !scoped.includes(type));
    const client = LookerClient.create(settings, {
      poolSize: 4,
      userAgent: `lookervault/${this.config.version}`,
    });
    const comparisons: LiveTypeComparison[] = [];
    try {
      await client.login();
      for (const type of types) {
        comparisons.push(await compareLive(client, type, stored.get(type) ?? new Map()));
      }
    } finally {
      await client.logout().catch(() => undefined);
      await client.close();
    }
    if (this.jsonEnabled()) {
      this.logJson({
        schemaVersion: VERIFY_SCHEMA_VERSION,
        snapshot: snapshot.id,
        baseUrl: snapshot.baseUrl,
        types: comparisons,
        skipped: scoped,
      });
      return;
    }
    this.writeOut(formatLive(snapshot, comparisons, scoped));
  }
}

function formatReport(file: string, report: VerifyReport, opened: boolean): string {
  const { counts } = report;
  const lines = [
    opened
      ? `Verified ${file}: ${formatCount(counts.contents)} contents (${formatBytes(counts.contentBytes)}) re-hashed, ${formatCount(counts.versions)} versions, ${plural(counts.snapshots, 'snapshot')}, ${plural(counts.mappings, 'restore mapping')}.`
      : `Could not read ${file} far enough to check its content.`,
  ];
  if (report.ok) {
    lines.push('No problems found.');
    return lines.join('\n');
  }
  const width = Math.max(...report.problems.map((problem) => problem.check.length));
  lines.push('', `${plural(report.problems.length, 'problem')}:`);
  for (const problem of report.problems) {
    lines.push(`  ${problem.check.padEnd(width)}  ${problem.message}`);
  }
  return lines.join('\n');
}

function instance(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').toLowerCase();
}

/** Ids shown per cell before "…". */
const IDS_SHOWN = 5;

function formatLive(
  snapshot: SnapshotRecord,
  comparisons: readonly LiveTypeComparison[],
  skipped: readonly string[],
): string {
  const style = createStyle(false);
  const ids = (list: readonly string[]): string =>
    list.length === 0
      ? '0'
      : `${formatCount(list.length)} (${list.slice(0, IDS_SHOWN).join(', ')}${list.length > IDS_SHOWN ? ', …' : ''})`;
  const rows = comparisons.map((c) => [
    CONTENT_TYPE_PLURALS[c.type],
    formatCount(c.snapshot),
    formatCount(c.live),
    ids(c.new),
    c.changesKnown ? ids(c.changed) : '-',
    ids(c.gone),
  ]);
  const lines = [
    `Snapshot ${snapshot.id} (${snapshot.startedAt}) against ${snapshot.baseUrl} now:`,
    '',
    ...renderTable({
      header: ['type', 'snapshot', 'Looker', 'new', 'changed', 'gone'],
      rows,
      align: ['left', 'right', 'right', 'left', 'left', 'left'],
      style,
    }),
  ];
  const total = comparisons.reduce(
    (n, c) => n + c.new.length + c.changed.length + c.gone.length,
    0,
  );
  lines.push(
    '',
    total === 0
      ? 'In sync: nothing new, changed or gone since the snapshot.'
      : `${plural(total, 'item')} new, changed or gone since the snapshot: \`lookervault extract\` backs them up.`,
  );
  if (comparisons.some((c) => !c.changesKnown)) {
    lines.push(
      '"-": changes inside those items cannot be seen without their content (only new and gone).',
    );
  }
  if (skipped.length > 0) {
    lines.push(`Not compared: ${skipped.join(', ')} (the snapshot holds a folder scope of them).`);
  }
  return lines.join('\n');
}
