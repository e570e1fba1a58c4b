import type { FinalRunStatus } from '../engine/states.js';
import type { RunSummary } from '../engine/run-summary.js';

/**
 * Where progress goes: stderr in production, a fake in tests. `columns`/`rows` are read on every
 * refresh, so a resized terminal gets a frame that fits.
 */
export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

/** A live progress display for one run. */
export interface ProgressRenderer {
  /** Subscribes to the engine's events and starts refreshing. Call once, before the run. */
  start(): void;
  /**
   * Draws the last frame (TTY) or flushes pending lines (plain) and unsubscribes. Pass the run's
   * summary when there is one: the final frame then shows the run's outcome. Safe to call twice.
   */
  stop(summary?: RunSummary, outcome?: FinalRunStatus): Promise<void>;
}
