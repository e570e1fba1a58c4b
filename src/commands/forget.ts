import { Args, Flags } from '@oclif/core';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { dbFlag } from '../cli/db-flag.js';
import { numberFlag } from '../cli/number-flags.js';
import { forgetToJson, formatForget, formatPrune } from '../cli/snapshot-output.js';
import { UsageError } from '../errors.js';
import { colorEnabled } from '../progress/style.js';
import {
  forgetSnapshots,
  listSnapshots,
  openVault,
  planForget,
  prune,
  type PruneResult,
  type RetentionPolicy,
} from '../store/index.js';

const keep = (what: string) =>
  numberFlag(`keep-${what}`, {
    description:
      what === 'last'
        ? 'Keep the newest N snapshots.'
        : `Keep the newest snapshot of each of the last N ${what === 'daily' ? 'days' : what.replace(/ly$/, 's')} that have one (UTC).`,
    min: 1,
    max: 1_000_000,
    integer: true,
    helpValue: 'N',
    helpGroup: 'POLICY',
  });

export default class Forget extends BaseCommand {
  static override summary = 'Remove snapshots by a retention policy (like restic forget).';

  static override description = [
    "Keeps the snapshots a --keep-* policy selects and forgets the others, with restic's rules: --keep-last N keeps the newest N; --keep-hourly/daily/weekly/monthly/yearly N keep the newest snapshot of each of the last N hours (days, ISO weeks, months, years) that have one; a snapshot any rule keeps is kept. Or name snapshot ids to forget. The newest snapshot and unfinished runs are never removed, and a request that names no snapshot or an unknown one removes nothing.",
    'Forgetting hides a snapshot; the versions only it held are deleted by `prune` (or --prune here), which also compacts the file. Use --dry-run first.',
    EXIT_CODES_HELP,
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %> --keep-daily 7 --keep-weekly 5 --keep-monthly 12 --dry-run',
    '<%= config.bin %> <%= command.id %> --keep-last 7 --prune',
    '<%= config.bin %> <%= command.id %> 3 4',
  ];

  static override strict = false;

  static override args = {
    ids: Args.string({ description: 'Snapshot ids to forget (instead of a policy).' }),
  };

  static override flags = {
    db: dbFlag,
    'keep-last': keep('last'),
    'keep-hourly': keep('hourly'),
    'keep-daily': keep('daily'),
    'keep-weekly': keep('weekly'),
    'keep-monthly': keep('monthly'),
    'keep-yearly': keep('yearly'),
    'dry-run': Flags.boolean({
      description: 'Show what would be removed; change nothing.',
      default: false,
    }),
    prune: Flags.boolean({
      description: 'Then delete what no kept snapshot needs (see `prune`).',
      default: false,
    }),
    vacuum: Flags.boolean({
      description:
        'With --prune: compact the file afterwards (default). --no-vacuum leaves freed pages for later runs to reuse.',
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Forget);
    const ids = (argv as string[]).map((value) => {
      if (!/^\d+$/.test(value)) {
        throw new UsageError(`"${value}" is not a snapshot id`, {
          hint: 'Snapshot ids are the numbers `lookervault snapshots` lists.',
        });
      }
      return Number(value);
    });
    const policy: RetentionPolicy = {};
    if (flags['keep-last'] !== undefined) policy.last = flags['keep-last'];
    if (flags['keep-hourly'] !== undefined) policy.hourly = flags['keep-hourly'];
    if (flags['keep-daily'] !== undefined) policy.daily = flags['keep-daily'];
    if (flags['keep-weekly'] !== undefined) policy.weekly = flags['keep-weekly'];
    if (flags['keep-monthly'] !== undefined) policy.monthly = flags['keep-monthly'];
    if (flags['keep-yearly'] !== undefined) policy.yearly = flags['keep-yearly'];
    const dryRun = flags['dry-run'];
    const vault = openVault(flags.db, { toolVersion: this.config.version });
    try {
      const decisions = planForget(listSnapshots(vault), { policy, ids });
      const removed = decisions.filter((d) => !d.keep).map((d) => d.snapshot.id);
      if (!dryRun) forgetSnapshots(vault, removed, new Date());
      let pruned: PruneResult | undefined;
      if (flags.prune) pruned = prune(vault, { dryRun, vacuum: flags.vacuum });
      if (this.jsonEnabled()) {
        this.logJson(forgetToJson(decisions, dryRun, pruned));
        return;
      }
      const color = colorEnabled(process.stdout, process.env);
      this.writeOut(formatForget(decisions, dryRun, color));
      if (pruned) this.writeOut(`\n${formatPrune(pruned, dryRun)}`);
      else if (!dryRun && removed.length > 0) {
        this.writeOut('\nRun `lookervault prune` to delete the data only those snapshots held.');
      }
    } finally {
      vault.close();
    }
  }
}
