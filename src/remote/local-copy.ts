import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, createGunzip } from 'node:zlib';
import { DatabaseError } from '../errors.js';
import type { Vault } from '../store/index.js';
import { toDatabaseError } from '../store/sqlite-errors.js';

/**
 * The files a push sends and a pull receives. The copy of the backup is made with `VACUUM INTO`:
 * one read transaction, so it is a consistent snapshot of the file even while an extract writes
 * to it (WAL), and compact. SQLite's page-by-page backup API would restart each time the writer
 * commits, which during an extract is every few hundred milliseconds: it might never finish.
 */

export function snapshotCopy(vault: Vault, destination: string): number {
  try {
    vault.db.prepare('VACUUM INTO ?').run(destination);
  } catch (error) {
    throw toDatabaseError(error, `Could not copy \`${vault.path}\` to ${destination}`);
  }
  return statSync(destination).size;
}

/** Counts and hashes what flows through. */
export class HashingStream extends Transform {
  readonly #hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }

  digest(): string {
    return this.#hash.digest('hex');
  }
}

/** Gzips `source` into `destination`: the SHA-256 of both sides. */
export async function compress(
  source: string,
  destination: string,
  signal?: AbortSignal,
): Promise<{ sha256: string; bytes: number; dbSha256: string; dbBytes: number }> {
  const raw = new HashingStream();
  const packed = new HashingStream();
  await pipeline(
    createReadStream(source),
    raw,
    createGzip({ level: 6 }),
    packed,
    createWriteStream(destination, { mode: 0o600 }),
    ...(signal ? [{ signal }] : []),
  );
  return {
    sha256: packed.digest(),
    bytes: packed.bytes,
    dbSha256: raw.digest(),
    dbBytes: raw.bytes,
  };
}

/** Gunzips `source` into `destination`: the SHA-256 of the result. */
export async function decompress(source: string, destination: string): Promise<string> {
  const out = new HashingStream();
  try {
    await pipeline(
      createReadStream(source),
      createGunzip(),
      out,
      createWriteStream(destination, { mode: 0o600 }),
    );
  } catch (error) {
    throw new DatabaseError(`The copy does not decompress: ${(error as Error).message}`, {
      hint: 'The object is damaged: pull another copy (`lookervault remote list`).',
      cause: error,
    });
  }
  return out.digest();
}
