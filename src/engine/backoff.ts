import { RequestAbortedError } from '../errors.js';

/** Starts `callback` after `delayMs`; returns a function that cancels it. */
export type SetTimer = (callback: () => void, delayMs: number) => () => void;

/** Waits `ms`; rejects with RequestAbortedError as soon as `signal` fires. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Milliseconds since the epoch, monotonic and sub-millisecond (unlike Date.now). */
export const monotonicNow = (): number => performance.timeOrigin + performance.now();

export const realSetTimer: SetTimer = (callback, delayMs) => {
  const timer = setTimeout(callback, Math.max(0, delayMs));
  return () => {
    clearTimeout(timer);
  };
};

export function abortedError(signal: AbortSignal | undefined, what: string): RequestAbortedError {
  return new RequestAbortedError(`${what} was aborted`, { cause: signal?.reason });
}

/** Builds an abortable sleep on a timer function (the real one by default). */
export function sleepWith(setTimer: SetTimer): Sleep {
  return (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(abortedError(signal, 'Waiting before a retry'));
        return;
      }
      const onAbort = (): void => {
        cancel();
        reject(abortedError(signal, 'Waiting before a retry'));
      };
      const cancel = setTimer(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
}

export const sleep: Sleep = sleepWith(realSetTimer);

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): a uniformly random delay in [0, min(maxMs, baseMs · 2^(attempt-1))), so clients
 * that failed together do not retry together. `attempt` counts from 1.
 */
export function fullJitterDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
