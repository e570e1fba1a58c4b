import { Flags } from '@oclif/core';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { numberFlag } from '../cli/number-flags.js';
import { requestFlags } from '../cli/request-flags.js';
import { onStopSignals } from '../cli/stop-signals.js';
import {
  CONTENT_TYPES,
  CONTENT_TYPE_PLURALS,
  parseContentType,
  type ContentType,
} from '../content-types.js';
import { ExitCode, UsageError } from '../errors.js';
import { openExtraction } from '../extract/open.js';
import { isScopedType } from '../extract/scope.js';
import type { Extraction } from '../extract/orchestrator.js';
import type { RunSummary } from '../engine/run-summary.js';
import {
  BATCH_SIZE_RANGE,
  EXTRACT_DEFAULTS,
  defaultWorkers,
  type ExtractOptions,
} from '../extract/options.js';
import { connectionFlags } from '../cli/connection-flags.js';
import { resolveSettings } from '../looker/settings.js';
import {
  ProgressDisplay,
  exitCodeForSummary,
  progressFlags,
  summaryToJson,
} from '../progress/index.js';

export default class Extract extends BaseCommand {
  static override summary = 'Back up Looker content into a SQLite file.';

  static override description = [
    'Lists every item of the chosen content types through the Looker API 4.0 and stores each, complete, in one SQLite file. N workers share the work; at most N requests are ever in flight, a 429 pauses them all for Retry-After and slows them down, transient errors are retried.',
    'Each page commits with its checkpoint, so an interrupted run (Ctrl-C, crash, lost network) resumes where it stopped: run the same command again.',
    EXIT_CODES_HELP,
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> extract',
    '<%= config.bin %> extract -w 16 --db backups/looker.db',
    '<%= config.bin %> extract --types dashboards,looks --rate-limit-per-second 20',
    '<%= config.bin %> extract --json | jq .status',
    '<%= config.bin %> extract --folders "Shared/Marketing,Shared/Finance" --recursive',
    '<%= config.bin %> extract --folders 42 --folders "Users/Jane Doe" --db marketing.db',
  ];

  static override flags = {
    types: Flags.string({
      char: 't',
      description: `Content types to back up, comma-separated or repeated. [default: all: ${CONTENT_TYPES.map((type) => CONTENT_TYPE_PLURALS[type]).join(', ')}]`,
      multiple: true,
      delimiter: ',',
    }),
    folders: Flags.string({
      description:
        'Back up only these folders: ids, or paths of folder names from a root ("Shared/Marketing/Weekly", "Users/Jane Doe"); comma-separated or repeated. Their dashboards and looks (trash included), the folders themselves and the scheduled plans of that content; other types you name with --types are backed up whole. [default: the whole instance]',
      multiple: true,
      // One value per --folders: a later word is an argument, not another folder.
      multipleNonGreedy: true,
      delimiter: ',',
      helpValue: 'ID|PATH',
    }),
    recursive: Flags.boolean({
      char: 'r',
      description: 'With --folders: every subfolder too, at any depth.',
      default: false,
    }),
    ...requestFlags,
    'batch-size': numberFlag('batch-size', {
      description: `Items per list request (${BATCH_SIZE_RANGE.min}-${BATCH_SIZE_RANGE.max}).`,
      default: EXTRACT_DEFAULTS.batchSize,
      ...BATCH_SIZE_RANGE,
      integer: true,
    }),
    fetch: Flags.option({
      description:
        'auto: take whole dashboards from listing pages (one request per page) where probes show them equal to dashboard(id), else fetch each by id; by-id: always fetch each item by id.',
      options: ['auto', 'by-id'] as const,
      default: 'auto' as const,
    })(),
    db: Flags.string({
      description: 'The SQLite backup file (created if missing).',
      default: './looker.db',
    }),
    'max-response-mb': numberFlag('max-response-mb', {
      description:
        'Fail a request whose response is larger than this many MiB (a broken or hostile server must not take the memory). Between 1 and 4096.',
      min: 1,
      max: 4096,
      integer: true,
      default: 256,
      helpValue: 'N',
    }),
    full: Flags.boolean({
      description:
        'Fetch every item again. By default, once the backup holds a complete snapshot of a type, dashboards and looks are listed with their updated_at and only new and changed ones are fetched, and explores only for changed models. Use --full after restoring an old file, after editing it by hand, or to re-check every item.',
      default: false,
    }),
    resume: Flags.boolean({
      description:
        'Continue the latest unfinished run of this database (default). --no-resume starts a new run.',
      default: EXTRACT_DEFAULTS.resume,
      allowNo: true,
    }),
    ...connectionFlags,
    ...progressFlags,
  };

