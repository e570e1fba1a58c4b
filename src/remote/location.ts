import { UsageError } from '../errors.js';

/**
 * `s3://bucket/prefix`: where backup copies live. The prefix is a "directory" (it gets a trailing
 * `/`); copies are `<prefix>lookervault-<time>-s<snapshot>.db.gz`, and nothing else under the
 * prefix is ever listed as a copy or deleted.
 */
export interface RemoteLocation {
  bucket: string;
  /** "" or ending in "/". */
  prefix: string;
  /** As the user wrote it, for messages. */
  url: string;
}

export function parseRemote(value: string): RemoteLocation {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(value.trim());
  const bucket = match?.[1];
  if (!match || bucket === undefined || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new UsageError(`"${value}" is not an object storage location`, {
      hint: 'Write s3://BUCKET/PREFIX (AWS S3, or with --endpoint MinIO, Cloudflare R2, Google Cloud Storage, …); bucket names are 3-63 lowercase letters, digits, dots and dashes.',
    });
  }
  const rawPrefix = (match[2] ?? '').replace(/^\/+/, '').replace(/\/{2,}/g, '/');
  const prefix = rawPrefix === '' || rawPrefix.endsWith('/') ? rawPrefix : `${rawPrefix}/`;
  return { bucket, prefix, url: `s3://${bucket}/${prefix}` };
}

const COPY_NAME = /^lookervault-(\d{8}T\d{6}(?:\d{3})?Z)-s(\d+)\.db\.gz$/;

/** A copy's object name: the push time (UTC, to the millisecond) and the snapshot it holds. */
export function copyName(pushedAt: Date, snapshotId: number): string {
  const stamp = pushedAt.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `lookervault-${stamp}-s${String(snapshotId)}.db.gz`;
}

/** The push time and snapshot a copy's name says, or undefined for any other object. */
export function parseCopyName(name: string): { pushedAt: string; snapshotId: number } | undefined {
  const match = COPY_NAME.exec(name);
  if (!match?.[1] || match[2] === undefined) return undefined;
  const s = match[1];
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}.${s.length > 16 ? s.slice(15, 18) : '000'}Z`;
  return { pushedAt: iso, snapshotId: Number(match[2]) };
}
