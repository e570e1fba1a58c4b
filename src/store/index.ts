/**
 * The store: everything that touches the SQLite backup file. See docs/store.md for the schema.
 *
 *   openVault(path, options)           open/create/check/migrate the file  → Vault
 *   new RunStore(vault)                 runs, the lock, resume bookkeeping
 *   new VaultWriter(vault, runId, …)    the one writer (bounded queue, one transaction per batch)
 *   listRuns / getRunDetail / …         what `status` shows
 *   canonicalJson / contentHash         the stored form of an item and its hash
 */
export { canonicalJson, contentHash, makeItemWrite } from './canonical.js';
export { openVault } from './vault.js';
export type { IntegrityReport, OpenVaultOptions, Vault } from './vault.js';
export { RunStore } from './runs.js';
export type { IdQueryOptions, RunStoreOptions, StartRunInput } from './runs.js';
export { VaultWriter } from './writer.js';
export type { VaultWriterOptions } from './writer.js';
export { contentSummary, getRunDetail, isRunResumable, listRuns } from './readers.js';
export type {
  ContentTypeSummary,
  ReaderOptions,
  RunCounts,
  RunDetail,
  RunOwnerInfo,
  RunListRow,
} from './readers.js';
export { isSecretKey, sanitizeConfig } from './sanitize.js';
export { APP_NAME, SCHEMA_VERSION } from './schema.js';
export { HEARTBEAT_INTERVAL_MS, STALE_AFTER_MS, isProcessAlive } from './owner.js';
export type { OwnerEnvironment } from './owner.js';
export { RESUMABLE_STATUSES, RUN_STATUSES, TYPE_STATES } from './types.js';
export type {
  FailedUnitRecord,
  FinalRunStatus,
  ItemCounts,
  ItemCheck,
  ItemFailureRecord,
  ItemMetadata,
  ItemProblem,
  ItemValidator,
  ItemWrite,
  RawItemWrite,
  PageCommitResult,
  PageWrite,
  RunRecord,
  RunStatus,
  TypeState,
  TypeStateRecord,
  UncheckedItemWrite,
  UnitRecord,
} from './types.js';
export {
  countDeletedByType,
  countFailuresByType,
  countItemsByType,
  readFingerprints,
  readStoredItem,
  readTypesListedCompletely,
} from './run-content.js';
export type { StoredFingerprint, TypeFailureCounts } from './run-content.js';
export {
  describeIds,
  itemContent,
  itemHistory,
  listSnapshots,
  resolveSnapshot,
  snapshotEntries,
  snapshotFingerprints,
} from './snapshots.js';
export type {
  SnapshotEntry,
  SnapshotFingerprint,
  SnapshotRecord,
  VersionRecord,
} from './snapshots.js';
export { applyPolicy, hasRules, planForget, POLICY_RULES } from './retention.js';
export type { PolicyRule, RetentionDecision, RetentionPolicy } from './retention.js';
export { forgetSnapshots, prune } from './maintenance.js';
export type { PruneOptions, PruneResult } from './maintenance.js';
export { VERIFY_CHECKS, verifyVault } from './verify.js';
export type { VerifyCheck, VerifyProblem, VerifyReport } from './verify.js';
export { diffSnapshots, diffValues, formatPath } from './diff.js';
export type { TypeDiff, ValueChange } from './diff.js';
export { iterateItems, listItems, snapshotFolders, userIdsByEmail } from './listing.js';
export type { FolderNode, ListedItem, ListQuery } from './listing.js';
export { readUserEmails } from './restore-journal.js';
export { folderChildren, folderFilter, folderPaths } from './folder-tree.js';
export { contentReader, iterateExportRows } from './export-reader.js';
export type { ExportRow } from './export-reader.js';
