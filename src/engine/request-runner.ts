import { RequestAbortedError } from '../errors.js';
/**
 * The retry policy around the limiter: the one function the engine calls for every HTTP request.
 *
 * - Every attempt goes through the limiter (retries too, at the front of its queue).
 * - 429 (RateLimitedError): reported to the limiter before the slot frees (it pauses everyone
 *   and lowers the rate), then sent again once the pause ends. Rate limiting is not a failure,
 *   so it does not use up `maxRetries`; it is bounded apart (`maxRateLimitedAttempts`,
 *   `maxRateLimitedMs`) so a server that answers 429 forever fails the request with a clear error.
 * - Transient failures (`isRetryable`: 5xx, reset, timeout, garbled response): exponential
 *   backoff with full jitter, at most `maxRetries` times; then the last error is thrown.
 * - Everything else is thrown at once: AuthError (the run must stop), NotFoundError (the caller
 *   decides: an item deleted since listing is not a failure), ClientRequestError, UnreachableError.
 * - The caller's AbortSignal rejects promptly with RequestAbortedError, whether the request is
 *   queued, in flight (the transport's job) or waiting to retry.
 */
import {
  ClientRequestError,
  LookerApiError,
  NotFoundError,
  RateLimitedError,
  isRetryable,
} from '../looker/errors.js';
import { abortedError, fullJitterDelay, sleep as realSleep, type Sleep } from './backoff.js';
import type { RequestGate } from './gate.js';
import type { RequestMetrics, RequestOutcome } from './metrics.js';

export interface RetryInfo {
  operation: string;
  /** 'transient': backoff then retry; 'rate_limited': re-sent once the limiter's pause ends. */
  kind: 'transient' | 'rate_limited';
  /** Retries of this kind so far for this request, this one included (from 1). */
  attempt: number;
  /** Wait before the re-send: the jittered backoff, or what is left of the pause. */
  delayMs: number;
  error: Error;
}

export interface RequestRunnerOptions {
  limiter: RequestGate;
  /** Retries of a transient failure before the request fails (`--max-retries`). Minimum 0. @default 5 */
  maxRetries?: number;
  /** Backoff ceiling of the first retry; doubles per retry (full jitter below it). @default 500 */
  baseDelayMs?: number;
  /** Largest backoff ceiling, in ms. @default 30000 */
  maxDelayMs?: number;
  /**
   * A request that has met this many 429s *without* Retry-After fails (with a clear
   * RateLimitedError); 429s that say how long to wait are bounded by `maxRateLimitedMs` only, so
   * a server pacing a storm with `Retry-After: 1` is waited out patiently. Minimum 1. @default 50
   */
  maxRateLimitedAttempts?: number;
  /** Time since a request's first 429 after which a further 429 fails it, in ms. @default 900000 (15 min) */
  maxRateLimitedMs?: number;
  /** Random source in [0, 1) for the jitter. @default Math.random */
  random?: () => number;
  /** Abortable wait before a retry. @default setTimeout-based */
  sleep?: Sleep;
  /** Request counters (started/finished/retried). */
  metrics?: RequestMetrics;
  /** Told before every re-send (for progress events and logs). */
  onRetry?: (info: RetryInfo) => void;
}

export class RequestRunner {
  private readonly limiter: RequestGate;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRateLimitedAttempts: number;
  private readonly maxRateLimitedMs: number;
  private readonly random: () => number;
  private readonly sleep: Sleep;
  private readonly metrics: RequestMetrics | undefined;
  private readonly onRetry: ((info: RetryInfo) => void) | undefined;

  constructor(options: RequestRunnerOptions) {
    this.limiter = options.limiter;
    this.maxRetries = nonNegativeInteger('maxRetries', options.maxRetries ?? 5);
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.maxRateLimitedAttempts = Math.max(
      1,
      nonNegativeInteger('maxRateLimitedAttempts', options.maxRateLimitedAttempts ?? 50),
    );
    this.maxRateLimitedMs = options.maxRateLimitedMs ?? 900_000;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? realSleep;
    this.metrics = options.metrics;
    this.onRetry = options.onRetry;
  }

