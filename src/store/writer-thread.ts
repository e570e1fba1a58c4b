import { parentPort, workerData } from 'node:worker_threads';
import type { SqlDatabase } from './sqlite.js';
import type { LookervaultError } from '../errors.js';
import { applyHeapFlags } from '../heap.js';
import { BatchApplier } from './apply.js';
import type { ItemValidator } from './types.js';
import { openWriterConnection } from './connection.js';
import { toDatabaseError } from './sqlite-errors.js';
import { decodeBatch, serializeError } from './thread-protocol.js';
import type { FromWriterThread, ToWriterThread, WriterThreadData } from './thread-protocol.js';

/**
 * The writer thread: its own connection to the vault, one BatchApplier, and a loop that commits
 * each batch it is sent and answers with the results. After the first failure it answers
 * every later batch with that failure: nothing is committed past a failed batch.
 */

const port = parentPort;
if (port) {
  const data = workerData as WriterThreadData;
  applyHeapFlags(data.v8Flags);
  // Loaded before the first message is handled (the port queues messages until then).
  const validate = data.validator ? await loadValidator(data.validator) : undefined;
  const action = `Could not write to \`${data.path}\``;
  let db: SqlDatabase | undefined;
  let applier: BatchApplier | undefined;
  let failure: LookervaultError | undefined;

  /** Replies; a batch's buffer goes back to the main thread's pool. */
  const send = (message: FromWriterThread): void => {
    port.postMessage(message, 'json' in message ? [message.json] : []);
  };

  const ready = (): BatchApplier => {
    if (!applier) {
      db = openWriterConnection(data.path, data.busyTimeoutMs);
      applier = new BatchApplier(db, data.runId, data.token, validate);
    }
    return applier;
  };

  port.on('message', (message: ToWriterThread) => {
    if (message.kind === 'commit') {
      const { id, json } = message;
      if (failure) {
        send({ kind: 'failed', id, error: serializeError(failure), json });
        return;
      }
      try {
        const results = ready().apply(decodeBatch(message.ops, json), message.nowMs);
        send({ kind: 'committed', id, results, json });
      } catch (error) {
        failure = toDatabaseError(error, action);
        send({ kind: 'failed', id, error: serializeError(failure), json });
      }
      return;
    }
    let closeError: LookervaultError | undefined;
    try {
      db?.close();
    } catch (error) {
      closeError = toDatabaseError(error, `Could not close \`${data.path}\``);
    }
    send(closeError ? { kind: 'closed', error: serializeError(closeError) } : { kind: 'closed' });
    port.close();
  });
}

async function loadValidator(
  spec: NonNullable<WriterThreadData['validator']>,
): Promise<ItemValidator> {
  const module = (await import(spec.moduleUrl)) as Record<string, unknown>;
  const validate = module[spec.exportName];
  if (typeof validate !== 'function') {
    throw new TypeError(`${spec.moduleUrl} does not export a function ${spec.exportName}`);
  }
  return validate as ItemValidator;
}
