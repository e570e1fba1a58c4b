import { Flags } from '@oclif/core';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { dbFlag } from '../cli/db-flag.js';
import { formatPrune, pruneToJson } from '../cli/snapshot-output.js';
import { openVault, prune } from '../store/index.js';

export default class Prune extends BaseCommand {
  static override summary = 'Delete the versions no kept snapshot holds, and compact the file.';

  static override description = [
    "After `forget`: deletes every stored version that no remaining snapshot holds (the current version of every item always stays, so does everything an unfinished run wrote), then every content no version refers to, and the forgotten runs' checkpoints. Then VACUUMs the file so it shrinks (it needs free disk space about the size of the file; --no-vacuum skips it and later runs reuse the freed pages). Waits for no one: it refuses while an extract runs.",
    EXIT_CODES_HELP,
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %> --dry-run',
    '<%= config.bin %> <%= command.id %> --no-vacuum --json',
  ];

  static override flags = {
    db: dbFlag,
    'dry-run': Flags.boolean({
      description: 'Count what would be deleted; change nothing.',
      default: false,
    }),
    vacuum: Flags.boolean({
      description: 'Compact the file afterwards (default).',
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Prune);
    const vault = openVault(flags.db, { toolVersion: this.config.version });
    try {
      const dryRun = flags['dry-run'];
      const result = prune(vault, { dryRun, vacuum: flags.vacuum });
      if (this.jsonEnabled()) this.logJson(pruneToJson(result, dryRun));
      else this.writeOut(formatPrune(result, dryRun));
    } finally {
      vault.close();
    }
  }
}
