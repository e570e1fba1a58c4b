import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Args, Flags } from '@oclif/core';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { connectionFlags } from '../cli/connection-flags.js';
import { dbFlag } from '../cli/db-flag.js';
import { numberFlag } from '../cli/number-flags.js';
import { requestFlags } from '../cli/request-flags.js';
import { onStopSignals } from '../cli/stop-signals.js';
import {
  formatPlan,
  formatRestoreSummary,
  planToJson,
  restoreSummaryToJson,
} from '../cli/restore-output.js';
import { ExitCode, UsageError } from '../errors.js';
import { defaultWorkers } from '../extract/options.js';
import { LookerClient } from '../looker/client.js';
import { ENV, resolveSettings, type LookerSettings } from '../looker/settings.js';
import { ProgressDisplay, progressFlags } from '../progress/index.js';
import { colorEnabled, createStyle } from '../progress/style.js';
import { Restore, type RestoreSummary } from '../restore/restore.js';
import { parseSelector, restoreTypeNamed } from '../restore/selectors.js';
import {
  CONFIGURATION_TYPES,
  DEFAULT_RESTORE_TYPES,
  NOT_RESTORABLE,
  RESTORE_TYPES,
  type RestoreType,
} from '../restore/types.js';
import { openVault } from '../store/index.js';
import { readExportedTree } from '../export/tree-reader.js';
import { readLatestRestoreRunId } from '../store/restore-journal.js';
import { RunStore } from '../store/runs.js';

/** Environment variables naming another target instance (never LOOKERSDK_*: those name the source). */
const TO_ENV = {
  baseUrl: 'LOOKERVAULT_TO_BASE_URL',
  clientId: 'LOOKERVAULT_TO_CLIENT_ID',
  clientSecret: 'LOOKERVAULT_TO_CLIENT_SECRET',
} as const;

export default class RestoreCommand extends BaseCommand {
  static override summary =
    'Bring back content from a snapshot: one item, a folder, or everything.';

  static override description = [
    'Compares each backed-up item with the target Looker first, then creates what is missing (deleted for good, or never there), takes out of the trash what is in it, updates what differs and skips what is identical. It never deletes anything in the target.',
    'SELECTOR is TYPE:ID: dashboard:42, look:17, folder:12 (the folder, its subfolders and their content), board:3, scheduled_plan:9. Without one, every item of --types is restored. What a selected item depends on (its folders, the looks its tiles show) is created when missing, never changed.',
    'The target is the instance the backup came from, with the usual connection settings. Another instance is named explicitly with --to-base-url and its own credentials (--to-config/--to-section, --to-client-id, or LOOKERVAULT_TO_* variables). Every item created or matched there is remembered in the backup file, so a second restore updates instead of duplicating; references (folders, queries, looks, dashboards, owners by email) are remapped.',
    'Without --dry-run, on a terminal, the plan is shown and confirmed first (--yes skips the question; so does a non-interactive run). A restore is a run: `status` lists it and its failures, and `restore --retry-failed` tries those again.',
    EXIT_CODES_HELP,
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %> dashboard:42 --dry-run',
    '<%= config.bin %> <%= command.id %> folder:12 --snapshot 7 --yes',
    '<%= config.bin %> <%= command.id %> --types dashboards,looks --on-conflict skip',
    '<%= config.bin %> <%= command.id %> --to-base-url https://prod.looker.com --to-config prod.ini --yes',
    '<%= config.bin %> <%= command.id %> --retry-failed',
    '<%= config.bin %> <%= command.id %> --from-dir ./looker-content --to-base-url https://dev.looker.com --to-config dev.ini --db dev-mapping.db',
  ];

  static override strict = false;

  static override args = {
    selector: Args.string({
      description: 'What to restore, TYPE:ID (several allowed). None: everything of --types.',
      required: false,
    }),
  };

