/**
 * The vocabulary of the store: what the orchestrator hands the writer, and what the run
 * bookkeeping and the readers hand back. Column-level documentation lives in docs/store.md.
 */

import type { RunStatus, TypeState } from '../engine/states.js';

export {
  FINAL_RUN_STATUSES,
  RESUMABLE_STATUSES,
  RUN_STATUSES,
  TYPE_STATES,
  type FinalRunStatus,
  type RunStatus,
  type TypeState,
} from '../engine/states.js';

/** What the registry reads from an item: its identity and the columns beside its JSON. */
export interface ItemMetadata {
  id: string;
  name: string | null;
  folderId: string | null;
  ownerId: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  /** Soft-deleted in Looker (in the trash), not removed. */
  deleted: boolean;
}

/** One item, ready to store: `json` is its canonical JSON, `hash` the SHA-256 hex of it. */
export interface ItemWrite extends ItemMetadata {
  /** Canonical JSON (see `canonicalJson`): the stored content. */
  json: string;
  /** `contentHash(json)`. */
  hash: string;
  /** Size of `json` in UTF-8 bytes. */
  size: number;
}

/**
 * One item as the server sent it (any JSON text of it). The writer computes its canonical JSON,
 * hash and size where it commits: in its thread, off the event loop that runs the requests.
 */
export interface RawItemWrite extends ItemMetadata {
  /** Its JSON text, or the UTF-8 bytes of it. */
  rawJson: string | Uint8Array;
}

/**
 * One item whose JSON nobody has parsed yet: the writer parses it, checks it with the
 * writer's {@link ItemValidator} (which also reads its metadata), canonicalizes and hashes it,
 * all in its thread. An item that fails the check is recorded as an item failure of its page
 * instead of being stored. This keeps JSON.parse of large items off the event loop entirely.
 */
export interface UncheckedItemWrite {
  /** The id the item was asked for by (used in the failure when its JSON has no usable id). */
  id: string;
  /** Its JSON text, or the UTF-8 bytes of it. */
  rawJson: string | Uint8Array;
  unchecked: true;
}

/** What an {@link ItemValidator} says of one parsed item. */
export type ItemCheck = ({ ok: true } & ItemMetadata) | { ok: false; id?: string; error: string };

/**
 * Checks one parsed item of a content type and reads its metadata (the registry's zod
 * validation). Must not throw. Runs wherever the writer commits, so it is given to the writer
 * as a module the writer thread can import (see `VaultWriterOptions.validator`).
 */
export type ItemValidator = (type: string, value: unknown) => ItemCheck;

/** An item problem found while committing: reported back so the caller can tell the user. */
export interface ItemProblem {
  id?: string;
  error: string;
}

/**
 * One unit of work (usually a page of a listing) and everything it produced. Its items and its
 * checkpoint commit in the same transaction: after a crash either both exist or neither does.
 */
export interface PageWrite {
  type: string;
  /** Identifies the unit within (run, type), e.g. `o:1200`, or `f7/o:0` for a folder's stream. */
  unitKey: string;
  offset?: number;
  limit?: number;
  /** How many items the server returned (before validation): end-of-list detection on resume. */
  rawCount: number;
  items: (ItemWrite | RawItemWrite | UncheckedItemWrite)[];
  /** Items the page listed but that could not be stored (failed detail call, invalid shape). */
  invalid: { id?: string; error: string }[];
  /**
   * Set when the page failed: its checkpoint is written as failed (a resume fetches it again).
   * Items it did fetch are stored all the same; `invalid` lists what it could not.
   */
  failure?: { error: string; attempts: number };
  /**
   * Ids the listing showed unchanged since their stored version (incremental runs): recorded as
   * seen by this run without fetching or rewriting their content.
   */
  seen?: string[];
  /**
   * Set on a type's reconciliation marker when reconciliation fetched every item the id listing
   * named: the type's failed listing pages are then recovered (their checkpoints become done,
   * and item failures of items stored since are dropped).
   */
  recoversListing?: boolean;
  /** How many requests the page took when it succeeded (stored in the checkpoint). @default 1 */
  attempts?: number;
  /**
   * A page of a folder-scoped type in a scoped run: its items (stored and seen) are recorded as
   * the run's snapshot of that type.
   */
  scoped?: boolean;
}

/** What committing one page did, reported through `onCommit`. */
export interface PageCommitResult {
  type: string;
  unitKey: string;
  /** Items written (new + changed + unchanged). */
  stored: number;
  new: number;
  changed: number;
  unchanged: number;
  invalid: number;
  failed: boolean;
  /** Unchecked items that failed their check while committing (already counted in `invalid`). */
  problems: ItemProblem[];
  /** The writer's time on this page, its share of the transaction's commit included, ms. */
  writeMs?: number;
}

export interface RunRecord {
  id: number;
  /** `extract` (a backup run: a snapshot once finished) or `restore`. */
  kind: 'extract' | 'restore';
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  types: string[];
  /** The run's configuration, without secrets. */
  config: Record<string, unknown>;
  baseUrl: string;
  toolVersion: string;
  ownerPid: number | null;
  ownerHost: string | null;
  heartbeatAt: string | null;
  /** How many times the run was resumed after an interruption. */
  resumeCount: number;
  summary: unknown;
}

export interface ItemCounts {
  stored: number;
  new: number;
  changed: number;
  unchanged: number;
  invalid: number;
}

export interface TypeStateRecord extends ItemCounts {
  type: string;
  state: TypeState;
  /** The offset where the listing ends, once known. */
  endOffset: number | null;
  pagesDone: number;
  pagesFailed: number;
  startedAt: string | null;
  updatedAt: string;
  finishedAt: string | null;
}

/** A checkpointed page, as resume needs it. */
export interface UnitRecord {
  type: string;
  unitKey: string;
  offset: number | null;
  limit: number | null;
  /** Items stored from the page. */
  itemCount: number;
  /** Items the server returned for the page. */
  rawCount: number;
}

export interface FailedUnitRecord {
  type: string;
  unitKey: string;
  offset: number | null;
  limit: number | null;
  error: string;
  attempts: number;
  updatedAt: string;
}

export interface ItemFailureRecord {
  type: string;
  itemId: string | null;
  unitKey: string;
  error: string;
  recordedAt: string;
}
