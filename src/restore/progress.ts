/**
 * A restore seen by the same renderers as an extraction (TTY frame, plain lines, events): each
 * restored type is a row whose "stored" count is the items finished (written, identical, failed
 * or skipped) out of those planned, so the bar and the percentage read "how far along".
 */
import type { ContentType } from '../content-types.js';
import type {
  ExtractEvent,
  ExtractEventListener,
  ProgressSnapshot,
  TypeProgress,
  TypeState,
} from '../engine/events.js';
import type { RequestGate } from '../engine/gate.js';
import type { RequestMetrics } from '../engine/metrics.js';
import { requestProgress } from '../extract/progress-state.js';
import {
  RESTORE_TYPES,
  type PlannedItem,
  type RestoreItemResult,
  type RestoreType,
} from './types.js';

interface TypeCounts {
  planned: number;
  finished: number;
  created: number;
  updated: number;
  identical: number;
  failed: number;
  started: boolean;
}

const RATE_WINDOW_MS = 5000;

export class RestoreProgress {
  readonly #listeners = new Set<ExtractEventListener>();
  readonly #types = new Map<RestoreType, TypeCounts>();
  readonly #finishedAt: number[] = [];
  readonly #startedAt: number;
  #runId = 0;
  readonly #inFlight = new Set<string>();

  constructor(
    private readonly workers: number,
    private readonly metrics: RequestMetrics,
    private readonly gate: RequestGate,
    private readonly now: () => number = Date.now,
  ) {
    this.#startedAt = now();
  }

  onEvent(listener: ExtractEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: ExtractEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  planned(runId: number, items: readonly PlannedItem[], dbPath: string, baseUrl: string): void {
    this.#runId = runId;
    for (const type of RESTORE_TYPES) {
      const planned = items.filter((item) => item.type === type).length;
      if (planned === 0) continue;
      this.#types.set(type, {
        planned,
        finished: 0,
        created: 0,
        updated: 0,
        identical: 0,
        failed: 0,
        started: false,
      });
    }
    this.emit({
      kind: 'run-started',
      runId,
      resumed: false,
      types: [...this.#types.keys()] as ContentType[],
      workers: this.workers,
      dbPath,
      baseUrl,
    });
  }

  itemStarted(item: PlannedItem): void {
    this.#inFlight.add(`${item.type}:${item.sourceId}`);
    const counts = this.#types.get(item.type);
    if (counts && !counts.started) {
      counts.started = true;
      this.emit({
        kind: 'type-state',
        type: item.type,
        state: 'listing',
        expected: counts.planned,
      });
    }
  }

  itemFinished(result: RestoreItemResult): void {
    const counts = this.#types.get(result.type);
    if (!counts) return;
    this.#inFlight.delete(`${result.type}:${result.sourceId}`);
    counts.finished += 1;
    if (result.outcome !== 'done') counts.failed += 1;
    else if (result.action === 'create' || result.action === 'copy') counts.created += 1;
    else if (result.action === 'update' || result.action === 'undelete') counts.updated += 1;
    else counts.identical += 1;
    this.#finishedAt.push(this.now());
    if (result.outcome === 'failed') {
      this.emit({
        kind: 'notice',
        message: `Not restored: ${result.type} ${result.sourceId} (${result.title}): ${result.error ?? ''}`,
      });
    }
    if (counts.finished === counts.planned) {
      this.emit({
        kind: 'type-state',
        type: result.type,
        state: counts.failed > 0 ? 'failed' : 'done',
        expected: counts.planned,
      });
    }
  }

  snapshot(): ProgressSnapshot {
    const now = this.now();
    const metrics = this.metrics.snapshot();
    const limiter = this.gate.snapshot();
    while (this.#finishedAt.length > 0 && (this.#finishedAt[0] as number) < now - RATE_WINDOW_MS) {
      this.#finishedAt.shift();
    }
    const elapsed = Math.min(RATE_WINDOW_MS, Math.max(1, now - this.#startedAt));
    const perSecond = (this.#finishedAt.length * 1000) / elapsed;
    const types: TypeProgress[] = [...this.#types].map(([type, counts]) => ({
      type: type,
      state: stateOf(counts),
      stored: counts.finished,
      new: counts.created,
      changed: counts.updated,
      unchanged: counts.identical,
      invalid: counts.failed,
      pagesDone: 0,
      pagesFailed: 0,
      pagesInFlight: 0,
      expected: counts.planned,
      itemsPerSecond: counts.started && counts.finished < counts.planned ? perSecond : 0,
    }));
    const finished = types.reduce((n, t) => n + t.stored, 0);
    const failed = types.reduce((n, t) => n + t.invalid, 0);
    return {
      runId: this.#runId,
      elapsedMs: now - this.#startedAt,
      workers: {
        active: Math.min(this.workers, this.#inFlight.size),
        total: this.workers,
        detail: [],
      },
      items: { stored: finished, perSecond },
      ...requestProgress(metrics, limiter),
      failures: { pages: 0, items: failed },
      writerQueue: { depth: 0, capacity: 0 },
      types,
    };
  }
}

function stateOf(counts: TypeCounts): TypeState {
  if (counts.finished >= counts.planned) return counts.failed > 0 ? 'failed' : 'done';
  return counts.started ? 'listing' : 'waiting';
}
