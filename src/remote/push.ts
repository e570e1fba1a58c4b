import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyPolicy, type RetentionPolicy } from '../store/retention.js';
import { resolveSnapshot, type Vault } from '../store/index.js';
import { compress, snapshotCopy } from './local-copy.js';
import { copyName } from './location.js';
import type { RemoteCopy, Storage } from './storage.js';

/**
 * `push`: a consistent copy of the backup file, gzipped, uploaded as one object whose name says
 * when and which snapshot, with the SHA-256 of both the object and the file inside in its
 * metadata. The object exists only once the upload completed (a killed push leaves at most
 * unfinished multipart parts, which no listing shows and the store expires). Then, when asked,
 * older copies are removed by restic's rules — only objects named like a copy, under the prefix.
 */

export interface PushOptions {
  toolVersion: string;
  /** Retention for the copies (the new one included); none: keep all. */
  keep?: RetentionPolicy;
  signal?: AbortSignal;
  onPhase?: (phase: 'copy' | 'compress' | 'upload' | 'retention') => void;
  onUploadProgress?: (sent: number, total: number) => void;
  /** The clock (tests). */
  now?: () => Date;
}

export interface PushResult {
  location: string;
  key: string;
  snapshotId: number;
  dbBytes: number;
  bytes: number;
  sha256: string;
  removed: string[];
  kept: string[];
  durationMs: number;
}

export async function pushBackup(
  vault: Vault,
  storage: Storage,
  options: PushOptions,
): Promise<PushResult> {
  const started = Date.now();
  const snapshot = resolveSnapshot(vault, undefined);
  const work = mkdtempSync(path.join(os.tmpdir(), 'lookervault-push-'));
  try {
    options.onPhase?.('copy');
    const copy = path.join(work, 'looker.db');
    snapshotCopy(vault, copy);
    options.onPhase?.('compress');
    const packed = path.join(work, 'looker.db.gz');
    const sums = await compress(copy, packed, options.signal);
    rmSync(copy);
    options.onPhase?.('upload');
    const key = `${storage.location.prefix}${copyName((options.now ?? (() => new Date()))(), snapshot.id)}`;
    await storage.upload(
      key,
      createReadStream(packed),
      {
        sha256: sums.sha256,
        dbSha256: sums.dbSha256,
        dbBytes: sums.dbBytes,
        snapshot: snapshot.id,
        toolVersion: options.toolVersion,
      },
      {
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (sent) => options.onUploadProgress?.(sent, sums.bytes),
      },
    );
    let removed: string[] = [];
    let kept: string[] = [];
    if (options.keep) {
      options.onPhase?.('retention');
      ({ removed, kept } = await applyRetention(storage, options.keep));
    }
    return {
      location: storage.location.url,
      key,
      snapshotId: snapshot.id,
      dbBytes: sums.dbBytes,
      bytes: sums.bytes,
      sha256: sums.sha256,
      removed,
      kept,
      durationMs: Date.now() - started,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Removes the copies the policy does not keep (the newest is always kept). */
export async function applyRetention(
  storage: Storage,
  policy: RetentionPolicy,
): Promise<{ removed: string[]; kept: string[] }> {
  const copies = await storage.listCopies();
  const decisions = applyPolicy(
    copies.map((copy, index) => ({ id: index, startedAt: copy.pushedAt, copy })),
    policy,
  );
  const removed: string[] = [];
  const kept: string[] = [];
  for (const decision of decisions) {
    const copy: RemoteCopy = decision.snapshot.copy;
    if (decision.keep) {
      kept.push(copy.name);
      continue;
    }
    await storage.delete(copy.key);
    removed.push(copy.name);
  }
  return { removed, kept };
}
