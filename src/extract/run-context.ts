import type { ContentType } from '../content-types.js';
import type { ExtractEvent } from '../engine/events.js';
import type { ApiCaller } from '../looker/client.js';
import type { FolderScope } from './scope.js';
import type { ContentTypeSpec } from '../looker/registry.js';
import type { VaultWriter } from '../store/index.js';
import type { OffsetCoordinator } from './coordinator.js';
import type { ListingTrust } from './listing-trust.js';
import type { ExtractOptions } from './options.js';
import type { ProgressState } from './progress-state.js';
import type { PreparedRun, RunLedger } from './run-ledger.js';

/**
 * Everything one started run works with, built once when the run is prepared and handed to the
 * code that processes its units. Nothing in it is optional: a run that has a context has
 * started.
 */
export interface RunContext {
  run: PreparedRun;
  ledger: RunLedger;
  coordinator: OffsetCoordinator;
  writer: VaultWriter;
  progress: ProgressState;
  /** Whether each type with a whole listing takes its items from it, and why not. */
  trust: ListingTrust;
  registry: Record<ContentType, ContentTypeSpec>;
  options: ExtractOptions;
  /** The folders a scoped run backs up (undefined: the whole instance). */
  scope: FolderScope | undefined;
  /**
   * Listed items a type keeps (a scope's scheduled plans: those of its dashboards and looks),
   * set when the type starts.
   */
  scopeFilters: Map<ContentType, (item: unknown) => boolean>;
  /** The ids a filtered type's reconciliation compares with (set with its filter). */
  scopeIds: Map<ContentType, (api: ApiCaller, signal: AbortSignal) => Promise<string[]>>;
  /** Every API request of the run: through the gate, with retries. */
  api: ApiCaller;
  /** `api`, with the requests' slot time booked to `type` (for the progress ETA). */
  apiFor(type: ContentType): ApiCaller;
  /** Aborted when the run stops (Ctrl-C, a fatal error). */
  signal: AbortSignal;
  /** Whether the run is stopping: no new work is started. */
  stopping(): boolean;
  emit(event: ExtractEvent): void;
}
