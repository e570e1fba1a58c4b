import { RateMeter } from './metrics.js';

/**
 * The adaptive rate: how fast the gate may start requests, and how long a 429 pauses them. No
 * timers, no queue: the gate reports what happened (a 429, a success, a request held back by
 * the rate) with the instant it happened, and applies the answer.
 *
 * Policy:
 * - The user's caps (`--rate-limit-per-second`, `--rate-limit-per-minute` ÷ 60, the smaller
 *   wins) are the ceiling; with no cap the rate is unlimited until the server says otherwise.
 * - Pause: a 429 pauses new starts for its `Retry-After` (at most `maxPauseMs`), or for an
 *   exponential backoff when it is absent (doubled per episode without a success between).
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
 */

export interface RatePolicyOptions {
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
}

export interface RateChange {
  from: number | null;
  to: number | null;
  reason: 'decrease' | 'increase' | 'unlimited';
}

export interface RateLimitedDecision {
  /** No request may start for this long from now. */
  pauseMs: number;
  /** Whether this 429 began a new episode (and may have lowered the rate). */
  newEpisode: boolean;
  change?: RateChange;
}

/** Successes the recent window must hold before a first decrease trusts its estimate. */
const MIN_ESTIMATE_SUCCESSES = 5;
/** The increase step doubles after this many increases in a row (a low estimate recovers fast). */
const ACCELERATE_EVERY = 5;
/** Just below the rate the last 429 came at (the probable ceiling), steps shrink to a tenth. */
const PLATEAU_FROM = 0.9;
const PLATEAU_STEP = 0.1;

export class AdaptiveRatePolicy {
  /** The user's cap in requests per second; null = none. */
  readonly cap: number | null;
  private readonly floor: number;
  private readonly decreaseFactor: number;
  private readonly increaseIntervalMs: number;
  private readonly increaseFraction: number;
  private readonly unlimitedAfterMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly maxPauseMs: number;
  private readonly successMeter: RateMeter;

  private current: number | null;
  private episodeStartedAt: number | null = null;
  private successes = 0;
  private successesAtEpisode = 0;
  private episodesWithoutSuccess = 0;
  private increaseStep = 0;
  private increaseStreak = 0;
  private lastEpisodeRate: number | null = null;
  private lastAdjustAt = -Infinity;
  private lastHeldAt = -Infinity;
  private counts = { rateLimited: 0, decreases: 0, increases: 0 };

  constructor(options: RatePolicyOptions, clock: () => number) {
    const caps: number[] = [];
    if (options.ratePerSecond !== undefined)
      caps.push(positive('ratePerSecond', options.ratePerSecond));
    if (options.ratePerMinute !== undefined) {
      caps.push(positive('ratePerMinute', options.ratePerMinute) / 60);
    }
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
    this.successMeter = new RateMeter({
      windowMs: positive('estimateWindowMs', options.estimateWindowMs ?? 10_000),
      slots: 50,
      now: clock,
    });
    this.current = this.cap;
  }

  /** Requests per second allowed now; null = unlimited. */
  get rate(): number | null {
    return this.current;
  }

  get rateLimitedCount(): number {
    return this.counts.rateLimited;
  }

  get decreases(): number {
    return this.counts.decreases;
  }

  get increases(): number {
    return this.counts.increases;
  }

  /** The rate held a request back at `now` (the increase only climbs while it matters). */
  held(now: number): void {
    this.lastHeldAt = now;
  }

  /** A 429 came back at `now` for a request started at `startedAt`. */
  rateLimited(
    now: number,
    retryAfterMs: number | undefined,
    startedAt: number,
  ): RateLimitedDecision {
    this.counts.rateLimited += 1;
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
    const change = newEpisode ? this.decrease(now, pauseMs) : undefined;
    return { pauseMs, newEpisode, ...(change ? { change } : {}) };
  }

  /** A request came back at `now` without a 429; the gate is paused until `pausedUntil`. */
  succeeded(now: number, pausedUntil: number): RateChange | undefined {
    this.successes += 1;
    this.successMeter.add(1, now);
    this.episodesWithoutSuccess = 0;
    if (this.current === null || now < pausedUntil) return undefined;
    const cleanSince = Math.max(this.lastAdjustAt, pausedUntil);
    if (this.cap === null && now - Math.max(this.lastHeldAt, cleanSince) >= this.unlimitedAfterMs) {
      return this.setRate(null, 'unlimited', now);
    }
    if (now - cleanSince < this.increaseIntervalMs || this.lastHeldAt < cleanSince)
      return undefined;
    if (this.cap !== null && this.current >= this.cap) return undefined;
    const base = Math.max(this.increaseStep, this.increaseFraction * this.floor);
    const ceiling = this.lastEpisodeRate;
    let step: number;
    if (ceiling !== null && this.current >= ceiling * PLATEAU_FROM && this.current < ceiling) {
      step = base * PLATEAU_STEP;
      this.increaseStreak = 0;
    } else {
      step = base * 2 ** Math.floor(this.increaseStreak / ACCELERATE_EVERY);
      this.increaseStreak += 1;
    }
    const raised = this.current + step;
    this.counts.increases += 1;
    return this.setRate(this.cap === null ? raised : Math.min(this.cap, raised), 'increase', now);
  }

  private decrease(now: number, pauseMs: number): RateChange | undefined {
    const before = this.current;
    const previousEpisodeAt = this.episodeStartedAt;
    this.episodeStartedAt = now;
    const successesSincePrevious = this.successes - this.successesAtEpisode;
    this.successesAtEpisode = this.successes;
    let estimate: number;
    if (before === null || previousEpisodeAt === null) {
      const { count, coveredMs } = this.successMeter.sample(now);
      // Too few successes to say anything: the pause alone protects the server this time.
      if (count < MIN_ESTIMATE_SUCCESSES) return undefined;
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
    this.counts.decreases += 1;
    return this.setRate(next, 'decrease', now);
  }

  private setRate(to: number | null, reason: RateChange['reason'], now: number): RateChange {
    const from = this.current;
    this.current = to;
    this.lastAdjustAt = now;
    return { from, to, reason };
  }
}

export function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}
