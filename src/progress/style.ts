import { stripVTControlCharacters } from 'node:util';

/**
 * Terminal colours, on or off as a whole. Renderers receive one `Style` and never decide about
 * colour themselves: `colorEnabled()` makes that decision once (TTY and no NO_COLOR).
 */
export interface Style {
  readonly enabled: boolean;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

function paint(open: number, close: number): (text: string) => string {
  return (text) => (text === '' ? text : `\u001b[${open}m${text}\u001b[${close}m`);
}

const identity = (text: string): string => text;

export function createStyle(enabled: boolean): Style {
  if (!enabled) {
    return {
      enabled,
      bold: identity,
      dim: identity,
      red: identity,
      green: identity,
      yellow: identity,
      cyan: identity,
    };
  }
  return {
    enabled,
    bold: paint(...CODES.bold),
    dim: paint(...CODES.dim),
    red: paint(...CODES.red),
    green: paint(...CODES.green),
    yellow: paint(...CODES.yellow),
    cyan: paint(...CODES.cyan),
  };
}

/**
 * Colour is used only on a terminal, and never when NO_COLOR is set to a non-empty value
 * (https://no-color.org) or TERM is "dumb". FORCE_COLOR is deliberately not honoured: output
 * that is not a terminal must stay free of escape codes for scripts and logs.
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (stream.isTTY !== true) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.TERM !== 'dumb';
}

/** The width a string takes on screen, ignoring escape codes. */
export function visibleLength(text: string): number {
  return stripVTControlCharacters(text).length;
}

/** Pads (on the right, or left with `alignRight`) to a visible width, ignoring escape codes. */
export function padVisible(text: string, width: number, alignRight = false): string {
  const padding = ' '.repeat(Math.max(0, width - visibleLength(text)));
  return alignRight ? padding + text : text + padding;
}
