import type { ApiCaller, LookerClient } from '../looker/client.js';
import type { ExtractEvent } from './events.js';
import { RequestGate } from './gate.js';
import { RequestMetrics } from './metrics.js';
import { RequestCosts } from './request-costs.js';
import { RequestRunner, type RequestRunnerOptions } from './request-runner.js';

/**
 * The path every Looker request of a run takes, built once: the one gate (concurrency, spacing,
 * 429 pauses and its adaptive rate), the retry runner, the request counters, and the client.
 * Extraction uses it; a restore reuses it as it is.
 */
export interface RequestPipeline {
  gate: RequestGate;
  metrics: RequestMetrics;
  /** Every content request: through the gate, with retries, counted. */
  api: ApiCaller;
  /** The slot time of the requests sent through `apiFor(tag)`, per tag. */
  costs: RequestCosts;
  /** `api`, with each attempt's time in flight booked to `tag` (a content type) in `costs`. */
  apiFor(tag: string): ApiCaller;
  /**
   * The same path without transient retries (429 still waits and re-sends: the server did not
   * act on it). For creates, where a lost answer may hide a done write: the caller looks the
   * item up before trying again instead of sending a second create.
   */
  once: ApiCaller;
  /** The first login, retried like any transient request, through the same gate. */
  login: () => Promise<void>;
}

export interface RequestPipelineOptions {
  /** Requests in flight at most (`--workers`). */
  workers: number;
  ratePerSecond?: number | undefined;
  ratePerMinute?: number | undefined;
  maxRetries: number;
  /** Aborted when the run stops: queued requests and backoff sleeps end at once. */
  signal: AbortSignal;
  /** Retries and new 429 episodes, as the events the renderers show. */
  emit: (event: ExtractEvent) => void;
  /** The clock `costs` measures slot time with, in ms. @default monotonicNow */
  now?: () => number;
}

export function createRequestPipeline(
  client: LookerClient,
  options: RequestPipelineOptions,
): RequestPipeline {
  const { emit, signal } = options;
  const metrics = new RequestMetrics();
  const gate = new RequestGate({
    maxConcurrent: options.workers,
    ...(options.ratePerSecond === undefined ? {} : { ratePerSecond: options.ratePerSecond }),
    ...(options.ratePerMinute === undefined ? {} : { ratePerMinute: options.ratePerMinute }),
  });
  gate.on('pause', ({ retryAfterMs, newEpisode }) => {
    if (!newEpisode) return;
    emit({
      kind: 'rate-limited',
      retryAfterMs: retryAfterMs ?? null,
      allowedRatePerSecond: gate.snapshot().allowedRatePerSecond,
    });
  });
  const onRetry: RequestRunnerOptions['onRetry'] = (retry) => {
    if (retry.kind !== 'transient') return;
    const { operation, attempt, delayMs, error } = retry;
    emit({ kind: 'retry', operation, attempt, delayMs, error: error.message });
  };
  const runner = new RequestRunner({
    limiter: gate,
    maxRetries: options.maxRetries,
    metrics,
    onRetry,
  });
  const costs = new RequestCosts(options.now ? { now: options.now } : {});
  const tagged = new Map<string, ApiCaller>();
  const onceRunner = new RequestRunner({ limiter: gate, maxRetries: 0, metrics, onRetry });
  // Logins are not content requests: the summary counts neither this one nor the renewals
  // that happen inside other requests.
  const loginRunner = new RequestRunner({
    limiter: gate,
    maxRetries: options.maxRetries,
    metrics: new RequestMetrics(),
    onRetry,
  });
  /** Requests through `through`; with `tag`, each attempt's time in flight is booked to it. */
  const callerOf = (through: RequestRunner, tag?: string): ApiCaller => ({
    call: (operation, invoke, requestSignal) =>
      through.run(
        operation,
        async (attemptSignal) => {
          if (tag === undefined) return client.call(operation, invoke, attemptSignal);
          // Runs inside the gate's slot: the time measured is the request's, not the queue's.
          const startedAt = costs.now();
          try {
            return await client.call(operation, invoke, attemptSignal);
          } finally {
            costs.record(tag, costs.now() - startedAt);
          }
        },
        requestSignal ?? signal,
      ),
  });
  return {
    gate,
    metrics,
    api: callerOf(runner),
    costs,
    apiFor(tag) {
      let caller = tagged.get(tag);
      if (caller === undefined) {
        caller = callerOf(runner, tag);
        tagged.set(tag, caller);
      }
      return caller;
    },
    once: callerOf(onceRunner),
    login: () => loginRunner.run('login', () => client.login(), signal),
  };
}
