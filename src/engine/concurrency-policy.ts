/**
 * How many requests may be in flight at once when the server limits concurrency rather than
 * rate. Some servers refuse the request one too many with a 429 instead of queueing it; pacing
 * starts cannot help there (any bunching of arrivals is refused, at any rate), a cap on
 * requests in flight can: a client with at most C requests out is never refused by a server
 * that serves C at once, since a request occupies the server only while the client waits.
 *
 * What a 429 tells: the requests started no later than the refused one and still unanswered
 * when its 429 arrives were the ones the server was serving (its `overlap`). A concurrency
 * limit refuses only with C in service, whatever the rate; a rate limit refuses at its rate,
 * whatever is in flight. So:
 * - A refusal with nothing else in flight proves a rate limit: no cap, for good.
 * - Any other refusal caps requests in flight at its overlap (never raising the cap), but
 *   never under what the rate now allowed keeps busy (rate × time in flight): against a rate
 *   limit the cap then stays above what the rate lets through, and the rate policy rules.
 * - While the cap holds requests back and nothing is refused it goes up by one after a second;
 *   a refusal right after such a raise, with the client at its cap, shows the raise was one
 *   too many: the cap goes back, confirmed, and the next raise waits 30 s, doubled per
 *   confirmation up to 5 minutes. That refusal is the cap's probe, not a sign the rate is too
 *   high: the gate does not lower the rate for it, and lifts the rate limit the earlier
 *   refusals set (they were the concurrency limit's).
 */

/** A refusal this soon after a raise, with the client at its cap, blames the raise. */
const PROBE_WINDOW_MS = 1000;
/** Clean time, with the cap holding requests back, before an unconfirmed cap goes up by one. */
const UNCONFIRMED_HOLD_MS = 1000;
/** Clean time before a confirmed cap is probed; doubled per confirmation. */
const CONFIRMED_HOLD_MS = 30_000;
const CONFIRMED_HOLD_MAX_MS = 300_000;

/** What the client saw when the first 429 of an episode came back. */
export interface Refusal {
  /** Requests started no later than the refused one and still unanswered. */
  overlap: number;
  /** Requests in flight besides the refused one, whenever they started. */
  othersInFlight: number;
}

export interface ConcurrencyChange {
  from: number | null;
  to: number | null;
  reason: 'adopted' | 'refused' | 'raised' | 'confirmed' | 'rate-limit';
}

export class ConcurrencyPolicy {
  private current: number | null = null;
  /** The cap a probe last confirmed (the server refused one more), until a refusal moves it. */
  private confirmed: number | null = null;
  /** A refusal with nothing else in flight: the server limits rate, not concurrency. */
  private rateLimitProven = false;
  private holdMs = UNCONFIRMED_HOLD_MS;
  private raisedAt = -Infinity;
  private changedAt = -Infinity;
  private heldAt = -Infinity;

  /** Requests in flight allowed by what the server has shown; null = no cap. */
  get cap(): number | null {
    return this.current;
  }

  /**
   * The number of requests in flight the server has shown it serves at once: a cap a probe
   * confirmed. An unconfirmed cap may be a rate limit's count, so it is not reported.
   */
  get confirmedCap(): number | null {
    return this.confirmed;
  }

  /** The cap held a request back at `now` (it only goes up while it matters). */
  held(now: number): void {
    this.heldAt = now;
  }

  /**
   * Whether the first 429 of an episode, back at `now`, is the cap's probe: it came right
   * after a raise, with the client at its cap. The rate is not lowered for it.
   */
  isProbe(now: number, refusal: Refusal): boolean {
    return (
      !this.rateLimitProven &&
      this.current !== null &&
      refusal.othersInFlight > 0 &&
      refusal.overlap >= 1 &&
      refusal.overlap === this.current - 1 &&
      now - this.raisedAt < PROBE_WINDOW_MS
    );
  }

  /**
   * The first 429 of an episode came back at `now`. `rateFloor`: requests in flight the rate
   * now allowed keeps busy on average (rate × latency, rounded up); the cap never goes under
   * it, so against a rate limit it stays above what the rate lets through and costs nothing.
   */
  refused(now: number, refusal: Refusal, rateFloor: number): ConcurrencyChange | undefined {
    if (this.rateLimitProven) return undefined;
    if (refusal.othersInFlight === 0) {
      this.rateLimitProven = true;
      this.confirmed = null;
      return this.current === null ? undefined : this.set(null, 'rate-limit', now);
    }
    if (this.isProbe(now, refusal)) {
      this.holdMs = Math.min(
        CONFIRMED_HOLD_MAX_MS,
        this.holdMs < CONFIRMED_HOLD_MS ? CONFIRMED_HOLD_MS : this.holdMs * 2,
      );
      this.confirmed = refusal.overlap;
      return this.set(refusal.overlap, 'confirmed', now);
    }
    this.holdMs = UNCONFIRMED_HOLD_MS;
    const cap = Math.max(1, refusal.overlap, rateFloor);
    if (this.current !== null && cap >= this.current) return undefined;
    this.confirmed = null;
    return this.set(cap, this.current === null ? 'adopted' : 'refused', now);
  }

  /** A request came back at `now` without a 429; the gate is paused until `pausedUntil`. */
  succeeded(now: number, pausedUntil: number): ConcurrencyChange | undefined {
    if (this.current === null || now < pausedUntil) return undefined;
    const cleanSince = Math.max(this.changedAt, pausedUntil);
    if (now - cleanSince < this.holdMs || this.heldAt < cleanSince) return undefined;
    return this.set(this.current + 1, 'raised', now);
  }

  private set(
    to: number | null,
    reason: ConcurrencyChange['reason'],
    now: number,
  ): ConcurrencyChange {
    const from = this.current;
    this.current = to;
    this.changedAt = now;
    // Only a refusal right after a raise, with nothing changed since, is that raise's probe.
    this.raisedAt = reason === 'raised' ? now : -Infinity;
    return { from, to, reason };
  }
}
