import { Args } from '@oclif/core';
import pLimit from 'p-limit';
import { BaseCommand, EXIT_CODES_HELP } from '../../cli/base-command.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../../cli/snapshot-output.js';
import { storageFlags, storageOptions } from '../../cli/storage-flags.js';
import { formatBytes, plural } from '../../progress/format.js';
import { createStyle } from '../../progress/style.js';
import { renderTable } from '../../progress/table.js';
import { parseRemote } from '../../remote/location.js';

export default class RemoteList extends BaseCommand {
  static override summary = 'List the backup copies in object storage.';

  static override description = [
    'Lists the copies `push` made under s3://BUCKET/PREFIX, oldest first: name, when pushed, the snapshot inside, size stored, size of the file, and whether it carries its checksum. Only complete uploads exist as objects, so every copy listed can be pulled. Other objects under the prefix are not shown.',
    EXIT_CODES_HELP,
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %> s3://acme-backups/looker',
    '<%= config.bin %> <%= command.id %> s3://looker --endpoint http://127.0.0.1:9000 --json',
  ];

  static override args = {
    location: Args.string({ description: 'Where: s3://BUCKET/PREFIX.', required: true }),
  };

  static override flags = { ...storageFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RemoteList);
    const location = parseRemote(args.location);
    const { Storage } = await import('../../remote/storage.js');
    const storage = new Storage(location, storageOptions(flags));
    try {
      const copies = await storage.listCopies();
      // One HEAD per copy for its checksum and size, eight at a time.
      const limit = pLimit(8);
      const detailed = await Promise.all(
        copies.map((copy) =>
          limit(async () => ({ ...copy, metadata: await storage.metadata(copy.key) })),
        ),
      );
      if (this.jsonEnabled()) {
        this.logJson({
          schemaVersion: SNAPSHOT_SCHEMA_VERSION,
          location: location.url,
          copies: detailed.map((copy) => ({
            name: copy.name,
            key: copy.key,
            pushedAt: copy.pushedAt,
            snapshotId: copy.snapshotId,
            bytes: copy.size,
            dbBytes: copy.metadata?.dbBytes ?? null,
            sha256: copy.metadata?.sha256 ?? null,
          })),
        });
        return;
      }
      if (detailed.length === 0) {
        this.writeOut(`No backup copies at ${location.url}`);
        return;
      }
      const table = renderTable({
        header: ['name', 'pushed (UTC)', 'snapshot', 'stored', 'file', 'checksum'],
        rows: detailed.map((copy) => [
          copy.name,
          copy.pushedAt.replace('T', ' ').slice(0, 19),
          String(copy.snapshotId),
          formatBytes(copy.size),
          copy.metadata ? formatBytes(copy.metadata.dbBytes) : '-',
          copy.metadata ? copy.metadata.sha256.slice(0, 12) : 'missing',
        ]),
        align: ['left', 'left', 'right', 'right', 'right', 'left'],
        style: createStyle(false),
      });
      this.writeOut(
        [...table, '', `${plural(detailed.length, 'copy', 'copies')} at ${location.url}`].join(
          '\n',
        ),
      );
    } finally {
      storage.close();
    }
  }
}
