import { Args, Flags } from '@oclif/core';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../cli/snapshot-output.js';
import { storageFlags, storageOptions } from '../cli/storage-flags.js';
import { formatBytes } from '../progress/format.js';
import { parseRemote } from '../remote/location.js';

export default class Pull extends BaseCommand {
  static override summary =
    'Download a backup copy from object storage into a new local file, verified.';

  static override description = [
    'Downloads one copy (default: the newest; see `remote list`), checks it against the SHA-256 `push` recorded, decompresses it, checks the file’s SHA-256 too, and runs `verify` on it. Only a copy that passes everything is written, to a file that must not exist yet.',
    EXIT_CODES_HELP,
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %> s3://acme-backups/looker --to restored.db',
    '<%= config.bin %> <%= command.id %> s3://acme-backups/looker --copy lookervault-20261207T020000123Z-s41.db.gz --to looker-dec7.db',
  ];

  static override args = {
    source: Args.string({ description: 'Where: s3://BUCKET/PREFIX.', required: true }),
  };

  static override flags = {
    to: Flags.string({
      description: 'The local file to create (never overwritten).',
      required: true,
      helpValue: 'PATH',
    }),
    copy: Flags.string({
      description: 'Which copy, by name (see `remote list`). [default: the newest]',
      helpValue: 'NAME',
    }),
    ...storageFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Pull);
    const location = parseRemote(args.source);
    const { Storage } = await import('../remote/storage.js');
    const { pullBackup } = await import('../remote/pull.js');
    const storage = new Storage(location, storageOptions(flags));
    const showProgress = process.stderr.isTTY && !this.jsonEnabled();
    try {
      const result = await pullBackup(storage, {
        destination: flags.to,
        ...(flags.copy === undefined ? {} : { copy: flags.copy }),
        onPhase: (phase) => {
          if (showProgress) {
            this.writeErr(
              { download: 'Downloading…', decompress: 'Decompressing…', verify: 'Verifying…' }[
                phase
              ],
            );
          }
        },
      });
      if (this.jsonEnabled()) {
        this.logJson({
          schemaVersion: SNAPSHOT_SCHEMA_VERSION,
          location: result.location,
          copy: result.copy,
          snapshotId: result.snapshotId,
          destination: result.destination,
          bytes: result.bytes,
          dbBytes: result.dbBytes,
          verified: result.verify.ok,
          durationMs: result.durationMs,
        });
      } else {
        this.writeErr(
          `Pulled ${result.copy} (snapshot ${String(result.snapshotId)}) into ${result.destination}: ${formatBytes(result.dbBytes)}, checksums match, verify passed (${String(result.verify.counts.contents)} contents re-hashed) in ${(result.durationMs / 1000).toFixed(1)} s`,
        );
      }
    } finally {
      storage.close();
    }
  }
}
