import { DatabaseBusyError, DatabaseError, LookervaultError } from '../errors.js';
import type { StoredItem, StoredPage, WriterOp } from './apply.js';
import type { PageCommitResult } from './types.js';

/**
 * Messages between VaultWriter (main thread) and the writer thread. A batch travels as small
 * structured-cloned records plus ONE transferred buffer holding every item's JSON as UTF-8:
 * cloning thousands of 15 KB strings would cost both threads CPU and the thread's heap GC work,
 * while transferring a buffer is free and the thread binds slices of it directly.
 */

export interface WriterThreadData {
  path: string;
  runId: number;
  token: string;
  busyTimeoutMs: number;
  /** Module (URL) exporting the ItemValidator for unchecked items, and the export's name. */
  validator?: { moduleUrl: string; exportName: string };
  /** V8 flags the main thread set at run time, which starting this thread reset. */
  v8Flags: readonly string[];
}

export interface WireItem extends Omit<StoredItem, 'json'> {
  /** The item's JSON is `json.subarray(jsonStart, jsonEnd)` of the batch's buffer. */
  jsonStart: number;
  jsonEnd: number;
}

export type WireOp =
  | { kind: 'page'; page: Omit<StoredPage, 'items'> & { items: WireItem[] } }
  | Exclude<WriterOp, { kind: 'page' }>;

export type ToWriterThread =
  | { kind: 'commit'; id: number; ops: WireOp[]; json: ArrayBuffer; nowMs: number }
  | { kind: 'close' };

export type FromWriterThread =
  | { kind: 'committed'; id: number; results: PageCommitResult[]; json: ArrayBuffer }
  | { kind: 'failed'; id: number; error: SerializedError; json: ArrayBuffer }
  | { kind: 'closed'; error?: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  hint?: string;
}

export function serializeError(error: LookervaultError): SerializedError {
  return {
    name: error.name,
    message: error.message,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
  };
}

export function deserializeError(error: SerializedError): LookervaultError {
  const options = error.hint === undefined ? {} : { hint: error.hint };
  return error.name === 'DatabaseBusyError'
    ? new DatabaseBusyError(error.message, options)
    : new DatabaseError(error.message, options);
}

/**
 * Buffers for batches, recycled: the thread hands each one back with its result, so a long run
 * reuses a few buffers instead of asking the OS for fresh (page-faulting) memory per batch.
 */
export class BufferPool {
  readonly #free: ArrayBuffer[] = [];
  readonly #max: number;

  constructor(max = 2) {
    this.#max = max;
  }

  take(bytes: number): ArrayBuffer {
    const index = this.#free.findIndex((buffer) => buffer.byteLength >= bytes);
    if (index !== -1) return this.#free.splice(index, 1)[0] as ArrayBuffer;
    // Round up so that slightly larger batches later still fit.
    return new ArrayBuffer(Math.max(1024 * 1024, Math.ceil(bytes * 1.25)));
  }

  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === 0 || this.#free.length >= this.#max) return;
    this.#free.push(buffer);
  }
}

/** Packs a batch for the thread: the JSON of every item into one buffer, to be transferred. */
export function encodeBatch(
  ops: readonly WriterOp[],
  pool: BufferPool,
): { ops: WireOp[]; json: ArrayBuffer } {
  let total = 0;
  for (const op of ops) {
    if (op.kind !== 'page') continue;
    for (const item of op.page.items) {
      total +=
        typeof item.json === 'string' ? Buffer.byteLength(item.json, 'utf8') : item.json.byteLength;
    }
  }
  const json = pool.take(total);
  const buffer = Buffer.from(json);
  let offset = 0;
  const wire = ops.map((op): WireOp => {
    if (op.kind !== 'page') return op;
    const { items, ...page } = op.page;
    const wireItems = new Array<WireItem>(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as StoredItem;
      const start = offset;
      if (typeof item.json === 'string') offset += buffer.write(item.json, offset, 'utf8');
      else {
        buffer.set(item.json, offset);
        offset += item.json.byteLength;
      }
      wireItems[i] = {
        id: item.id,
        name: item.name,
        folderId: item.folderId,
        ownerId: item.ownerId,
        createdAt: item.createdAt,
        updatedAt: item.updatedAt,
        deleted: item.deleted,
        hash: item.hash,
        size: item.size,
        jsonStart: start,
        jsonEnd: offset,
        ...(item.unchecked ? { unchecked: true as const } : {}),
      };
    }
    return { kind: 'page', page: { ...page, items: wireItems } };
  });
  return { ops: wire, json };
}

/** Unpacks a batch in the thread: items' JSON become views of the transferred buffer. */
export function decodeBatch(ops: readonly WireOp[], json: ArrayBuffer): WriterOp[] {
  const bytes = new Uint8Array(json);
  return ops.map((op): WriterOp => {
    if (op.kind !== 'page') return op;
    const { items, ...page } = op.page;
    const stored = new Array<StoredItem>(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as WireItem;
      stored[i] = {
        id: item.id,
        name: item.name,
        folderId: item.folderId,
        ownerId: item.ownerId,
        createdAt: item.createdAt,
        updatedAt: item.updatedAt,
        deleted: item.deleted,
        hash: item.hash,
        size: item.size,
        json: bytes.subarray(item.jsonStart, item.jsonEnd),
        ...(item.unchecked ? { unchecked: true as const } : {}),
      };
    }
    return { kind: 'page', page: { ...page, items: stored } };
  });
}
