/**
 * lookervault as a library: back up a Looker instance into one SQLite file, and read it back.
 *
 * ```ts
 * import { extract, openBackup } from 'lookervault';
 * const summary = await extract({
 *   db: 'looker.db',
 *   connection: { baseUrl: 'https://mycompany.looker.com', clientId, clientSecret },
 *   workers: 8,
 *   onEvent: (event) => { if (event.kind === 'page-failed') console.warn(event.error); },
 * });
 * const backup = openBackup('looker.db');
 * console.log(summary.status, backup.contents());
 * backup.close();
 * ```
 *
 * The simulator is `lookervault/sim`.
 */
export { extract, type Connection, type ExtractRequest } from './library/extract.js';
export { openBackup, type Backup, type BackupItem } from './library/backup.js';
export type { ExtractEvent, ExtractEventListener } from './engine/events.js';
export type { RunSummary, TypeSummary, FailureSummary } from './engine/run-summary.js';
export type { FinalRunStatus, RunStatus, TypeState } from './engine/states.js';
export { CONTENT_TYPES, type ContentType } from './content-types.js';
export {
  AuthError,
  ConfigError,
  DatabaseBusyError,
  DatabaseError,
  ExitCode,
  LookervaultError,
  RequestAbortedError,
  UsageError,
} from './errors.js';
export type { ContentTypeSummary, RunDetail, RunListRow } from './store/index.js';
