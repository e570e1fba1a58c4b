import { Args, Flags } from '@oclif/core';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { dbFlag } from '../cli/db-flag.js';
import { numberFlag } from '../cli/number-flags.js';
import { contentTypeArgument, SNAPSHOT_SCHEMA_VERSION } from '../cli/snapshot-output.js';
import { UsageError } from '../errors.js';
import { itemContent, openVault, resolveSnapshot } from '../store/index.js';

export default class Show extends BaseCommand {
  static override summary = "Print one item's stored JSON.";

  static override description = [
    'Prints the item as the given snapshot held it (default: its newest stored version, which for an item deleted in Looker is its last known content), on stdout: pretty-printed on a terminal, and when piped or redirected the stored canonical JSON (sorted keys, no whitespace) byte for byte, whose SHA-256 is the hash `history` shows. --pretty and --raw choose either anywhere.',
    EXIT_CODES_HELP,
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %> dashboard 42',
    '<%= config.bin %> <%= command.id %> dashboard 42 --snapshot 3 > dashboard-42.json',
    "<%= config.bin %> <%= command.id %> look 7 | jq '.query'",
    '<%= config.bin %> <%= command.id %> look 7 --pretty | less',
  ];

  static override args = {
    type: Args.string({
      description: 'Content type (dashboard, look, folder, …).',
      required: true,
    }),
    id: Args.string({ description: "The item's Looker id.", required: true }),
  };

  static override flags = {
    db: dbFlag,
    snapshot: numberFlag('snapshot', {
      description: 'The snapshot to read the item from (see `snapshots`).',
      min: 1,
      integer: true,
      helpValue: 'ID',
    }),
    raw: Flags.boolean({
      description: 'Print the stored canonical JSON exactly, on one line (the default when piped).',
      default: false,
      exclusive: ['pretty'],
    }),
    pretty: Flags.boolean({
      description: 'Pretty-print, indented by two spaces (the default on a terminal).',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Show);
    const type = contentTypeArgument(args.type);
    const vault = openVault(flags.db, { readonly: true });
    try {
      const snapshot =
        flags.snapshot === undefined ? undefined : resolveSnapshot(vault, flags.snapshot).id;
      const found = itemContent(vault, type, args.id, snapshot);
      if (!found) {
        throw new UsageError(
          snapshot === undefined
            ? `The backup holds no ${type} with id ${args.id}`
            : `Snapshot ${snapshot} holds no ${type} with id ${args.id}`,
          { hint: `See its versions with \`lookervault history ${type} ${args.id}\`.` },
        );
      }
      if (this.jsonEnabled()) {
        this.logJson({
          schemaVersion: SNAPSHOT_SCHEMA_VERSION,
          type,
          id: args.id,
          fromSnapshot: found.fromRun,
          hash: found.hash,
          content: JSON.parse(found.json) as unknown,
        });
      } else if (flags.pretty || (!flags.raw && process.stdout.isTTY)) {
        process.stdout.write(`${JSON.stringify(JSON.parse(found.json), null, 2)}\n`);
      } else {
        process.stdout.write(`${found.json}\n`);
      }
    } finally {
      vault.close();
    }
  }
}