  /** Through the limiter, with retries; `invoke` performs exactly one HTTP request. */
  async run<T>(
    operation: string,
    invoke: (signal: AbortSignal | undefined) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    let failures = 0;
    let rateLimited = 0;
    /** 429s that did not say how long to wait. */
    let unpaced = 0;
    let firstRateLimitedAt: number | undefined;
    for (;;) {
      if (isAborted(signal)) throw abortedError(signal, operation);
      try {
        return await this.limiter.schedule(
          (startedAt, ticket) => this.attempt(operation, invoke, signal, startedAt, ticket),
          signal,
          { front: failures + rateLimited > 0 },
        );
      } catch (caught) {
        const error = caught instanceof Error ? caught : new Error(String(caught));
        if (error instanceof RequestAbortedError) throw error;
        if (isAborted(signal)) throw abortedError(signal, operation);

        if (error instanceof RateLimitedError) {
          const now = this.limiter.now();
          rateLimited += 1;
          if (error.retryAfterMs === undefined) unpaced += 1;
          firstRateLimitedAt ??= now;
          if (
            unpaced >= this.maxRateLimitedAttempts ||
            now - firstRateLimitedAt >= this.maxRateLimitedMs
          ) {
            throw withAttempts(
              gaveUp(operation, error, rateLimited, now - firstRateLimitedAt),
              failures + rateLimited,
            );
          }
          const pausedUntil = this.limiter.snapshot().pausedUntil;
          this.onRetry?.({
            operation,
            kind: 'rate_limited',
            attempt: rateLimited,
            delayMs: pausedUntil === null ? 0 : pausedUntil - now,
            error,
          });
          continue;
        }

        if (!isRetryable(error) || failures >= this.maxRetries) {
          throw withAttempts(error, failures + rateLimited + 1);
        }
        failures += 1;
        const delayMs = fullJitterDelay(failures, this.baseDelayMs, this.maxDelayMs, this.random);
        this.metrics?.retried(operation);
        this.onRetry?.({ operation, kind: 'transient', attempt: failures, delayMs, error });
        try {
          await this.sleep(delayMs, signal);
        } catch (sleepError) {
          if (sleepError instanceof RequestAbortedError) throw sleepError;
          throw abortedError(signal, operation);
        }
      }
    }
  }

  /** One request, inside its limiter slot; reports to the limiter before the slot frees. */
  private async attempt<T>(
    operation: string,
    invoke: (signal: AbortSignal | undefined) => Promise<T>,
    signal: AbortSignal | undefined,
    startedAt: number,
    ticket: number,
  ): Promise<T> {
    this.metrics?.requestStarted(operation);
    try {
      const value = await invoke(signal);
      this.limiter.succeeded();
      this.metrics?.requestFinished(operation, this.limiter.now() - startedAt, 'ok');
      return value;
    } catch (error) {
      const outcome = outcomeOf(error, signal);
      if (error instanceof RateLimitedError)
        this.limiter.rateLimited(error.retryAfterMs, startedAt, ticket);
      else if (error instanceof NotFoundError || error instanceof ClientRequestError) {
        this.limiter.succeeded();
      }
      this.metrics?.requestFinished(operation, this.limiter.now() - startedAt, outcome);
      throw error;
    }
  }
}

/** Records on an API error how many requests the operation sent before giving up. */
function withAttempts(error: Error, attempts: number): Error {
  if (error instanceof LookerApiError) error.attempts = attempts;
  return error;
}

/** A function, so TypeScript does not keep an earlier narrowing of `signal.aborted`. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function outcomeOf(error: unknown, signal: AbortSignal | undefined): RequestOutcome {
  if (error instanceof RequestAbortedError || isAborted(signal)) return 'aborted';
  if (error instanceof RateLimitedError) return 'rate_limited';
  if (error instanceof NotFoundError) return 'not_found';
  if (isRetryable(error)) return 'transient';
  return 'error';
}

function gaveUp(
  operation: string,
  last: RateLimitedError,
  attempts: number,
  elapsedMs: number,
): RateLimitedError {
  const seconds = Math.round(elapsedMs / 1000);
  return new RateLimitedError(
    `${operation} was still rate limited (429) after ${attempts} attempts over ${seconds} s; gave up on this request`,
    {
      operation,
      retryAfterMs: last.retryAfterMs,
      cause: last,
      hint: 'The Looker instance keeps refusing requests: lower --workers or the --rate-limit-* caps, or run again later (the backup resumes where it stopped).',
    },
  );
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be an integer ≥ 0, got ${value}`);
  }
  return value;
}
