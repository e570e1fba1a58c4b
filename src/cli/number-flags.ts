import { Flags, type Interfaces } from '@oclif/core';
import { UsageError } from '../errors.js';

/**
 * The one way lookervault's commands take numbers: a flag with a range, checked as it is parsed,
 * whose error is one line naming the flag, the range and what was given
 * (`--workers must be a whole number from 1 to 50 (got "0")`).
 */

export interface NumberRule {
  min: number;
  max?: number;
  /** Whole numbers only. @default false */
  integer?: boolean;
  /** `min` itself is not allowed (a rate must be > 0). @default false */
  exclusiveMin?: boolean;
}

export interface NumberFlagOptions extends NumberRule {
  description: string;
  default?: number;
  char?: 'w' | 'b' | 'n';
  helpGroup?: string;
  /** @default '<n>' */
  helpValue?: string;
}

/** Checks `input` against `rule`; throws a UsageError naming `--name`. */
function parseNumber(name: string, input: string, rule: NumberRule): number {
  const text = input.trim();
  const value = Number(text);
  const { min, max, integer, exclusiveMin } = rule;
  const ok =
    text !== '' &&
    Number.isFinite(value) &&
    (integer !== true || Number.isSafeInteger(value)) &&
    (exclusiveMin === true ? value > min : value >= min) &&
    (max === undefined || value <= max);
  if (!ok) {
    const kind = integer === true ? 'a whole number' : 'a number';
    const range =
      max === undefined
        ? `${exclusiveMin === true ? '>' : '≥'} ${String(min)}`
        : `from ${String(min)} to ${String(max)}`;
    throw new UsageError(`--${name} must be ${kind} ${range} (got "${input}")`);
  }
  return value;
}

/** A numeric flag; the command gets a number, or the user a one-line error and exit 2. */
export function numberFlag(
  name: string,
  options: NumberFlagOptions & { default: number },
): Interfaces.OptionFlag<number>;
export function numberFlag(
  name: string,
  options: NumberFlagOptions,
): Interfaces.OptionFlag<number | undefined>;
export function numberFlag(
  name: string,
  options: NumberFlagOptions,
): Interfaces.OptionFlag<number | undefined> {
  const { description, default: fallback, char, helpGroup, helpValue, ...rule } = options;
  return Flags.custom<number>({
    description,
    helpValue: helpValue ?? '<n>',
    ...(char === undefined ? {} : { char }),
    ...(helpGroup === undefined ? {} : { helpGroup }),
    ...(fallback === undefined ? {} : { default: fallback }),
    parse: (input) => Promise.resolve(parseNumber(name, input, rule)),
  })();
}
