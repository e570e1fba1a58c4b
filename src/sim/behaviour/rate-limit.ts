/**
 * Request-rate limit as a token bucket on the injected clock: `burst` requests at once, refilled
 * at `requestsPerSecond`. A request finding the bucket empty is refused with the whole seconds
 * until a token is back (at least 1), which the server sends as `Retry-After`.
 */
export class TokenBucket {
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

  /** Takes a token, or returns the Retry-After seconds to announce. */
  take(now: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
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
    const waitSeconds = (1 - this.tokens) / this.requestsPerSecond;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitSeconds)) };
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
    if (now >= this.endsAt) this.startedAt = now;
    this.endsAt = Math.max(this.endsAt, now + retryAfterSeconds * 1000);
  }

  /** True when a request arriving now ignores a running window. */
  violatedBy(now: number): boolean {
    return now < this.endsAt && now >= this.startedAt + this.graceMs;
  }
}
