import { stripVTControlCharacters } from 'node:util';
import {
  DefaultRenderer,
  Listr,
  ListrDefaultRendererLogLevels,
  ListrLogger,
  ProcessOutput,
  figures,
  type ListrDefaultRendererTask,
  type ListrTask,
  type LoggerFormat,
} from 'listr2';
import type { ContentType } from '../content-types.js';
import { redact } from '../redact.js';
import { EventLog, describeEvent } from './event-lines.js';
import type { ProgressSnapshot, ProgressSource } from '../engine/events.js';
import { formatClock } from './format.js';
import type { ProgressRenderer, ProgressStream } from './stream.js';
import { createStyle, visibleLength, type Style } from './style.js';
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
 * The live display on a terminal, drawn by listr2's default renderer (log-update: the whole
 * frame is rewritten in place in one write, and only when it changed, so it never flickers):
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
 * One listr task per content type under a header task; the footer (worker rows, last events)
 * is a title-less task whose output listr shows below the rows. The engine's snapshot is polled
 * every `refreshMs`; listr redraws on its 100 ms spinner tick. Every task stays open until
 * `stop()`, so all rows share column widths; `stop()` then resolves them and listr leaves the
 * final frame (header and type rows with their final counts and ✔/⚠/✖) on the terminal.
 *
 * Everything goes to the given stream (stderr): listr is handed that stream for both of its
 * outputs, and while the display runs, other writes to that stream are held back and printed
 * below the final frame (listr's ProcessOutput). stdout is never touched.
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

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

type FooterWrapperLike = { output: string };

interface Row {
  definition: ListrTask;
  /** listr's task object for the row, once listr has made it. */
  task: { title?: string } | undefined;
}

export class TtyRenderer implements ProgressRenderer {
  private readonly source: ProgressSource;
  private readonly stream: ProgressStream;
  private readonly verbose: boolean;
  private readonly style: Style;
  private readonly refreshMs: number;
  private readonly now: () => number;
  private readonly events: EventLog;
  private readonly marks = new WeakMap<object, RowMark>();
  private readonly done = deferred();
  private readonly recent: string[] = [];
  /** Notices that arrived while the frame was up, printed under the final frame. */
  private readonly kept: string[] = [];
  private header: Row | undefined;
  private readonly typeRows = new Map<ContentType, Row>();
  private footer: FooterWrapperLike | undefined;
  private lastSnapshot: ProgressSnapshot | undefined;
  private lastSnapshotAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(options: TtyRendererOptions) {
    this.source = options.source;
    this.stream = options.stream;
    this.verbose = options.verbose ?? false;
    this.style = createStyle(options.color ?? true);
    this.refreshMs = Math.min(1000, Math.max(100, options.refreshMs ?? 500));
    this.now = options.now ?? Date.now;
    this.events = new EventLog({ verbose: this.verbose });
  }

  start(): void {
    this.unsubscribe = this.source.onEvent((event) => {
      for (const line of this.events.add(event)) this.addRecent(line);
      // Notices and Ctrl-C are worth keeping: printed above the frame before it starts,
      // below the final frame once it has.
      if (event.kind === 'notice' || event.kind === 'stopping') {
        const text = describeEvent(event);
        if (text === null) return;
        if (this.running) this.kept.push(text);
        else this.stream.write(`${redact(text)}\n`);
      }
      if (event.kind === 'run-started') this.refresh();
    });
    this.timer = setInterval(() => {
      this.refresh();
    }, this.refreshMs);
    this.timer.unref();
    this.refresh();
  }

  /** Reads the engine's snapshot and updates every row (listr draws it on its next tick). */
  refresh(): void {
    if (this.stopped) return;
    const snapshot = this.takeSnapshot();
    if (this.running) this.render(snapshot, false);
    else this.open(snapshot);
  }

  /**
   * Starts listr with one row per content type, once the engine knows its types (it does not
   * while it logs in and opens the run: nothing is drawn until then).
   */
  private open(snapshot: ProgressSnapshot): void {
    if (snapshot.types.length === 0) return;
    const typeRows = snapshot.types.map((type) => {
      const row: Row = {
        definition: { title: type.type, task: () => this.done.promise },
        task: undefined,
      };
      this.typeRows.set(type.type, row);
      return row;
    });
    const header: Row = {
      definition: {
        title: `run ${snapshot.runId}`,
        task: (_ctx, wrapper) => {
          const rows = wrapper.newListr(
            typeRows.map((row) => row.definition),
            { concurrent: true, exitOnError: false },
          );
          // Titles go straight onto listr's task objects from now on.
          rows.tasks.forEach((task, index) => {
            const row = typeRows[index];
            if (row) row.task = task;
          });
          return rows;
        },
      },
      task: undefined,
    };
    this.header = header;
    const footer: ListrTask = {
      task: (_ctx, wrapper) => {
        this.footer = wrapper;
        return this.done.promise;
      },
      rendererOptions: { bottomBar: true },
    };
    this.marks.set(footer, 'active');
    this.render(snapshot, false);

    const Renderer = createFrameRenderer({
      marks: this.marks,
      style: this.style,
      columns: () => this.columns(),
    });
    const output = this.stream as unknown as NodeJS.WriteStream;
    const rendererOptions = {
      logger: new ListrLogger({ processOutput: new ProcessOutput(output, output) }),
      color: listrColors(this.style),
      collapseSubtasks: false,
      formatOutput: 'truncate' as const,
    };
    const listr = new Listr([header.definition, footer], {
      concurrent: true,
      exitOnError: false,
      // The command owns SIGINT: the engine stops gracefully and we draw the final frame.
      registerSignalListeners: false,
      renderer: Renderer,
      rendererOptions,
      fallbackRenderer: Renderer,
      fallbackRendererOptions: rendererOptions,
    });
    header.task = listr.tasks[0];
    this.running = listr.run();
  }

  async stop(summary?: RunSummary): Promise<void> {
    if (this.stopped) {
      await this.running;
      return;
    }
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    if (this.running) {
      this.render(this.takeSnapshot(), true, summary?.status ?? 'stopped', summary);
    }
    this.done.resolve();
    await this.running;
    for (const text of this.kept) this.stream.write(`${redact(text)}\n`);
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

  /** Row text for a given listr nesting level: what is left after indentation and the icon. */
  private context(level: number): FrameContext {
    return { style: this.style, width: this.columns() - level * INDENT - 3, now: this.now() };
  }

  private render(
    snapshot: ProgressSnapshot,
    final: boolean,
    outcome: FrameOutcome = 'stopped',
    summary?: RunSummary,
  ): void {
    if (this.header) {
      const ctx = this.context(0);
      const title = final
        ? finalHeaderText(snapshot, outcome, summary, ctx)
        : headerText(snapshot, ctx);
      this.setTitle(this.header, title);
      this.marks.set(this.header.definition, final ? outcomeMark(outcome) : 'active');
    }
    const ctx = this.context(1);
    const columns = typeColumns(snapshot.types, ctx.width);
    for (const type of snapshot.types) {
      const row = this.typeRows.get(type.type);
      if (!row) continue;
      this.setTitle(row, redact(typeRowText(type, columns, ctx, final)));
      this.marks.set(row.definition, typeMark(type, final));
    }
    if (!final && this.footer) {
      const lines = this.verbose ? workerLines(snapshot, this.context(-1)) : [];
      for (const line of this.events.flush()) this.addRecent(line);
      lines.push(...this.recent);
      if (lines.length > 0) this.footer.output = redact(lines.join('\n'));
    }
  }

  private setTitle(row: Row, title: string): void {
    // Set without listr's title event: the spinner tick redraws, once, whatever changed.
    if (row.task) row.task.title = title;
    else row.definition.title = title;
  }

  private addRecent(text: string): void {
    const elapsed = (this.lastSnapshot?.elapsedMs ?? 0) + (this.now() - this.lastSnapshotAt);
    const line = `${this.style.dim('›')} ${this.style.dim(`[${formatClock(elapsed)}]`)} ${text}`;
    this.recent.push(fit(line, this.context(-1).width));
    if (this.recent.length > RECENT_EVENT_LINES) this.recent.shift();
  }
}

interface FrameRendererOptions {
  marks: WeakMap<object, RowMark>;
  style: Style;
  columns: () => number;
}

/**
 * listr2's default renderer with our icons (from the row's mark, not listr's task state) and
 * our line fitting (no wrapping: rows are cut to the stream's width, which listr would take from
 * process.stdout — wrong when stdout is piped into jq while stderr is the terminal).
 */
function createFrameRenderer({ marks, style, columns }: FrameRendererOptions) {
  return class FrameRenderer extends DefaultRenderer {
    // We choose the mode ourselves from stderr; listr would look at stdout.
    static override nonTTY = true;

    protected override style(task: ListrDefaultRendererTask, output = false): string {
      if (output) return '';
      switch (marks.get(task.task) ?? 'active') {
        case 'active':
          return super.style(task, output);
        case 'pending':
          return style.dim(figures.squareSmallFilled);
        case 'done':
          return style.green(figures.tick);
        case 'partial':
          return style.yellow(figures.warning);
        case 'failed':
          return style.red(figures.cross);
        case 'stopped':
          return style.yellow(figures.squareSmallFilled);
      }
    }

    protected override format(message: string, icon: string, level: number): string[] {
      if (message.trim() === '') return [];
      const indent = ' '.repeat(Math.max(0, level) * INDENT);
      const width = columns() - 1;
      return message.split('\n').map((line, index) => {
        const text = index === 0 && icon ? `${icon} ${line}` : line;
        const row = indent + text;
        return visibleLength(row) <= width ? row : cut(row, width);
      });
    }
  };
}

function cut(text: string, width: number): string {
  const plain = stripVTControlCharacters(text);
  return `${plain.slice(0, Math.max(0, width - 1))}…`;
}

/** listr's icon colours, through our Style (so no colour at all when colour is off). */
function listrColors(style: Style): Partial<Record<ListrDefaultRendererLogLevels, LoggerFormat>> {
  const paint =
    (color: (text: string) => string): LoggerFormat =>
    (text) =>
      color(text ?? '');
  const colors: Partial<Record<ListrDefaultRendererLogLevels, LoggerFormat>> = {};
  for (const level of Object.values(ListrDefaultRendererLogLevels))
    colors[level] = paint(style.dim);
  colors[ListrDefaultRendererLogLevels.PENDING] = paint(style.cyan);
  colors[ListrDefaultRendererLogLevels.COMPLETED] = paint(style.green);
  colors[ListrDefaultRendererLogLevels.FAILED] = paint(style.red);
  return colors;
}
