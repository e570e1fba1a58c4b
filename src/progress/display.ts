import type { FinalRunStatus } from '../engine/states.js';
import type { ProgressSource } from '../engine/events.js';
import { DEFAULT_PROGRESS_INTERVAL_MS } from './flags.js';
import { createProgressRenderer } from './create-renderer.js';
import { chooseProgressMode, type ProgressMode } from './mode.js';
import type { ProgressRenderer, ProgressStream } from './stream.js';
import { colorEnabled } from './style.js';
import { formatSummary } from './summary-format.js';
import type { RunSummary } from '../engine/run-summary.js';

/**
 * Everything a command shows on stderr around one extraction, in one object: picks the mode,
 * runs the live display, and at the end draws the final frame and prints the human summary.
 *
 *   const display = new ProgressDisplay({ source: extraction, progress: flags.progress,
 *     intervalMs: flags['progress-interval'], verbose: flags.verbose });
 *   display.start();
 *   const summary = await extraction.execute();   // SIGINT → extraction.interrupt()
 *   await display.finish(summary);                 // final frame + summary on stderr
 *   if (flags.json) this.writeJson(summaryToJson(summary));
 *   this.exit(exitCodeForSummary(summary));
 *
 * If the run throws before it has a summary, call `abort()` so the display lets go of the
 * terminal before the error is printed.
 */
export interface ProgressDisplayOptions {
  source: ProgressSource;
  /** `--[no-]progress`: false shows nothing until the summary. */
  progress: boolean;
  /** `--progress-interval` (ms). @default 5000 */
  intervalMs?: number;
  /** `--verbose`. @default false */
  verbose?: boolean;
  /** Where everything goes. @default process.stderr */
  stream?: ProgressStream;
  /** For NO_COLOR, CI, TERM. @default process.env */
  env?: NodeJS.ProcessEnv;
}

export class ProgressDisplay {
  readonly mode: ProgressMode;
  private readonly stream: ProgressStream;
  private readonly color: boolean;
  private readonly renderer: ProgressRenderer;
  private finished = false;

  constructor(options: ProgressDisplayOptions) {
    this.stream = options.stream ?? process.stderr;
    const env = options.env ?? process.env;
    this.mode = chooseProgressMode({
      isTTY: this.stream.isTTY,
      noProgress: !options.progress,
      env,
    });
    this.color = colorEnabled(this.stream, env);
    this.renderer = createProgressRenderer(this.mode, {
      source: options.source,
      stream: this.stream,
      verbose: options.verbose ?? false,
      intervalMs: options.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS,
      color: this.color,
    });
  }

  start(): void {
    this.renderer.start();
  }

  /** Draws the final frame (or flushes the last lines), then prints the human summary. */
  async finish(summary: RunSummary): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.renderer.stop(summary);
    this.stream.write(`\n${formatSummary(summary, { color: this.color })}`);
  }

  /**
   * Draws the final frame with the run's outcome and prints no summary: for runs that print
   * their own (a restore).
   */
  async end(outcome: FinalRunStatus): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.renderer.stop(undefined, outcome);
  }

  /** Stops the display without a summary (the run failed before it had one). */
  async abort(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.renderer.stop();
  }
}
