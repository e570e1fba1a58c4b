import { Args } from '@oclif/core';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { dbFlag } from '../cli/db-flag.js';
import { contentTypeArgument, formatHistory, historyToJson } from '../cli/snapshot-output.js';
import { UsageError } from '../errors.js';
import { colorEnabled } from '../progress/style.js';
import { itemHistory, openVault } from '../store/index.js';

export default class History extends BaseCommand {
  static override summary = 'List the versions of one item across snapshots.';

  static override description = [
    'One row per stored version of the item: the snapshot that first held it, until when (changed or deleted in a later snapshot, or current), what happened (new, changed, trashed, restored, back after a deletion), its content hash and size, and its updated_at in Looker. Print a version with `show TYPE ID --snapshot N`.',
    EXIT_CODES_HELP,
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %> dashboard 42',
    '<%= config.bin %> <%= command.id %> look 7 --json',
  ];

  static override args = {
    type: Args.string({
      description: 'Content type (dashboard, look, folder, …).',
      required: true,
    }),
    id: Args.string({ description: "The item's Looker id.", required: true }),
  };

  static override flags = { db: dbFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(History);
    const type = contentTypeArgument(args.type);
    const vault = openVault(flags.db, { readonly: true });
    try {
      const versions = itemHistory(vault, type, args.id);
      if (versions.length === 0) {
        throw new UsageError(`The backup holds no ${type} with id ${args.id}`, {
          hint: `List what it holds with \`sqlite3 ${vault.path} "SELECT id, name FROM content_items WHERE content_type = '${type}'"\`.`,
        });
      }
      if (this.jsonEnabled()) this.logJson(historyToJson(type, args.id, versions));
      else {
        const color = colorEnabled(process.stdout, process.env);
        this.writeOut(formatHistory(type, args.id, versions, color));
      }
    } finally {
      vault.close();
    }
  }
}
