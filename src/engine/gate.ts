/**
 * The one gate every Looker API request passes through: the mechanism. How fast it lets
 * requests start and how long a 429 pauses them is the {@link AdaptiveRatePolicy}'s to say
 * (rclone's lib/pacer: a Pacer and its Calculator).
 *
 * - Concurrency: at most `maxConcurrent` requests in flight (all kinds together), or fewer
 *   when 429s show the server counts requests in flight ({@link ConcurrencyPolicy}); FIFO,
 *   with retries allowed to the front so a page in trouble is not starved behind new work.
 * - Spacing: starts are spaced `1000 / rate` ms apart on a fixed grid (GCRA with no burst), so
 *   a second holds at most `rate` starts (up to 2 ms of timer lateness is absorbed by the grid
 *   so the average is exact). A rate change moves the grid, it does not restart it.
 * - Pause windows: a 429 stops every new start until the pause the policy gives has passed;
 *   requests already in flight finish. Every 429 extends the pause to its own Retry-After, so no
 *   request is ever sent inside any window the server asked for.
 * - Abort: a queued request leaves the queue when its signal fires; `stop()` rejects them all.
 *
 * Not bottleneck: it reads `Date.now()`/`setTimeout` directly (no injectable clock), a job it
 * has already registered starts on its timer even if a pause began meanwhile, and its
 * `setTimeout(0)` hops cost milliseconds per job (≈5 ms: 50 % worker utilization on 5 ms
 * requests). This file does the same queueing without those three problems (docs/limiter.md).
 */
import { RequestAbortedError } from '../errors.js';
import { abortedError, monotonicNow, realSetTimer, type SetTimer } from './backoff.js';
import { ConcurrencyPolicy, type ConcurrencyChange, type Refusal } from './concurrency-policy.js';
import { AdaptiveRatePolicy, type RateChange, type RatePolicyOptions } from './rate-policy.js';

export interface LimiterOptions extends RatePolicyOptions {
  /** Max requests in flight, all kinds together (`--workers`). Minimum 1. */
  maxConcurrent: number;
  /** Clock in ms. @default monotonic wall clock (performance.timeOrigin + performance.now()) */
  now?: () => number;
  /** Timer used to wake up when a pause ends or the rate allows the next start. @default setTimeout */
  setTimer?: SetTimer;
}

export interface ScheduleOptions {
  /** Queue at the front (a retry of a request that already waited its turn). @default false */
  front?: boolean;
}

export interface LimiterSnapshot {
  inFlight: number;
  queued: number;
  /** Requests per second the limiter allows now; null = unlimited. */
  allowedRatePerSecond: number | null;
  /** The user's cap in requests per second; null = none. */
  capRatePerSecond: number | null;
  /** Requests in flight the server has shown it serves at once (a confirmed cap); null = none. */
  concurrencyCap: number | null;
  /** When the current pause ends (ms, same clock); null when not paused. */
  pausedUntil: number | null;
  /** Total time new requests were held by Retry-After pauses (ms, union of pauses). */
  pausedTotalMs: number;
  /** 429 responses reported. */
  rateLimitedCount: number;
  /** Times a new pause episode lowered the rate (at most once per episode). */
  decreases: number;
  increases: number;
}

export interface RequestStartEvent {
  /** When the request started (ms). */
  at: number;
  /** In flight, this request included. */
  inFlight: number;
}

export interface PauseEvent {
  /** No request starts in [from, until). */
  from: number;
  until: number;
  /** The server's Retry-After, or undefined when the pause is a backoff. */
  retryAfterMs: number | undefined;
  /** Whether this 429 began a new episode (and lowered the rate). */
  newEpisode: boolean;
}

export interface RateChangeEvent extends RateChange {
  at: number;
}

export interface ConcurrencyChangeEvent extends ConcurrencyChange {
  at: number;
}

export interface LimiterEvents {
  'request-start': RequestStartEvent;
  pause: PauseEvent;
  'rate-change': RateChangeEvent;
  'concurrency-change': ConcurrencyChangeEvent;
}

/** Weight of the latest request in the moving average of time in flight. */
const LATENCY_WEIGHT = 0.05;

/** Timer lateness (ms) absorbed by the rate grid; see nextStart. */
const MAX_SLACK_MS = 2;

type Listener<K extends keyof LimiterEvents> = (event: LimiterEvents[K]) => void;

interface Job {
  run: (startedAt: number, ticket: number) => void;
  reject: (error: Error) => void;
  detach: () => void;
}

export class RequestGate {
  private readonly maxConcurrent: number;
  private readonly clock: () => number;
  private readonly setTimer: SetTimer;
  private readonly policy: AdaptiveRatePolicy;
  private readonly concurrency = new ConcurrencyPolicy();

