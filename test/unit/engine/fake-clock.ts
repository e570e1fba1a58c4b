import { sleepWith, type SetTimer, type Sleep } from '../../../src/engine/backoff.js';

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

/** Lets every pending promise continuation run (setImmediate fires after the microtask queue). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Virtual time for the limiter, runner and metrics: `now`, `setTimer` and `sleep` to inject, and
 * `advance` to move time forward, firing timers in order and settling promises after each.
 */
export class FakeClock {
  private time: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  readonly now = (): number => this.time;

  readonly setTimer: SetTimer = (callback, delayMs) => {
    const timer: Timer = {
      at: this.time + Math.max(0, delayMs),
      seq: this.seq++,
      callback,
      cancelled: false,
    };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  };

  readonly sleep: Sleep = sleepWith(this.setTimer);

  /** A promise resolved `ms` of virtual time from now. */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(resolve, ms));
  }

  /** Runs every timer due up to now + ms (in time order), then leaves the clock there. */
  async advance(ms: number): Promise<void> {
    await this.runUntil(this.time + ms);
  }

  async runUntil(end: number): Promise<void> {
    await settle();
    for (;;) {
      const next = this.nextTimer();
      if (next === undefined || next.at > end) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.time = Math.max(this.time, next.at);
      next.callback();
      await settle();
    }
    this.time = Math.max(this.time, end);
  }

  /** Advances until `done` settles (or `limitMs` of virtual time passes); returns when it did. */
  async runUntilSettled(done: Promise<unknown>, limitMs = 3_600_000): Promise<void> {
    const state = { finished: false };
    done.then(
      () => (state.finished = true),
      () => (state.finished = true),
    );
    const end = this.time + limitMs;
    await settle();
    while (!state.finished) {
      const next = this.nextTimer();
      if (next === undefined || next.at > end)
        throw new Error('runUntilSettled: nothing left to run');
      this.timers.splice(this.timers.indexOf(next), 1);
      this.time = Math.max(this.time, next.at);
      next.callback();
      await settle();
    }
  }

  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  private nextTimer(): Timer | undefined {
    this.timers = this.timers.filter((t) => !t.cancelled);
    let best: Timer | undefined;
    for (const timer of this.timers) {
      if (
        best === undefined ||
        timer.at < best.at ||
        (timer.at === best.at && timer.seq < best.seq)
      ) {
        best = timer;
      }
    }
    return best;
  }
}
