import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { dbFlag } from '../cli/db-flag.js';
import { formatSnapshots, snapshotsToJson } from '../cli/snapshot-output.js';
import { colorEnabled } from '../progress/style.js';
import { listSnapshots, openVault } from '../store/index.js';

export default class Snapshots extends BaseCommand {
  static override summary = 'List the snapshots in the backup: one per finished extract.';

  static override description = [
    'Every extract that finishes (success or partial) is a snapshot: the exact set of items the instance held during that run, for the types it backed up. Items are stored once per distinct content, so a snapshot costs only what changed. Lists each with its time, kind (full or incremental), types, item count, what was new, changed, deleted and in the trash, duration and requests, oldest first.',
    'Reads the database only. See `history`, `show`, `forget` and `prune`.',
    EXIT_CODES_HELP,
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --db backups/looker.db --json',
  ];

  static override flags = { db: dbFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Snapshots);
    const vault = openVault(flags.db, { readonly: true });
    try {
      const snapshots = listSnapshots(vault);
      if (this.jsonEnabled()) this.logJson(snapshotsToJson(vault.path, snapshots));
      else {
        const color = colorEnabled(process.stdout, process.env);
        this.writeOut(formatSnapshots(vault.path, snapshots, color));
      }
    } finally {
      vault.close();
    }
  }
}