  private readonly queue: Job[] = [];
  private inFlight = 0;
  /** When each request in flight (by ticket) started. */
  private readonly inFlightStarts = new Map<number, number>();
  /** Time in flight of recent requests (moving average, ms). */
  private latencyMs = 0;
  private nextTicket = 0;
  /** Earliest start allowed by the rate (theoretical arrival time of the next start). */
  private nextStartAt = -Infinity;
  private pausedUntil = -Infinity;
  private pauseOpenedAt: number | null = null;
  private pausedClosedMs = 0;
  private timerAt: number | null = null;
  private cancelTimer: (() => void) | null = null;
  private dispatching = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private readonly listeners: { [K in keyof LimiterEvents]: Set<Listener<K>> } = {
    'request-start': new Set(),
    pause: new Set(),
    'rate-change': new Set(),
    'concurrency-change': new Set(),
  };

  constructor(options: LimiterOptions) {
    if (!Number.isInteger(options.maxConcurrent) || options.maxConcurrent < 1) {
      throw new RangeError(`maxConcurrent must be an integer ≥ 1, got ${options.maxConcurrent}`);
    }
    this.maxConcurrent = options.maxConcurrent;
    this.clock = options.now ?? monotonicNow;
    this.setTimer = options.setTimer ?? realSetTimer;
    this.policy = new AdaptiveRatePolicy(options, this.clock);
  }

  /** The limiter's clock (ms); callers use it so start times and pauses compare exactly. */
  now(): number {
    return this.clock();
  }

