import { numberFlag } from './number-flags.js';
import { EXTRACT_DEFAULTS, WORKERS_RANGE } from '../extract/options.js';

/**
 * The flags of every command that sends Looker many requests through the one gate (`extract`,
 * `restore`): how many at once, how fast at most, how many retries.
 */
export const requestFlags = {
  workers: numberFlag('workers', {
    char: 'w',
    description: `Concurrent workers, and the most requests ever in flight to Looker (${WORKERS_RANGE.min}-${WORKERS_RANGE.max}). [default: CPU cores, at most 8]`,
    ...WORKERS_RANGE,
    integer: true,
  }),
  // Below one request per 100 s a run never ends: a typo (0.0001 for 0.1), not a choice.
  'rate-limit-per-second': numberFlag('rate-limit-per-second', {
    description: 'Most requests per second, all workers together, at least 0.01. [default: no cap]',
    min: 0.01,
  }),
  'rate-limit-per-minute': numberFlag('rate-limit-per-minute', {
    description: 'Most requests per minute, all workers together, at least 0.6. [default: no cap]',
    min: 0.6,
  }),
  'max-retries': numberFlag('max-retries', {
    description: 'Retries of a request that failed transiently (5xx, reset, timeout) (0-20).',
    default: EXTRACT_DEFAULTS.maxRetries,
    min: 0,
    max: 20,
    integer: true,
  }),
};