  static override flags = {
    db: dbFlag,
    snapshot: numberFlag('snapshot', {
      description: 'The snapshot to restore from (see `snapshots`). [default: the latest]',
      min: 1,
      integer: true,
      helpValue: 'ID',
    }),
    types: Flags.string({
      char: 't',
      description: `Types to restore, comma-separated: ${RESTORE_TYPES.join(', ')}. Configuration (${CONFIGURATION_TYPES.join(', ')}) only when named here or by a selector. [default: ${DEFAULT_RESTORE_TYPES.join(', ')}]`,
      multiple: true,
      delimiter: ',',
    }),
    'dry-run': Flags.boolean({
      char: 'n',
      description: 'Show the plan (a row per item, counts, requests) and write nothing.',
      default: false,
    }),
    'on-conflict': Flags.option({
      description:
        'What to do with an item that exists in the target and differs: update it, skip it, or create a copy beside it.',
      options: ['update', 'skip', 'copy'] as const,
      default: 'update' as const,
    })(),
    yes: Flags.boolean({
      char: 'y',
      description: 'Do not ask for confirmation.',
      default: false,
    }),
    'from-dir': Flags.string({
      description:
        'Restore from a tree made by `export` instead of a snapshot. The restore and its id mapping are recorded in --db (created when missing).',
      helpValue: 'DIR',
      exclusive: ['snapshot'],
    }),
    'retry-failed': Flags.boolean({
      description:
        'Retry only the items the latest restore failed or skipped (and what they need).',
      default: false,
    }),
    ...requestFlags,
    ...connectionFlags,
    ...progressFlags,
    verbose: Flags.boolean({
      char: 'v',
      description:
        'List skipped items in the plan too, every item as it is written, and every retry.',
      default: false,
      helpGroup: 'OUTPUT',
    }),
    'to-base-url': Flags.string({
      description: `Restore into this other Looker instance (env ${TO_ENV.baseUrl}).`,
      helpGroup: 'TARGET',
    }),
    'to-client-id': Flags.string({
      description: `API client id for the other instance (env ${TO_ENV.clientId}).`,
      helpGroup: 'TARGET',
    }),
    'to-client-secret': Flags.string({
      description: `API client secret for the other instance. Discouraged: prefer env ${TO_ENV.clientSecret} or --to-config.`,
      helpGroup: 'TARGET',
    }),
    'to-config': Flags.string({
      description: 'Looker SDK ini file with the other instance’s settings.',
      helpGroup: 'TARGET',
    }),
    'to-section': Flags.string({
      description: 'Section of --to-config to read. [default: the first section]',
      helpGroup: 'TARGET',
    }),
  };

  private restore: Restore | undefined;

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(RestoreCommand);
    const selectors = (argv as string[]).map(parseSelector);
    // A selector of a configuration type asks for that type (without --types).
    const types =
      flags.types === undefined
        ? RESTORE_TYPES.filter(
            (type) =>
              DEFAULT_RESTORE_TYPES.includes(type) || selectors.some((s) => s.type === type),
          )
        : parseTypes(flags.types);
    const otherInstance =
      flags['to-base-url'] !== undefined ||
      flags['to-config'] !== undefined ||
      process.env[TO_ENV.baseUrl] !== undefined;
    const settings = otherInstance ? targetSettings(flags) : sourceSettings(flags);
    for (const notice of settings.notices) this.writeErr(`Warning: ${notice}`);
    const workers = flags.workers ?? defaultWorkers();
    let fromDir = flags['from-dir'];
    const vault = openVault(flags.db, {
      toolVersion: this.config.version,
      create: fromDir !== undefined,
    });
    let client: LookerClient | undefined;
    try {
      let retryRun: number | undefined;
      let snapshotId = flags.snapshot;
      if (flags['retry-failed']) {
        retryRun = readLatestRestoreRunId(vault);
        if (retryRun === undefined) {
          throw new UsageError('There is no earlier restore to retry', {
            hint: 'Run `lookervault restore` first; --retry-failed then retries what it could not restore.',
          });
        }
        const previous = new RunStore(vault).get(retryRun);
        const snapshot = previous?.config.snapshot;
        if (snapshotId === undefined && typeof snapshot === 'number') snapshotId = snapshot;
        const previousDir = previous?.config.fromDir;
        if (fromDir === undefined && typeof previousDir === 'string') fromDir = previousDir;
      }
      const fromTree = fromDir === undefined ? undefined : readExportedTree(fromDir);
      client = LookerClient.create(settings, {
        poolSize: workers,
        timeoutMs: settings.timeoutSeconds * 1000,
        userAgent: `lookervault/${this.config.version}`,
      });
      const restore = new Restore(
        { vault, client, toolVersion: this.config.version },
        {
          ...(snapshotId === undefined ? {} : { snapshotId }),
          types,
          selectors,
          onConflict: flags['on-conflict'],
          workers,
          maxRetries: flags['max-retries'],
          ...(flags['rate-limit-per-second'] === undefined
            ? {}
            : { ratePerSecond: flags['rate-limit-per-second'] }),
          ...(flags['rate-limit-per-minute'] === undefined
            ? {}
            : { ratePerMinute: flags['rate-limit-per-minute'] }),
          ...(retryRun === undefined ? {} : { retryRun }),
          ...(fromTree ? { fromTree } : {}),
          otherInstance,
        },
      );
      this.restore = restore;
      const style = createStyle(colorEnabled(process.stderr, process.env));
      if (!this.jsonEnabled()) {
        this.writeErr(
          'Reading the backup and the target to plan the restore (nothing is written yet)…',
        );
      }
      const plan = await restore.plan();
      for (const name of flags.types ?? []) {
        const type = name.trim().toLowerCase().replace(/s$/, '');
        const reason = NOT_RESTORABLE[type];
        if (reason !== undefined) plan.unrestorable.push({ type, id: null, reason });
      }
      if (flags['dry-run']) {
        if (this.jsonEnabled()) this.logJson(planToJson(plan, restore.summarizePlan()));
        else this.writeOut(formatPlan(plan, { style, all: flags.verbose }));
        return;
      }
      if (!this.jsonEnabled()) {
        this.writeErr(formatPlan(plan, { style, all: flags.verbose, rows: flags.verbose }));
      }
      if (!flags.yes && !this.jsonEnabled() && process.stdin.isTTY && process.stderr.isTTY) {
        const confirmed = await confirm('Restore now? [y/N] ');
        if (!confirmed) {
          this.writeErr('Nothing restored.');
          return;
        }
      }
      const stopOnSignal = this.handleSignals(restore);
      const display = new ProgressDisplay({
        source: restore.progress,
        progress: flags.progress,
        intervalMs: flags['progress-interval'],
        verbose: flags.verbose,
      });
      const unsubscribe = restore.onEvent((event) => {
        if (!flags.verbose || this.jsonEnabled() || event.kind !== 'item') return;
        const { result } = event;
        if (result.outcome === 'done' && result.action !== 'skip') {
          restore.progress.emit({
            kind: 'notice',
            message: `${result.action} ${result.type} ${result.sourceId} → ${result.targetId ?? '-'} (${result.title})`,
          });
        }
      });
      let summary: RestoreSummary;
      try {
        display.start();
        summary = await restore.execute().catch(async (error: unknown) => {
          await display.abort();
          throw error;
        });
        await display.end(summary.status);
      } finally {
        unsubscribe();
        stopOnSignal();
      }
      if (this.jsonEnabled()) this.logJson(restoreSummaryToJson(summary));
      else this.writeErr(formatRestoreSummary(summary, style));
      if (summary.status === 'interrupted') this.exit(ExitCode.Interrupted);
      if (summary.status === 'partial') this.exit(ExitCode.Partial);
    } finally {
      if (client) {
        await client.logout();
        await client.close();
      }
      vault.close();
    }
  }

  /** First Ctrl-C: stop at the next item (each item's journal is consistent). Second: quit. */
  private handleSignals(restore: Restore): () => void {
    return onStopSignals(
      () => {
        this.writeErr('Stopping after the items in progress… (Ctrl-C again to quit now)');
        restore.interrupt();
      },
      () => {
        this.writeErr(
          'Interrupted again: quitting now. Run the same restore again: it finds what it made.',
        );
      },
    );
  }
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function parseTypes(values: string[] | undefined): RestoreType[] {
  if (values === undefined || values.length === 0) return [...DEFAULT_RESTORE_TYPES];
  const types = new Set<RestoreType>();
  for (const value of values) {
    const name = value.trim().toLowerCase();
    if (name === '') continue;
    const type = restoreTypeNamed(name);
    if (type !== undefined) {
      types.add(type);
      continue;
    }
    if (NOT_RESTORABLE[name.replace(/s$/, '')] !== undefined) continue;
    throw new UsageError(`Unknown content type "${value}".`, {
      hint: `Restorable types: ${RESTORE_TYPES.join(', ')}.`,
    });
  }
  if (types.size === 0) {
    throw new UsageError('--types names nothing restorable.', {
      hint: `Restorable types: ${RESTORE_TYPES.join(', ')}.`,
    });
  }
  return RESTORE_TYPES.filter((type) => types.has(type));
}

