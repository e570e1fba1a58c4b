import type { ProgressSource } from '../engine/events.js';
import type { ProgressMode } from './mode.js';
import { PlainRenderer } from './plain-renderer.js';
import type { ProgressRenderer, ProgressStream } from './stream.js';
import { TtyRenderer } from './tty-renderer.js';

export interface CreateProgressRendererOptions {
  source: ProgressSource;
  /** stderr in production. */
  stream: ProgressStream;
  /** `--verbose`: worker rows (tty), retry lines (plain). */
  verbose?: boolean;
  /** `--progress-interval` in ms: plain-mode line interval. @default 5000 */
  intervalMs?: number;
  /** Colours in tty mode. @default true */
  color?: boolean;
}

/** The renderer for a mode; `none` renders nothing (the summary is still the command's job). */
export function createProgressRenderer(
  mode: ProgressMode,
  options: CreateProgressRendererOptions,
): ProgressRenderer {
  switch (mode) {
    case 'tty':
      return new TtyRenderer({
        source: options.source,
        stream: options.stream,
        verbose: options.verbose ?? false,
        color: options.color ?? true,
      });
    case 'plain':
      return new PlainRenderer({
        source: options.source,
        stream: options.stream,
        verbose: options.verbose ?? false,
        ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
      });
    case 'none':
      return { start: () => undefined, stop: () => Promise.resolve() };
  }
}
