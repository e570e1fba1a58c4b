/**
 * The Looker API simulator: a Looker instance on 127.0.0.1 under /api/4.0, generated from a
 * seed, with optional latency, capacity, rate limits, faults and live mutation. See
 * docs/sim.md for what it plays and how.
 *
 * ```ts
 * const sim = await startSimulator({ counts: { dashboard: 500 }, rateLimit: { requestsPerSecond: 50 } });
 * // LOOKERSDK_BASE_URL=sim.url, LOOKERSDK_CLIENT_ID=sim.clientId, LOOKERSDK_CLIENT_SECRET=sim.clientSecret
 * await sim.close();
 * ```
 */
import { resolveOptions } from './options.js';
import { SimServer } from './server.js';
import type { RunningSimulator, SimulatorOptions } from './types.js';

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const resolved = resolveOptions(options);
  const server = new SimServer(resolved);
  const url = await server.listen();
  let closing: Promise<void> | undefined;
  return {
    url,
    clientId: resolved.clientId,
    clientSecret: resolved.clientSecret,
    dataset: server.dataset,
    stats: () => server.snapshot(),
    resetStats: () => {
      server.stats.reset();
    },
    requestLog: () => server.requestLog(),
    injectFaults: (...faults) => {
      server.injectFaults(faults);
    },
    mutate: (n = 1) => server.mutator.apply(n),
    mutationLog: () => server.mutator.entries(),
    applyMutations: (mutations) => server.mutator.script(mutations),
    setWriteRejections: (rates) => {
      server.setWriteRejections(rates);
    },
    close: () => (closing ??= server.close()),
  };
}

export {
  resolveOptions,
  SimulatorOptionError,
  DEFAULT_COUNTS,
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  MAX_COUNT,
  RATE_LIMIT_MODELS,
  RETRY_AFTER_FORMS,
} from './options.js';
export type { ResolvedCounts } from './options.js';
export { SimulatorListenError } from './server.js';
export { SIM_CONTENT_TYPES, MUTABLE_TYPES } from './types.js';
export type {
  ItemDefect,
  MutableType,
  MutationLogEntry,
  RequestLogEntry,
  RunningSimulator,
  ScriptedFault,
  ScriptedMutation,
  ServiceTimeStats,
  SimContentType,
  SimCounts,
  SimDataset,
  SimFaultRates,
  SimMutation,
  SimRateLimit,
  SimStats,
  SimulatorOptions,
} from './types.js';
