import { Flags } from '@oclif/core';
import { UsageError } from '../errors.js';

/** Plain-mode progress lines are printed this often unless `--progress-interval` says otherwise. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 5_000;
/** Shortest accepted `--progress-interval`: faster than this floods a log without telling more. */
export const MIN_PROGRESS_INTERVAL_MS = 1_000;
/** Longest accepted `--progress-interval`. */
export const MAX_PROGRESS_INTERVAL_MS = 3_600_000;

/**
 * Parses a progress interval: a number of seconds ("5", "2.5") or a number with a unit
 * ("500ms", "10s", "1m"). Between 1 s and 1 h.
 */
export function parseProgressInterval(input: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/i.exec(input);
  if (!match) {
    throw new UsageError(
      `Invalid progress interval "${input}": use seconds ("5") or a unit ("500ms", "10s", "1m").`,
    );
  }
  const value = Number(match[1]);
  const unit = (match[2] ?? 's').toLowerCase();
  const ms = unit === 'ms' ? value : unit === 'm' ? value * 60_000 : value * 1000;
  if (ms < MIN_PROGRESS_INTERVAL_MS || ms > MAX_PROGRESS_INTERVAL_MS) {
    throw new UsageError(`Invalid progress interval "${input}": it must be between 1s and 1h.`);
  }
  return Math.round(ms);
}

/**
 * The progress flags, declared once for every command that shows live progress
 * (`static override flags = { ...progressFlags, ... }`).
 */
export const progressFlags = {
  /** `--no-progress`: no live progress at all; the final summary is still printed. */
  progress: Flags.boolean({
    description:
      'Show live progress on stderr. --no-progress shows nothing until the final summary.',
    default: true,
    allowNo: true,
    helpGroup: 'OUTPUT',
  }),
  /** How often plain-mode progress lines are printed (when stderr is not a terminal). */
  'progress-interval': Flags.custom<number>({
    description:
      'How often to print a progress line when stderr is not a terminal (CI, pipes, NO_COLOR): seconds, or with a unit (500ms, 10s, 1m). Minimum 1s.',
    helpValue: 'DURATION',
    default: DEFAULT_PROGRESS_INTERVAL_MS,
    defaultHelp: async () => Promise.resolve('5s'),
    parse: async (input) => Promise.resolve(parseProgressInterval(input)),
    helpGroup: 'OUTPUT',
  })(),
  /** `--verbose`: one row per worker in the live display, and one line per retry in plain mode. */
  verbose: Flags.boolean({
    char: 'v',
    description: 'Show what each worker is doing (live display) and every retry (plain lines).',
    default: false,
    helpGroup: 'OUTPUT',
  }),
};
