import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { RemoteError, UsageError } from '../errors.js';
import { openVault, verifyVault, type VerifyReport } from '../store/index.js';
import { HashingStream, decompress } from './local-copy.js';
import type { RemoteCopy, Storage } from './storage.js';

/**
 * `pull`: one copy (default the newest) downloaded, its SHA-256 checked against the one `push`
 * recorded, decompressed and checked again, then `verify`'d as a backup file; only a copy that
 * passes all of it is moved into place (next to the destination first, so the rename is atomic).
 * An existing file is never overwritten.
 */

export interface PullOptions {
  destination: string;
  /** A copy's name (see `remote list`); default the newest. */
  copy?: string;
  onPhase?: (phase: 'download' | 'decompress' | 'verify') => void;
  onDownloadProgress?: (received: number, total: number) => void;
}

export interface PullResult {
  location: string;
  copy: string;
  snapshotId: number;
  destination: string;
  bytes: number;
  dbBytes: number;
  verify: VerifyReport;
  durationMs: number;
}

export async function pullBackup(storage: Storage, options: PullOptions): Promise<PullResult> {
  const started = Date.now();
  const destination = path.resolve(options.destination);
  if (existsSync(destination)) {
    throw new UsageError(`${destination} exists`, {
      hint: 'pull never overwrites a file: name a new one with --to, or move that one away.',
    });
  }
  if (!existsSync(path.dirname(destination))) {
    throw new UsageError(`${path.dirname(destination)} does not exist`, {
      hint: 'Create the directory first, or name a file in an existing one with --to.',
    });
  }
  const copies = await storage.listCopies();
  const copy = chooseCopy(copies, options.copy, storage.location.url);
  const metadata = await storage.metadata(copy.key);
  if (!metadata) {
    throw new RemoteError(`${copy.name} carries no lookervault checksum`, {
      hint: 'It was not uploaded by `lookervault push` (or its metadata was lost): pull another copy.',
    });
  }
  const work = mkdtempSync(path.join(path.dirname(destination), '.lookervault-pull-'));
  try {
    options.onPhase?.('download');
    const packed = path.join(work, copy.name);
    const { body, size } = await storage.download(copy.key);
    const hashing = new HashingStream();
    hashing.on('data', () => options.onDownloadProgress?.(hashing.bytes, size));
    await pipeline(body, hashing, createWriteStream(packed, { mode: 0o600 }));
    if (hashing.digest() !== metadata.sha256) {
      throw new RemoteError(
        `${copy.name} does not match its checksum (damaged in storage or in transit)`,
        {
          hint: 'Pull it again; if it persists, pull an older copy (`lookervault remote list`).',
        },
      );
    }
    options.onPhase?.('decompress');
    const file = path.join(work, 'looker.db');
    if ((await decompress(packed, file)) !== metadata.dbSha256) {
      throw new RemoteError(`The backup file inside ${copy.name} does not match its checksum`, {
        hint: 'Pull an older copy (`lookervault remote list`).',
      });
    }
    rmSync(packed);
    options.onPhase?.('verify');
    const vault = openVault(file, { readonly: true });
    let report: VerifyReport;
    try {
      report = verifyVault(vault);
    } finally {
      vault.close();
    }
    if (!report.ok) {
      throw new RemoteError(
        `${copy.name} downloaded intact, but the backup file inside fails verify: ${report.problems[0]?.message ?? ''}`,
        { hint: 'Pull an older copy (`lookervault remote list`); nothing was written.' },
      );
    }
    renameSync(file, destination);
    return {
      location: storage.location.url,
      copy: copy.name,
      snapshotId: copy.snapshotId,
      destination,
      bytes: hashing.bytes,
      dbBytes: metadata.dbBytes,
      verify: report,
      durationMs: Date.now() - started,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function chooseCopy(
  copies: readonly RemoteCopy[],
  name: string | undefined,
  url: string,
): RemoteCopy {
  if (copies.length === 0) {
    throw new UsageError(`There is no backup copy at ${url}`, {
      hint: 'Push one first (`lookervault push`), or check the location.',
    });
  }
  if (name === undefined) return copies[copies.length - 1] as RemoteCopy;
  const found = copies.find((copy) => copy.name === name || copy.key === name);
  if (!found) {
    throw new UsageError(`There is no copy "${name}" at ${url}`, {
      hint: '`lookervault remote list` shows the copies.',
    });
  }
  return found;
}
