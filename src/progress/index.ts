/**
 * Progress, summary and status rendering: the engine emits a snapshot and events
 * (events.ts); everything the user sees of them is made here. See docs/progress.md.
 */
export type { ProgressMode } from './mode.js';
export { chooseProgressMode } from './mode.js';
export type { ProgressRenderer, ProgressStream } from './stream.js';
export { createProgressRenderer } from './create-renderer.js';
export type { CreateProgressRendererOptions } from './create-renderer.js';
export { ProgressDisplay } from './display.js';
export type { ProgressDisplayOptions } from './display.js';
export { PlainRenderer, formatProgressLine } from './plain-renderer.js';
export { TtyRenderer } from './tty-renderer.js';
export {
  progressFlags,
  parseProgressInterval,
  DEFAULT_PROGRESS_INTERVAL_MS,
  MIN_PROGRESS_INTERVAL_MS,
} from './flags.js';
export {
  formatSummary,
  summaryToJson,
  exitCodeForSummary,
  SUMMARY_FAILURES_SHOWN,
} from './summary-format.js';
export { colorEnabled } from './style.js';
