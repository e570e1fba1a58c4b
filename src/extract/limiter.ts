import { RequestAbortedError } from '../errors.js';
/**
 * The one gate every Looker API request passes through.
 *
 * Policy, in the order it is applied:
 * - Concurrency: at most `maxConcurrent` requests in flight (all kinds together); FIFO, with
 *   retries allowed to the front so a page in trouble is not starved behind new work.
 * - Rate: starts are spaced `1000 / rate` ms apart on a fixed grid (GCRA with no burst), so a
 *   second holds at most `rate` starts (up to 2 ms of timer lateness is absorbed by the grid so
 *   the average is exact). The user's caps
 *   (`--rate-limit-per-second`, `--rate-limit-per-minute` ÷ 60, the smaller wins) are the
 *   ceiling; with no cap the rate is unlimited until the server says otherwise.
 * - Pause: a 429 stops every new start until `Retry-After` has passed (or an exponential backoff
 *   when it is absent); requests already in flight finish. Every 429 extends the pause to its
 *   own Retry-After, so no request is ever sent inside any window the server asked for.
 * - Decrease, once per pause episode: a 429 for a request that started before the current
 *   episode began is a straggler of it and only extends the pause. A new episode sets the rate
 *   to what the server sustained. The first time (or when unlimited): the successes of the
 *   recent window divided by that window plus the pause now owed (for a token bucket, its
 *   refill rate), but not under half the rate that was succeeding, and only with at least 5
 *   successes to go on (else the pause alone acts). Later: the successes per second since the
 *   previous episode, but no more than `decreaseFactor` (0.9) below the current rate, never up.
 * - Increase, additively while clean: each `increaseIntervalMs` without a new episode, if the
 *   rate actually held a request back, add `increaseFraction` (2 %) of the rate the last
 *   decrease set, up to the cap. The step doubles after every 5 increases in a row, so a low
 *   estimate recovers in tens of seconds, not minutes; in the 10 % just below the rate the
 *   last 429 came at (the probable ceiling) it shrinks to a tenth, so the rate lingers where
 *   the server is known to cope and probes past it gently (the shape of TCP CUBIC). With no
 *   cap, once the rate has held nothing back for `unlimitedAfterMs`, it is lifted altogether.
 * Why it fits a token bucket: the rate settles a few percent above the refill rate, so the
 * bucket drains slowly and is never full and idle; a pause of Retry-After then refills it, so
 * an episode costs a handful of 429s and almost no tokens.
 *
 * Not bottleneck: it reads `Date.now()`/`setTimeout` directly (no injectable clock), a job it
 * has already registered starts on its timer even if a pause began meanwhile, and its
 * `setTimeout(0)` hops cost milliseconds per job (≈5 ms: 50 % worker utilization on 5 ms
 * requests). This file does the same queueing without those three problems.
 */
import { abortedError, monotonicNow, realSetTimer, type SetTimer } from './backoff.js';
import { RateMeter } from './metrics.js';

