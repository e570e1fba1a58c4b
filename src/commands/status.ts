import { Flags } from '@oclif/core';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { numberFlag } from '../cli/number-flags.js';
import { UsageError } from '../errors.js';
import { colorEnabled } from '../progress/style.js';
import {
  formatRunDetail,
  formatRunList,
  runDetailToJson,
  runListToJson,
} from '../cli/status-output.js';
import { getRunDetail, listRuns, openVault } from '../store/index.js';

/** Runs listed when --limit is not given. */
const DEFAULT_RUN_LIMIT = 20;
/** Failed pages and item failures shown for one run when --limit is not given. */
const DEFAULT_FAILURE_LIMIT = 50;

export default class Status extends BaseCommand {
  static override summary = 'Show recent backup runs, or one run in detail.';

  static override description = [
    'Lists the most recent runs in the backup database: id, start, duration, status, items stored, failures, and whether `lookervault extract` would resume it. With --run, shows one run: each content type with its state and counts, the pages that failed and the items that could not be stored, with their errors.',
    'Reads the database only; it never changes it. Results go to stdout (--json: one object, schema in docs/progress.md).',
    EXIT_CODES_HELP,
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --run 12',
    '<%= config.bin %> <%= command.id %> --db backups/looker.db --limit 5 --json',
  ];

  static override flags = {
    db: Flags.string({
      description: 'Path of the backup database.',
      default: 'looker.db',
      helpValue: 'PATH',
    }),
    run: numberFlag('run', {
      description: 'Show this run in detail.',
      min: 1,
      integer: true,
      helpValue: 'ID',
    }),
    limit: numberFlag('limit', {
      description: `How many runs to list (default ${DEFAULT_RUN_LIMIT}); with --run, how many failed pages and item failures to show (default ${DEFAULT_FAILURE_LIMIT}).`,
      min: 1,
      max: 10_000,
      integer: true,
      helpValue: 'N',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Status);
    const vault = openVault(flags.db, { readonly: true });
    try {
      const color = !this.jsonEnabled() && colorEnabled(process.stdout, process.env);
      if (flags.run === undefined) {
        const runs = listRuns(vault, { limit: flags.limit ?? DEFAULT_RUN_LIMIT });
        if (this.jsonEnabled()) this.logJson(runListToJson(vault.path, runs));
        else this.writeOut(formatRunList(vault.path, runs, { color }).trimEnd());
        return;
      }
      const detail = getRunDetail(vault, flags.run, {
        failureLimit: flags.limit ?? DEFAULT_FAILURE_LIMIT,
      });
      if (!detail) {
        throw new UsageError(`There is no run ${flags.run} in \`${vault.path}\``, {
          hint: `Run \`${this.config.bin} status\` to list the runs.`,
        });
      }
      if (this.jsonEnabled()) this.logJson(runDetailToJson(vault.path, detail));
      else this.writeOut(formatRunDetail(detail, { color }).trimEnd());
    } finally {
      vault.close();
    }
  }
}
