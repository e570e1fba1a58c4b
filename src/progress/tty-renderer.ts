import type { FinalRunStatus } from '../engine/states.js';
import { completion } from './completion.js';
import { createLogUpdate } from 'log-update';
import { redact } from '../redact.js';
import { EventLog, describeEvent } from './event-lines.js';
import type { ProgressSnapshot, ProgressSource } from '../engine/events.js';
import { formatClock } from './format.js';
import type { ProgressRenderer, ProgressStream } from './stream.js';
import { createStyle, type Style } from './style.js';
import type { RunSummary } from '../engine/run-summary.js';
import {
  finalHeaderText,
  fit,
  headerText,
  outcomeMark,
  typeColumns,
  typeMark,
  typeRowText,
  workerLines,
  type FrameContext,
  type FrameOutcome,
  type RowMark,
} from './tty-frame.js';

/**
 * The live display on a terminal, drawn with log-update (the whole frame is rewritten in place
 * in one write, and only when it changed, so it never flickers):
 *
 *   ⠹ run 12 · 00:42 · 8/8 workers · 12,345 items (1,234/s) · 1,310 req/s · 429s 3 · …
 *     ✔ dashboards  ████████████████████  10,000/10,000              done (9,800 new)
 *     ⠹ looks       ████████░░░░░░░░░░░░   4,100/10,000   1,020/s    ETA 5s
 *     ◼ explores    ░░░░░░░░░░░░░░░░░░░░         0/?                 waiting
 *
 *   workers 8/8 busy · 8 requests in flight · writer queue 3/64      (--verbose)
 *     #1 listing     look offset 4200
 *   › [00:41] Rate limited (429): all requests pause 2 s; allowed rate now 40/s
 *
 * A header row, one row per content type (all sharing column widths), then the footer (worker
 * rows, the last events). The engine's snapshot is polled every `refreshMs`; the frame redraws
 * on a 100 ms spinner tick. `stop()` erases the live frame and leaves the final one (header and
 * type rows with their final counts and ✔/⚠/✖) on the terminal.
 *
 * Everything goes to the given stream (stderr), cursor hiding included; notices that arrive
 * while the frame is up are printed below the final frame. stdout is never touched, and rows
 * are cut to the given stream's width (not stdout's, which may be piped into jq).
 *
 * Why not listr2 (used here until 0.1): it only repainted this hand-made frame through a
 * subclass of its protected renderer, tied to listr2 9 internals. A real listr task per type
 * cannot say "partial" or "stopped", and takes its width from stdout; listr2 10 and later need
 * Node 22.13, so the machines that still run Node 20 could not have the newest. log-update,
 * which listr2 drew with anyway, is all the display needs (docs/progress.md).
 */
export interface TtyRendererOptions {
  source: ProgressSource;
  /** A terminal stream (stderr). Its `columns` are read on every refresh. */
  stream: ProgressStream;
  /** Show one row per worker. @default false */
  verbose?: boolean;
  /** Use colours. @default true */
  color?: boolean;
  /** How often the engine's snapshot is read. Between 100 and 1000. @default 500 */
  refreshMs?: number;
  /** The clock; injectable for tests. @default Date.now */
  now?: () => number;
}

/** How many recent event lines the footer keeps. */
const RECENT_EVENT_LINES = 3;
const INDENT = 2;
const DEFAULT_COLUMNS = 80;

/** How often the spinner turns (and the frame is redrawn when it changed). */
const TICK_MS = 100;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';

export class TtyRenderer implements ProgressRenderer {
  private readonly source: ProgressSource;
  private readonly stream: ProgressStream;
  private readonly verbose: boolean;
  private readonly style: Style;
  private readonly refreshMs: number;
  private readonly now: () => number;
  private readonly events: EventLog;
  private readonly recent: string[] = [];
  /** Notices that arrived while the frame was up, printed under the final frame. */
  private readonly kept: string[] = [];
  private readonly draw: ReturnType<typeof createLogUpdate>;
  private lastSnapshot: ProgressSnapshot | undefined;
  private lastSnapshotAt = 0;
  private refreshTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private spinner = 0;
  private open = false;
  private stopped = false;
  private unsubscribe: (() => void) | undefined;

  constructor(options: TtyRendererOptions) {
    this.source = options.source;
    this.stream = options.stream;
    this.verbose = options.verbose ?? false;
    this.style = createStyle(options.color ?? true);
    this.refreshMs = Math.min(1000, Math.max(100, options.refreshMs ?? 500));
    this.now = options.now ?? Date.now;
    this.events = new EventLog({ verbose: this.verbose });
    // The cursor is ours to hide on this stream; log-update would do it on process.stderr.
    this.draw = createLogUpdate(this.stream as unknown as NodeJS.WriteStream, {
      showCursor: true,
    });
  }