export interface LimiterOptions {
  /** Max requests in flight, all kinds together (`--workers`). Minimum 1. */
  maxConcurrent: number;
  /** User cap in requests per second (`--rate-limit-per-second`). @default unlimited */
  ratePerSecond?: number;
  /** User cap in requests per minute (`--rate-limit-per-minute`), enforced as even spacing. @default unlimited */
  ratePerMinute?: number;
  /** Floor of the allowed rate after decreases, req/s (clamped to the cap). @default 0.5 */
  minRatePerSecond?: number;
  /** Largest cut of one later pause episode (new rate ≥ rate × factor). 0 < f < 1. @default 0.9 */
  decreaseFactor?: number;
  /** Clean time between two additive increases, in ms. @default 1000 */
  increaseIntervalMs?: number;
  /** Step of one increase, as a fraction of the rate the last decrease set. @default 0.02 */
  increaseFraction?: number;
  /** With no cap: lift the rate limit after it has held nothing back this long (ms). @default 30000 */
  unlimitedAfterMs?: number;
  /** Window (ms) of the success rate used to estimate the sustainable rate. @default 10000 */
  estimateWindowMs?: number;
  /** Pause after a 429 without Retry-After, doubled per episode without a success between. @default 1000 */
  backoffBaseMs?: number;
  /** Longest pause after a 429 without Retry-After, in ms. @default 60000 */
  backoffMaxMs?: number;
  /** Longest Retry-After honoured, in ms (a later 429 pauses again). @default 600000 */
  maxPauseMs?: number;
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

export interface RateChangeEvent {
  at: number;
  from: number | null;
  to: number | null;
  reason: 'decrease' | 'increase' | 'unlimited';
}

export interface LimiterEvents {
  'request-start': RequestStartEvent;
  pause: PauseEvent;
  'rate-change': RateChangeEvent;
}

/** Timer lateness (ms) absorbed by the rate grid; see nextStart. */
const MAX_SLACK_MS = 2;
/** Successes the recent window must hold before a first decrease trusts its estimate. */
const MIN_ESTIMATE_SUCCESSES = 5;
/** The increase step doubles after this many increases in a row (a low estimate recovers fast). */
const ACCELERATE_EVERY = 5;
/** Just below the rate the last 429 came at (the probable ceiling), steps shrink to a tenth. */
const PLATEAU_FROM = 0.9;
const PLATEAU_STEP = 0.1;

type Listener<K extends keyof LimiterEvents> = (event: LimiterEvents[K]) => void;

interface Job {
  run: (startedAt: number) => void;
  reject: (error: Error) => void;
  detach: () => void;
}

export class RequestLimiter {
  private readonly maxConcurrent: number;
  private readonly cap: number | null;
  private readonly floor: number;
  private readonly decreaseFactor: number;
  private readonly increaseIntervalMs: number;
  private readonly increaseFraction: number;
  private readonly unlimitedAfterMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly maxPauseMs: number;
  private readonly clock: () => number;
  private readonly setTimer: SetTimer;
  private readonly successMeter: RateMeter;

  private readonly queue: Job[] = [];
  private inFlight = 0;
  private rate: number | null;
  /** Earliest start allowed by the rate (theoretical arrival time of the next start). */
  private nextStartAt = -Infinity;
  private pausedUntil = -Infinity;
  private pauseOpenedAt: number | null = null;
  private pausedClosedMs = 0;
  private episodeStartedAt: number | null = null;
  private successes = 0;
  private successesAtEpisode = 0;
  private episodesWithoutSuccess = 0;
  private increaseStep = 0;
  private increaseStreak = 0;
  private lastEpisodeRate: number | null = null;
  private lastAdjustAt = -Infinity;
  private lastHeldAt = -Infinity;
  private rateLimitedCount = 0;
  private decreases = 0;
  private increases = 0;
  private timerAt: number | null = null;
  private cancelTimer: (() => void) | null = null;
  private dispatching = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private readonly listeners: { [K in keyof LimiterEvents]: Set<Listener<K>> } = {
    'request-start': new Set(),
    pause: new Set(),
    'rate-change': new Set(),
  };

