import type { ExtractEventListener } from '../engine/events.js';
import type { RunSummary } from '../engine/run-summary.js';
import { openExtraction } from '../extract/open.js';
import { EXTRACT_DEFAULTS, defaultWorkers, type ExtractOptions } from '../extract/options.js';
import { explicitSettings } from '../looker/settings.js';
import { packageVersion } from './version.js';

/** The Looker instance to back up. The secret is used for the login only, never stored. */
export interface Connection {
  /** The API base URL, e.g. `https://mycompany.looker.com` (without `/api/4.0`). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Verify the server's TLS certificate. @default true */
  verifySsl?: boolean;
  /** Per-request timeout in seconds. @default 120 */
  timeoutSeconds?: number;
}

/** Everything `extract()` takes; what is not given has the CLI's default. */
export interface ExtractRequest extends Partial<ExtractOptions> {
  /** Path of the backup file; created when missing, resumed when its last run did not finish. */
  db: string;
  connection: Connection;
  /** Every event the CLI renders (run started, type states, failures, 429s, retries, finish). */
  onEvent?: ExtractEventListener;
  /** Aborting it stops the run like Ctrl-C: what was fetched is committed, the run is resumable. */
  signal?: AbortSignal;
}

/**
 * Backs up a Looker instance into the file `request.db` and resolves with the run summary (the
 * object `lookervault extract --json` prints). Rejects only when no run can start (wrong
 * credentials, a file that is not a backup, another process on it); what happens during the
 * run is in the summary's `status`.
 */
export async function extract(request: ExtractRequest): Promise<RunSummary> {
  const { db, connection, onEvent, signal, ...overrides } = request;
  const options: ExtractOptions = {
    types: [...EXTRACT_DEFAULTS.types],
    workers: defaultWorkers(),
    batchSize: EXTRACT_DEFAULTS.batchSize,
    maxRetries: EXTRACT_DEFAULTS.maxRetries,
    resume: EXTRACT_DEFAULTS.resume,
    ...overrides,
  };
  const { extraction, close } = openExtraction({
    settings: explicitSettings(connection, 'extract()'),
    dbPath: db,
    options,
    toolVersion: packageVersion(),
    typesGiven: overrides.types !== undefined,
  });
  if (onEvent) extraction.onEvent(onEvent);
  const interrupt = (): void => {
    extraction.interrupt();
  };
  if (signal?.aborted === true) interrupt();
  signal?.addEventListener('abort', interrupt, { once: true });
  try {
    return await extraction.execute();
  } finally {
    signal?.removeEventListener('abort', interrupt);
    await close();
  }
}