function sourceSettings(flags: Record<string, unknown>): LookerSettings {
  return resolveSettings({
    flags: {
      'base-url': flags['base-url'] as string | undefined,
      'client-id': flags['client-id'] as string | undefined,
      'client-secret': flags['client-secret'] as string | undefined,
      config: flags.config as string | undefined,
      section: flags.section as string | undefined,
      'verify-ssl': flags['verify-ssl'] as boolean | undefined,
      timeout: flags.timeout as number | undefined,
    },
    env: process.env,
    cwd: process.cwd(),
  });
}

/** Settings of another instance: only from --to-* flags, --to-config and LOOKERVAULT_TO_*. */
function targetSettings(flags: Record<string, unknown>): LookerSettings {
  const env: NodeJS.ProcessEnv = {};
  if (process.env[TO_ENV.baseUrl]) env[ENV.baseUrl] = process.env[TO_ENV.baseUrl];
  if (process.env[TO_ENV.clientId]) env[ENV.clientId] = process.env[TO_ENV.clientId];
  if (process.env[TO_ENV.clientSecret]) env[ENV.clientSecret] = process.env[TO_ENV.clientSecret];
  return resolveSettings({
    flags: {
      'base-url': flags['to-base-url'] as string | undefined,
      'client-id': flags['to-client-id'] as string | undefined,
      'client-secret': flags['to-client-secret'] as string | undefined,
      config: typeof flags['to-config'] === 'string' ? path.resolve(flags['to-config']) : undefined,
      section: flags['to-section'] as string | undefined,
      'verify-ssl': flags['verify-ssl'] as boolean | undefined,
      timeout: flags.timeout as number | undefined,
    },
    env,
    // No implicit ./looker.ini for the other instance: it names the source.
    cwd: '/nonexistent-lookervault-target',
  });
}