  constructor(options: LimiterOptions) {
    if (!Number.isInteger(options.maxConcurrent) || options.maxConcurrent < 1) {
      throw new RangeError(`maxConcurrent must be an integer ≥ 1, got ${options.maxConcurrent}`);
    }
    const caps: number[] = [];
    if (options.ratePerSecond !== undefined)
      caps.push(positive('ratePerSecond', options.ratePerSecond));
    if (options.ratePerMinute !== undefined) {
      caps.push(positive('ratePerMinute', options.ratePerMinute) / 60);
    }
    this.maxConcurrent = options.maxConcurrent;
    this.cap = caps.length === 0 ? null : Math.min(...caps);
    this.floor = Math.min(
      positive('minRatePerSecond', options.minRatePerSecond ?? 0.5),
      this.cap ?? Infinity,
    );
    this.decreaseFactor = options.decreaseFactor ?? 0.9;
    if (!(this.decreaseFactor > 0 && this.decreaseFactor < 1)) {
      throw new RangeError(`decreaseFactor must be in (0, 1), got ${this.decreaseFactor}`);
    }
    this.increaseIntervalMs = positive('increaseIntervalMs', options.increaseIntervalMs ?? 1000);
    this.increaseFraction = positive('increaseFraction', options.increaseFraction ?? 0.02);
    this.unlimitedAfterMs = positive('unlimitedAfterMs', options.unlimitedAfterMs ?? 30_000);
    this.backoffBaseMs = positive('backoffBaseMs', options.backoffBaseMs ?? 1000);
    this.backoffMaxMs = positive('backoffMaxMs', options.backoffMaxMs ?? 60_000);
    this.maxPauseMs = positive('maxPauseMs', options.maxPauseMs ?? 600_000);
    this.clock = options.now ?? monotonicNow;
    this.setTimer = options.setTimer ?? realSetTimer;
    this.successMeter = new RateMeter({
      windowMs: positive('estimateWindowMs', options.estimateWindowMs ?? 10_000),
      slots: 50,
      now: this.clock,
    });
    this.rate = this.cap;
  }

  /** The limiter's clock (ms); callers use it so start times and pauses compare exactly. */
  now(): number {
    return this.clock();
  }