  start(): void {
    this.unsubscribe = this.source.onEvent((event) => {
      for (const line of this.events.add(event)) this.addRecent(line);
      // Notices and Ctrl-C are worth keeping: printed above the frame before it starts,
      // below the final frame once it has.
      if (event.kind === 'notice' || event.kind === 'stopping') {
        const text = describeEvent(event);
        if (text === null) return;
        if (this.open) this.kept.push(text);
        else this.stream.write(`${redact(text)}\n`);
      }
      if (event.kind === 'run-started') this.refresh();
    });
    this.refreshTimer = setInterval(() => {
      this.takeSnapshot();
    }, this.refreshMs);
    this.refreshTimer.unref();
    this.refresh();
  }

  /** Reads the engine's snapshot and redraws the frame. */
  refresh(): void {
    if (this.stopped) return;
    this.takeSnapshot();
    this.redraw();
  }

  stop(summary?: RunSummary, outcome?: FinalRunStatus): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.stopped = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.unsubscribe?.();
    if (this.open) {
      const frame = this.frame(
        this.takeSnapshot(),
        true,
        summary?.status ?? outcome ?? 'stopped',
        summary,
      );
      this.draw.clear();
      this.stream.write(`${frame}\n`);
      this.draw.done();
      this.stream.write(SHOW_CURSOR);
    }
    for (const text of this.kept) this.stream.write(`${redact(text)}\n`);
    return Promise.resolve();
  }

  /**
   * Draws the live frame, once the engine knows its types (it does not while it logs in and
   * opens the run: nothing is drawn until then).
   */
  private redraw(): void {
    const snapshot = this.lastSnapshot;
    if (this.stopped || !snapshot || snapshot.types.length === 0) return;
    if (!this.open) {
      this.open = true;
      this.stream.write(HIDE_CURSOR);
      this.tickTimer = setInterval(() => {
        this.spinner = (this.spinner + 1) % SPINNER.length;
        this.redraw();
      }, TICK_MS);
      this.tickTimer.unref();
    }
    this.draw(this.frame(snapshot, false));
  }

  private takeSnapshot(): ProgressSnapshot {
    const snapshot = this.source.snapshot();
    this.lastSnapshot = snapshot;
    this.lastSnapshotAt = this.now();
    return snapshot;
  }

  private columns(): number {
    const columns = this.stream.columns;
    return columns !== undefined && columns > 0 ? columns : DEFAULT_COLUMNS;
  }

  /** Row text for a nesting level: what is left after indentation and the mark. */
  private context(level: number): FrameContext {
    return { style: this.style, width: this.columns() - level * INDENT - 3, now: this.now() };
  }

  /** The whole frame: header, one row per type, then (live only) the footer. */
  private frame(
    snapshot: ProgressSnapshot,
    final: boolean,
    outcome: FrameOutcome = 'stopped',
    summary?: RunSummary,
  ): string {
    const headerCtx = this.context(0);
    const header = final
      ? finalHeaderText(snapshot, outcome, summary, headerCtx)
      : headerText(snapshot, headerCtx);
    const lines = [this.row(0, final ? outcomeMark(outcome) : 'header', header)];
    const ctx = this.context(1);
    const columns = typeColumns(snapshot.types, ctx.width);
    const left = completion(snapshot).typeLeftMs;
    for (const type of snapshot.types) {
      const text = typeRowText(type, columns, ctx, final, left[type.type]);
      lines.push(this.row(1, typeMark(type, final), redact(text)));
    }
    if (!final) {
      const footer = this.verbose ? workerLines(snapshot, this.context(-1)) : [];
      for (const line of this.events.flush()) this.addRecent(line);
      footer.push(...this.recent);
      const width = this.columns() - 1;
      if (footer.length > 0) lines.push('', ...footer.map((line) => fit(redact(line), width)));
    }
    return lines.join('\n');
  }

  /** One row: indented, with its mark, cut to the stream's width. */
  private row(level: number, mark: RowMark | 'header', text: string): string {
    const indent = ' '.repeat(level * INDENT);
    return fit(`${indent}${this.markText(mark)} ${text}`, this.columns() - 1);
  }

  private markText(mark: RowMark | 'header'): string {
    const { style } = this;
    switch (mark) {
      case 'header':
        return style.cyan('❯');
      case 'active':
        return style.cyan(SPINNER[this.spinner] ?? '⠋');
      case 'pending':
        return style.dim('◼');
      case 'done':
        return style.green('✔');
      case 'partial':
        return style.yellow('⚠');
      case 'failed':
        return style.red('✖');
      case 'stopped':
        return style.yellow('◼');
    }
  }

  private addRecent(text: string): void {
    const elapsed = (this.lastSnapshot?.elapsedMs ?? 0) + (this.now() - this.lastSnapshotAt);
    const line = `${this.style.dim('›')} ${this.style.dim(`[${formatClock(elapsed)}]`)} ${text}`;
    this.recent.push(fit(line, this.context(-1).width));
    if (this.recent.length > RECENT_EVENT_LINES) this.recent.shift();
  }
}
