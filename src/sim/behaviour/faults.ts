/**
 * Fault injection. Scripted faults (tests) are consumed first, in order, by the next matching
 * requests; then each content request draws once from a seeded PRNG against the configured
 * rates (server error, reset, hang, malformed, in that order of the unit interval).
 */
import { Rng, hash3 } from '../prng.js';
import type { ResolvedOptions } from '../options.js';
import type { ScriptedFault } from '../types.js';

export type Fault =
  | {
      kind: 'status';
      status: number;
      retryAfterSeconds?: number;
      body?: unknown;
      scripted: boolean;
    }
  | { kind: 'reset' | 'hang' | 'malformed'; scripted: boolean };

interface Pending {
  operation: string | undefined;
  remaining: number;
  fault: ScriptedFault['fault'];
}

const SERVER_ERROR_STATUSES = [500, 502, 503, 504];

export class FaultInjector {
  private readonly pending: Pending[] = [];
  private readonly rng: Rng;

  constructor(
    private readonly rates: ResolvedOptions['faults'],
    seed: number,
  ) {
    this.rng = new Rng(hash3(seed, 0xfa17, 1));
  }

  inject(faults: ScriptedFault[]): void {
    for (const f of faults) {
      const times = f.times ?? 1;
      if (!Number.isInteger(times) || times < 1)
        throw new RangeError('ScriptedFault.times must be a whole number ≥ 1');
      const kind = (f.fault as { kind?: unknown }).kind;
      if (kind !== 'status' && kind !== 'reset' && kind !== 'hang' && kind !== 'malformed') {
        throw new RangeError(`unknown fault kind "${String(kind)}"`);
      }
      if (
        f.fault.kind === 'status' &&
        !(Number.isInteger(f.fault.status) && f.fault.status >= 100 && f.fault.status <= 599)
      ) {
        throw new RangeError(
          `fault status must be an HTTP status code (got ${String(f.fault.status)})`,
        );
      }
      this.pending.push({ operation: f.operation, remaining: times, fault: f.fault });
    }
  }

  /** The fault for this request, if any. `content`: rates apply and unnamed scripts match. */
  next(operationId: string, content: boolean): Fault | undefined {
    for (let i = 0; i < this.pending.length; i++) {
      const p = this.pending[i] as Pending;
      const match = p.operation === undefined ? content : p.operation === operationId;
      if (!match) continue;
      if (--p.remaining === 0) this.pending.splice(i, 1);
      return { ...p.fault, scripted: true };
    }
    if (!content) return undefined;
    const { serverErrorRate, resetRate, hangRate, malformedRate } = this.rates;
    if (serverErrorRate + resetRate + hangRate + malformedRate === 0) return undefined;
    const u = this.rng.float();
    let edge = serverErrorRate;
    if (u < edge)
      return { kind: 'status', status: this.rng.pick(SERVER_ERROR_STATUSES), scripted: false };
    edge += resetRate;
    if (u < edge) return { kind: 'reset', scripted: false };
    edge += hangRate;
    if (u < edge) return { kind: 'hang', scripted: false };
    edge += malformedRate;
    if (u < edge) return { kind: 'malformed', scripted: false };
    return undefined;
  }

  get scriptedPending(): number {
    return this.pending.reduce((n, p) => n + p.remaining, 0);
  }
}