  /**
   * Runs `fn` when a slot is free, no pause holds and the rate allows; resolves or rejects with
   * its result. `fn` is called synchronously at the start instant, with that instant. Rejects
   * with RequestAbortedError if `signal` fires (or the limiter stops) while still queued.
   */
  schedule<T>(
    fn: (startedAt: number) => Promise<T>,
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
        run: (startedAt) => {
          let result: Promise<T>;
          try {
            result = fn(startedAt);
          } catch (error) {
            result = Promise.reject(toError(error));
          }
          void result.then(resolve, reject).finally(() => {
            this.finished();
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
   * A 429 came back for a request started at `startedAt` (limiter clock). Pauses new starts for
   * `retryAfterMs` (or a backoff when undefined) and, once per episode, lowers the rate.
   */
  rateLimited(retryAfterMs: number | undefined, startedAt: number): void {
    const now = this.clock();
    this.rateLimitedCount += 1;
    // Strictly after: a request started in the very millisecond the episode began was sent
    // before its 429 was processed (no start can follow an announced pause in the same instant).
    const newEpisode = this.episodeStartedAt === null || startedAt > this.episodeStartedAt;
    if (newEpisode) this.episodesWithoutSuccess += 1;
    const pauseMs =
      retryAfterMs === undefined
        ? Math.min(
            this.backoffMaxMs,
            this.backoffBaseMs * 2 ** Math.max(0, this.episodesWithoutSuccess - 1),
          )
        : Math.min(this.maxPauseMs, Math.max(0, retryAfterMs));
    const until = now + pauseMs;
    if (until > this.pausedUntil) {
      if (now >= this.pausedUntil) {
        this.closePause();
        this.pauseOpenedAt = now;
      }
      this.pausedUntil = until;
      this.emit('pause', { from: now, until, retryAfterMs, newEpisode });
    }
    if (newEpisode) this.decrease(now, pauseMs);
    this.dispatch();
  }

  /** A request came back without a 429: feeds the estimate and the additive increase. */
  succeeded(): void {
    const now = this.clock();
    this.successes += 1;
    this.successMeter.add(1, now);
    this.episodesWithoutSuccess = 0;
    if (this.rate === null || now < this.pausedUntil) return;
    const cleanSince = Math.max(this.lastAdjustAt, this.pausedUntil);
    if (this.cap === null && now - Math.max(this.lastHeldAt, cleanSince) >= this.unlimitedAfterMs) {
      this.setRate(null, 'unlimited', now);
      return;
    }
    if (now - cleanSince < this.increaseIntervalMs || this.lastHeldAt < cleanSince) return;
    if (this.cap !== null && this.rate >= this.cap) return;
    const base = Math.max(this.increaseStep, this.increaseFraction * this.floor);
    const ceiling = this.lastEpisodeRate;
    let step: number;
    if (ceiling !== null && this.rate >= ceiling * PLATEAU_FROM && this.rate < ceiling) {
      step = base * PLATEAU_STEP;
      this.increaseStreak = 0;
    } else {
      step = base * 2 ** Math.floor(this.increaseStreak / ACCELERATE_EVERY);
      this.increaseStreak += 1;
    }
    const raised = this.rate + step;
    this.increases += 1;
    this.setRate(this.cap === null ? raised : Math.min(this.cap, raised), 'increase', now);
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
      allowedRatePerSecond: this.rate,
      capRatePerSecond: this.cap,
      pausedUntil: now < this.pausedUntil ? this.pausedUntil : null,
      pausedTotalMs: this.pausedClosedMs + openMs,
      rateLimitedCount: this.rateLimitedCount,
      decreases: this.decreases,
      increases: this.increases,
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
      while (this.queue.length > 0 && this.inFlight < this.maxConcurrent) {
        const now = this.clock();
        if (now < this.pausedUntil) {
          this.arm(this.pausedUntil, now);
          return;
        }
        if (this.rate !== null && now < this.nextStartAt) {
          this.lastHeldAt = now;
          this.arm(this.nextStartAt, now);
          return;
        }
        const job = this.queue.shift();
        if (job === undefined) return;
        job.detach();
        this.inFlight += 1;
        this.nextStartAt = this.nextStart(now);
        this.emit('request-start', { at: now, inFlight: this.inFlight });
        job.run(now);
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
    if (this.rate === null) return -Infinity;
    const interval = 1000 / this.rate;
    const slack = Math.min(MAX_SLACK_MS, interval / 10);
    return (now - this.nextStartAt <= slack ? this.nextStartAt : now) + interval;
  }

  private finished(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0 && this.idleWaiters.length > 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
    this.dispatch();
  }

  private decrease(now: number, pauseMs: number): void {
    const before = this.rate;
    const previousEpisodeAt = this.episodeStartedAt;
    this.episodeStartedAt = now;
    const successesSincePrevious = this.successes - this.successesAtEpisode;
    this.successesAtEpisode = this.successes;
    let estimate: number;
    if (before === null || previousEpisodeAt === null) {
      const { count, coveredMs } = this.successMeter.sample(now);
      // Too few successes to say anything: the pause alone protects the server this time.
      if (count < MIN_ESTIMATE_SUCCESSES) return;
      const corrected = (count * 1000) / (coveredMs + pauseMs);
      const half = coveredMs > 0 ? (count * 500) / coveredMs : 0;
      estimate = Math.min(before ?? Infinity, Math.max(corrected, half));
    } else {
      const elapsed = now - previousEpisodeAt;
      const sustained = elapsed > 0 ? (successesSincePrevious * 1000) / elapsed : 0;
      estimate = Math.max(before * this.decreaseFactor, Math.min(sustained, before));
    }
    const next = Math.min(this.cap ?? Infinity, Math.max(this.floor, estimate));
    this.increaseStep = this.increaseFraction * next;
    this.lastEpisodeRate = before;
    this.increaseStreak = 0;
    this.decreases += 1;
    this.setRate(next, 'decrease', now);
  }

  private setRate(to: number | null, reason: RateChangeEvent['reason'], now: number): void {
    const from = this.rate;
    // Keep the grid anchored: the next start moves by the change of spacing.
    if (from !== null && to !== null) this.nextStartAt += 1000 / to - 1000 / from;
    else this.nextStartAt = -Infinity;
    this.rate = to;
    this.lastAdjustAt = now;
    this.emit('rate-change', { at: now, from, to, reason });
    if (reason !== 'decrease') this.dispatch();
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

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
