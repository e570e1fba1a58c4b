import type { SimRateLimitModel, SimRetryAfterForm } from '../types.js';

/**
 * The server's request limits, on the injected clock. Each model answers a request with
 * `ok`, or with how long (ms) until it would let one through; {@link retryAfterHeader} turns
 * that into the `Retry-After` a 429 carries.
 */
export type Admission = { ok: true } | { ok: false; waitMs: number };

export interface RequestLimit {
  /** Admits a request arriving now, or says how long until one would be. */
  take(now: number): Admission;
  /** An admitted request has been answered (only the concurrency model cares). */
  release(): void;
}

export type ResolvedRateLimit =
  | {
      model: Exclude<SimRateLimitModel, 'concurrency'>;
      requestsPerSecond: number;
      burst: number;
      retryAfter: SimRetryAfterForm;
    }
  | { model: 'concurrency'; maxConcurrent: number; retryAfter: SimRetryAfterForm };

export function createRequestLimit(limit: ResolvedRateLimit, now: number): RequestLimit {
  switch (limit.model) {
    case 'token-bucket':
      return new TokenBucket(limit.requestsPerSecond, limit.burst, now);
    case 'fixed-window':
      return new FixedWindow(limit.requestsPerSecond);
    case 'sliding-log':
      return new SlidingLog(limit.requestsPerSecond);
    case 'concurrency':
      return new ConcurrencyLimit(limit.maxConcurrent);
  }
}

/** `burst` requests at once, refilled at `requestsPerSecond`. */
export class TokenBucket implements RequestLimit {
  private tokens: number;
  private last: number;

  constructor(
    private readonly requestsPerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  take(now: number): Admission {
    if (now > this.last) {
      this.tokens = Math.min(
        this.burst,
        this.tokens + ((now - this.last) / 1000) * this.requestsPerSecond,
      );
      this.last = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, waitMs: ((1 - this.tokens) / this.requestsPerSecond) * 1000 };
  }

  release(): void {}
}

/** At most `perSecond` requests in each clock second [k s, (k+1) s). */
export class FixedWindow implements RequestLimit {
  private windowStart = -Infinity;
  private count = 0;
  private readonly limit: number;

  constructor(perSecond: number) {
    this.limit = Math.max(1, Math.floor(perSecond));
  }

  take(now: number): Admission {
    const start = Math.floor(now / 1000) * 1000;
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.count = 0;
    }
    if (this.count < this.limit) {
      this.count += 1;
      return { ok: true };
    }
    return { ok: false, waitMs: start + 1000 - now };
  }

  release(): void {}
}

/** At most `perSecond` accepted requests in any window of one second. */
export class SlidingLog implements RequestLimit {
  /** Times of the requests accepted in the last second, oldest first (a ring buffer). */
  private readonly log: number[];
  private head = 0;
  private size = 0;

  constructor(perSecond: number) {
    this.log = new Array<number>(Math.max(1, Math.floor(perSecond))).fill(0);
  }

  take(now: number): Admission {
    const capacity = this.log.length;
    while (this.size > 0 && (this.log[this.head] ?? 0) <= now - 1000) {
      this.head = (this.head + 1) % capacity;
      this.size -= 1;
    }
    if (this.size < capacity) {
      this.log[(this.head + this.size) % capacity] = now;
      this.size += 1;
      return { ok: true };
    }
    return { ok: false, waitMs: (this.log[this.head] ?? now) + 1000 - now };
  }

  release(): void {}
}

/**
 * At most `max` requests being served at once; one more is refused, not queued. When a slot
 * frees is unknown to the server, so the wait it reports is a nominal second.
 */
export class ConcurrencyLimit implements RequestLimit {
  private inFlight = 0;

  constructor(private readonly max: number) {}

  take(): Admission {
    if (this.inFlight < this.max) {
      this.inFlight += 1;
      return { ok: true };
    }
    return { ok: false, waitMs: 1000 };
  }

  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }
}

/**
 * The `Retry-After` value for a refusal (undefined: send none) and the window it announces, in
 * ms from now (undefined: none). An HTTP date is written as a server would (now plus the whole
 * seconds, formatted): its resolution is a second, so the instant it names can be up to a
 * second before the wait ends, never in the past.
 */
export function retryAfterHeader(
  form: SimRetryAfterForm,
  waitMs: number,
  now: number,
): { header: string | undefined; windowMs: number | undefined } {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  switch (form) {
    case 'exact':
      return { header: String(seconds), windowMs: seconds * 1000 };
    case 'one':
      return { header: '1', windowMs: 1000 };
    case 'absent':
      return { header: undefined, windowMs: undefined };
    case 'http-date': {
      const until = Math.floor((now + seconds * 1000) / 1000) * 1000;
      const date = new Date(until).toUTCString();
      return { header: date, windowMs: Math.max(0, until - now) };
    }
  }
}

/**
 * Tracks the Retry-After windows the server announced, and counts requests that arrive inside
 * one (after a grace for requests already on the wire when the first 429 of the window went out).
 */
export class RetryAfterWindow {
  private startedAt = 0;
  private endsAt = -Infinity;

  constructor(private readonly graceMs: number) {}

  announce(now: number, retryAfterSeconds: number): void {
    this.announceMs(now, retryAfterSeconds * 1000);
  }

  announceMs(now: number, windowMs: number): void {
    if (now >= this.endsAt) this.startedAt = now;
    this.endsAt = Math.max(this.endsAt, now + windowMs);
  }

  /** True when a request arriving now ignores a running window. */
  violatedBy(now: number): boolean {
    return now < this.endsAt && now >= this.startedAt + this.graceMs;
  }
}
