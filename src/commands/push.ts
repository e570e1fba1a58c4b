import { Args, Flags } from '@oclif/core';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { dbFlag } from '../cli/db-flag.js';
import { numberFlag } from '../cli/number-flags.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../cli/snapshot-output.js';
import { onStopSignals } from '../cli/stop-signals.js';
import { storageFlags, storageOptions } from '../cli/storage-flags.js';
import { ExitCode } from '../errors.js';
import { formatBytes } from '../progress/format.js';
import { parseRemote } from '../remote/location.js';
import { openVault, type RetentionPolicy } from '../store/index.js';

const keep = (what: string, unit: string) =>
  numberFlag(`keep-${what}`, {
    description: `Then keep the newest copy of each of the last N ${unit} that have one, and remove older copies.`,
    min: 1,
    integer: true,
    helpValue: 'N',
  });

export default class Push extends BaseCommand {
  static override summary =
    'Upload a consistent copy of the backup file to object storage (S3 and compatible).';

  static override description = [
    'Copies the backup file as it is now (consistent even while an extract writes to it), gzips it and uploads it as s3://BUCKET/PREFIX/lookervault-<time>-s<snapshot>.db.gz (multipart for large files), with the SHA-256 of the object and of the file in its metadata, which `pull` checks. An interrupted push leaves no copy behind. With --keep N (or --keep-daily/--keep-weekly/--keep-monthly, by restic’s rules) older copies under the prefix are then removed; other objects there are never touched. Credentials come from the standard AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, instance or container roles).',
    EXIT_CODES_HELP,
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %> s3://acme-backups/looker',
    '<%= config.bin %> <%= command.id %> s3://acme-backups/looker --keep-daily 7 --keep-weekly 4 --keep-monthly 12',
    '<%= config.bin %> <%= command.id %> s3://looker --endpoint http://minio.internal:9000 --keep 14',
  ];

  static override args = {
    destination: Args.string({ description: 'Where: s3://BUCKET/PREFIX.', required: true }),
  };

  static override flags = {
    db: dbFlag,
    keep: numberFlag('keep', {
      description: 'Then keep only the newest N copies under the prefix.',
      min: 1,
      integer: true,
      helpValue: 'N',
    }),
    'keep-daily': keep('daily', 'days'),
    'keep-weekly': keep('weekly', 'weeks'),
    'keep-monthly': keep('monthly', 'months'),
    ...storageFlags,
    progress: Flags.boolean({
      description:
        'Say each step on stderr (and the bytes sent, on a terminal). --no-progress: only the result.',
      allowNo: true,
      default: true,
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Push);
    const location = parseRemote(args.destination);
    const policy: RetentionPolicy = {};
    if (flags.keep !== undefined) policy.last = flags.keep;
    if (flags['keep-daily'] !== undefined) policy.daily = flags['keep-daily'];
    if (flags['keep-weekly'] !== undefined) policy.weekly = flags['keep-weekly'];
    if (flags['keep-monthly'] !== undefined) policy.monthly = flags['keep-monthly'];
    const vault = openVault(flags.db, { readonly: true });
    // Loaded here: the SDK is large and only these commands need it.
    const { Storage } = await import('../remote/storage.js');
    const { pushBackup } = await import('../remote/push.js');
    const storage = new Storage(location, storageOptions(flags));
    const abort = new AbortController();
    const stop = onStopSignals(
      () => {
        this.writeErr('Stopping: the upload is aborted, no copy is left behind…');
        abort.abort();
      },
      () => undefined,
    );
    const showProgress = flags.progress && !this.jsonEnabled();
    try {
      const result = await pushBackup(vault, storage, {
        toolVersion: this.config.version,
        ...(Object.keys(policy).length > 0 ? { keep: policy } : {}),
        signal: abort.signal,
        onPhase: (phase) => {
          if (!showProgress) return;
          const said = {
            copy: 'Copying the backup file…',
            compress: 'Compressing…',
            upload: `Uploading to ${location.url}…`,
            retention: 'Removing older copies…',
          }[phase];
          this.writeErr(said);
        },
        onUploadProgress: (sent, total) => {
          if (!showProgress || !process.stderr.isTTY) return;
          process.stderr.write(`\r${formatBytes(sent)} / ${formatBytes(total)}\u001b[K`);
        },
      });
      if (showProgress && process.stderr.isTTY) process.stderr.write('\r\u001b[K');
      if (this.jsonEnabled()) {
        this.logJson({ schemaVersion: SNAPSHOT_SCHEMA_VERSION, ...result });
      } else {
        this.writeErr(
          [
            `Pushed snapshot ${String(result.snapshotId)} to s3://${location.bucket}/${result.key}: ${formatBytes(result.bytes)} (the file is ${formatBytes(result.dbBytes)}) in ${(result.durationMs / 1000).toFixed(1)} s`,
            ...(result.removed.length > 0
              ? [`Removed ${String(result.removed.length)} older: ${result.removed.join(', ')}`]
              : []),
          ].join('\n'),
        );
      }
    } catch (error) {
      if (abort.signal.aborted) this.exit(ExitCode.Interrupted);
      throw error;
    } finally {
      stop();
      storage.close();
      vault.close();
    }
  }
}