  private extraction: Extraction | undefined;

  async run(): Promise<void> {
    const { flags } = await this.parse(Extract);
    const folders = parseFolders(flags.folders);
    if (flags.recursive && folders === undefined) {
      throw new UsageError('--recursive needs --folders', {
        hint: 'Name the folders whose subfolders to include: --folders "Shared/Marketing" --recursive.',
      });
    }
    const options: ExtractOptions = {
      types:
        folders !== undefined && flags.types === undefined
          ? CONTENT_TYPES.filter(isScopedType)
          : parseTypes(flags.types),
      ...(folders === undefined ? {} : { folders, recursive: flags.recursive }),
      workers: flags.workers ?? defaultWorkers(),
      batchSize: flags['batch-size'],
      maxRetries: flags['max-retries'],
      resume: flags.resume,
      fetch: flags.fetch,
      full: flags.full,
      maxResponseBytes: flags['max-response-mb'] * 1024 * 1024,
      ...(flags['rate-limit-per-second'] === undefined
        ? {}
        : { ratePerSecond: flags['rate-limit-per-second'] }),
      ...(flags['rate-limit-per-minute'] === undefined
        ? {}
        : { ratePerMinute: flags['rate-limit-per-minute'] }),
    };
    const settings = resolveSettings({ flags, env: process.env, cwd: process.cwd() });
    for (const notice of settings.notices) this.writeErr(`Warning: ${notice}`);

    const { extraction, close } = openExtraction({
      settings,
      dbPath: flags.db,
      options,
      toolVersion: this.config.version,
      typesGiven: flags.types !== undefined,
    });
    this.extraction = extraction;
    const display = new ProgressDisplay({
      source: extraction,
      progress: flags.progress,
      intervalMs: flags['progress-interval'],
      verbose: flags.verbose,
    });
    const stopOnSignal = this.handleSignals(extraction);
    try {
      display.start();
      const summary = await extraction.execute().catch(async (error: unknown) => {
        await display.abort();
        throw error;
      });
      const fatal = summary.status === 'failed' ? extraction.fatalError : undefined;
      // A fatal error is printed once, below the summary, with its hint (the thrown error).
      await display.finish(fatal ? withoutError(summary) : summary);
      if (this.jsonEnabled()) this.logJson(summaryToJson(summary));
      if (fatal) throw fatal;
      const code = exitCodeForSummary(summary);
      if (code !== ExitCode.Success) this.exit(code);
    } finally {
      stopOnSignal();
      await close();
    }
  }

  /**
   * First Ctrl-C (or SIGTERM): stop claiming work, abandon requests in flight, commit what was
   * fetched, mark the run resumable. A second Ctrl-C quits at once: every committed page is
   * safe (WAL + one transaction per batch); the rest is fetched again on resume.
   */
  private handleSignals(extraction: Extraction): () => void {
    return onStopSignals(
      () => {
        extraction.interrupt();
      },
      () => {
        this.writeErr('Interrupted again: quitting now. Run the same command to resume.');
      },
    );
  }
}

function withoutError(summary: RunSummary): RunSummary {
  const shown = { ...summary };
  delete shown.error;
  return shown;
}

/** The folders named with --folders, each once, in order (undefined: none). */
function parseFolders(values: string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const folders = [...new Set(values.map((value) => value.trim()))];
  if (folders.length === 0 || folders.includes('')) {
    throw new UsageError('--folders needs a folder id or path', {
      hint: 'Example: --folders "Shared/Marketing" or --folders 42.',
    });
  }
  return folders;
}

function parseTypes(values: string[] | undefined): ContentType[] {
  if (values === undefined || values.length === 0) return [...EXTRACT_DEFAULTS.types];
  const types = new Set<ContentType>();
  for (const value of values) {
    if (value.trim() === '') continue;
    const type = parseContentType(value);
    if (type === undefined) {
      throw new UsageError(`Unknown content type "${value}".`, {
        hint: `Choose from: ${CONTENT_TYPES.map((t) => CONTENT_TYPE_PLURALS[t]).join(', ')}.`,
      });
    }
    types.add(type);
  }
  if (types.size === 0) {
    throw new UsageError('--types needs at least one content type.', {
      hint: `Choose from: ${CONTENT_TYPES.map((t) => CONTENT_TYPE_PLURALS[t]).join(', ')}.`,
    });
  }
  return CONTENT_TYPES.filter((type) => types.has(type));
}