  /**
   * Runs `fn` when a slot is free, no pause holds and the rate allows; resolves or rejects with
   * its result. `fn` is called synchronously at the start instant, with that instant and the
   * start's ticket (for {@link rateLimited}). Rejects with RequestAbortedError if `signal`
   * fires (or the limiter stops) while still queued.
   */
  schedule<T>(
    fn: (startedAt: number, ticket: number) => Promise<T>,
    signal?: AbortSignal,
    options: ScheduleOptions = {},
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.stopped) {
        reject(new RequestAbortedError('The request limiter has stopped'));
        return;
      }
      if (signal?.aborted === true) {
        reject(abortedError(signal, 'A request waiting for the rate limiter'));
        return;
      }
      const onAbort = (): void => {
        const index = this.queue.indexOf(job);
        if (index >= 0) this.queue.splice(index, 1);
        reject(abortedError(signal, 'A request waiting for the rate limiter'));
      };
      const job: Job = {
        run: (startedAt, ticket) => {
          let result: Promise<T>;
          try {
            result = fn(startedAt, ticket);
          } catch (error) {
            result = Promise.reject(toError(error));
          }
          void result.then(resolve, reject).finally(() => {
            this.finished(ticket);
          });
        },
        reject,
        detach: () => {
          signal?.removeEventListener('abort', onAbort);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (options.front === true) this.queue.unshift(job);
      else this.queue.push(job);
      this.dispatch();
    });
  }

  /**
   * A 429 came back for a request started at `startedAt` (gate clock) with `ticket`, still in
   * flight. Pauses new starts for the time the policy gives and applies its new rate and cap.
   * Without the ticket the concurrency cap learns nothing from it.
   */
  rateLimited(retryAfterMs: number | undefined, startedAt: number, ticket?: number): void {
    const now = this.clock();
    const refusal = this.policy.isNewEpisode(startedAt) ? this.refusalOf(ticket) : undefined;
    const probe = refusal !== undefined && this.concurrency.isProbe(now, refusal);
    const decision = this.policy.rateLimited(now, retryAfterMs, startedAt, {
      lowerRate: !probe,
      ...(refusal && this.latencyMs > 0
        ? { slowStartFrom: (refusal.overlap * 1000) / this.latencyMs / 2 }
        : {}),
    });
    const until = now + decision.pauseMs;
    if (until > this.pausedUntil) {
      if (now >= this.pausedUntil) {
        this.closePause();
        this.pauseOpenedAt = now;
      }
      this.pausedUntil = until;
      this.emit('pause', { from: now, until, retryAfterMs, newEpisode: decision.newEpisode });
    }
    if (decision.change) this.applyRate(decision.change, now);
    if (refusal) {
      const rate = this.policy.rate;
      const rateFloor = rate === null ? 0 : Math.ceil((rate * this.latencyMs) / 1000);
      const change = this.concurrency.refused(now, refusal, rateFloor);
      if (change) this.emit('concurrency-change', { at: now, ...change });
      if (change?.reason === 'confirmed') {
        const released = this.policy.release(now);
        if (released) this.applyRate(released, now);
      }
    }
    this.dispatch();
  }

  /** A request came back without a 429: feeds the policies' estimates and their increases. */
  succeeded(): void {
    const now = this.clock();
    const change = this.policy.succeeded(now, this.pausedUntil);
    if (change) this.applyRate(change, now);
    const capChange = this.concurrency.succeeded(now, this.pausedUntil);
    if (capChange) this.emit('concurrency-change', { at: now, ...capChange });
    if (change || capChange) this.dispatch();
  }

  snapshot(): LimiterSnapshot {
    const now = this.clock();
    const openMs =
      this.pauseOpenedAt === null
        ? 0
        : Math.max(0, Math.min(now, this.pausedUntil) - this.pauseOpenedAt);
    return {
      inFlight: this.inFlight,
      queued: this.queue.length,
      allowedRatePerSecond: this.policy.rate,
      capRatePerSecond: this.policy.cap,
      concurrencyCap: this.concurrency.confirmedCap,
      pausedUntil: now < this.pausedUntil ? this.pausedUntil : null,
      pausedTotalMs: this.pausedClosedMs + openMs,
      rateLimitedCount: this.policy.rateLimitedCount,
      decreases: this.policy.decreases,
      increases: this.policy.increases,
    };
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends keyof LimiterEvents>(event: K, listener: Listener<K>): () => void {
    const set = this.listeners[event] as Set<Listener<K>>;
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Rejects queued requests with RequestAbortedError and resolves once in-flight ones finish. */
  stop(): Promise<void> {
    this.stopped = true;
    this.disarm();
    for (const job of this.queue.splice(0)) {
      job.detach();
      job.reject(new RequestAbortedError('The request limiter has stopped'));
    }
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private dispatch(): void {
    if (this.dispatching || this.stopped) return;
    this.dispatching = true;
    try {
      const slots = Math.min(this.maxConcurrent, this.concurrency.cap ?? Infinity);
      while (this.queue.length > 0 && this.inFlight < slots) {
        const now = this.clock();
        if (now < this.pausedUntil) {
          this.arm(this.pausedUntil, now);
          return;
        }
        if (this.policy.rate !== null && now < this.nextStartAt) {
          this.policy.held(now);
          this.arm(this.nextStartAt, now);
          return;
        }
        const job = this.queue.shift();
        if (job === undefined) return;
        job.detach();
        this.inFlight += 1;
        const ticket = this.nextTicket++;
        this.inFlightStarts.set(ticket, now);
        this.nextStartAt = this.nextStart(now);
        this.emit('request-start', { at: now, inFlight: this.inFlight });
        job.run(now, ticket);
      }
      if (this.queue.length > 0 && this.inFlight < this.maxConcurrent) {
        this.concurrency.held(this.clock());
      }
    } finally {
      this.dispatching = false;
    }
  }

  /**
   * The grid point after a start at `now`. A start that came up to `slack` late (timers fire on
   * whole milliseconds) keeps the grid, so timer lateness does not erode the average rate; a
   * later one (the queue was empty, or a pause) starts a new grid.
   */
  private nextStart(now: number): number {
    const rate = this.policy.rate;
    if (rate === null) return -Infinity;
    const interval = 1000 / rate;
    const slack = Math.min(MAX_SLACK_MS, interval / 10);
    return (now - this.nextStartAt <= slack ? this.nextStartAt : now) + interval;
  }

  /**
   * What the requests in flight say about a 429 for the one with `ticket`. Starts in the same
   * millisecond count as before it: which of them reached the server first is not known.
   */
  private refusalOf(ticket: number | undefined): Refusal | undefined {
    const startedAt = ticket === undefined ? undefined : this.inFlightStarts.get(ticket);
    if (ticket === undefined || startedAt === undefined) return undefined;
    let overlap = 0;
    for (const [other, otherStartedAt] of this.inFlightStarts) {
      if (other !== ticket && otherStartedAt <= startedAt) overlap += 1;
    }
    return { overlap, othersInFlight: this.inFlightStarts.size - 1 };
  }

  private finished(ticket: number): void {
    this.inFlight -= 1;
    const startedAt = this.inFlightStarts.get(ticket);
    this.inFlightStarts.delete(ticket);
    if (startedAt !== undefined) {
      const latency = this.clock() - startedAt;
      this.latencyMs =
        this.latencyMs === 0
          ? latency
          : this.latencyMs + LATENCY_WEIGHT * (latency - this.latencyMs);
    }
    if (this.inFlight === 0 && this.idleWaiters.length > 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
    this.dispatch();
  }

  /** Keeps the grid anchored: the next start moves by the change of spacing. */
  private applyRate(change: RateChange, now: number): void {
    const { from, to } = change;
    if (from !== null && to !== null) this.nextStartAt += 1000 / to - 1000 / from;
    else this.nextStartAt = -Infinity;
    this.emit('rate-change', { at: now, ...change });
  }

  private closePause(): void {
    if (this.pauseOpenedAt !== null) this.pausedClosedMs += this.pausedUntil - this.pauseOpenedAt;
    this.pauseOpenedAt = null;
  }

  private arm(at: number, now: number): void {
    if (this.timerAt !== null && this.timerAt <= at) return;
    this.disarm();
    this.timerAt = at;
    this.cancelTimer = this.setTimer(() => {
      this.timerAt = null;
      this.cancelTimer = null;
      this.dispatch();
    }, at - now);
  }

  private disarm(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.timerAt = null;
  }

  private emit<K extends keyof LimiterEvents>(event: K, payload: LimiterEvents[K]): void {
    for (const listener of this.listeners[event] as Set<Listener<K>>) listener(payload);
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
