/**
 * The runs this process owns, and their fencing tokens. `RunStore.start`/`resume` write a fresh
 * random token into the run's row and register it here; every transaction of the writer checks
 * the row still carries it. If another process took the run over (it judged this one dead),
 * the check fails and this process stops writing instead of mixing its pages into a run it no
 * longer owns. Keyed by the database's absolute path, so any Vault on the same file in this
 * process can build a writer for the run. The owner pid is kept so that RunStores standing in
 * for different processes (tests inject pids) each see only their own leases.
 */
interface Lease {
  token: string;
  pid: number;
}

const leases = new Map<string, Map<number, Lease>>();

export function registerLease(dbPath: string, runId: number, lease: Lease): void {
  let runs = leases.get(dbPath);
  if (!runs) {
    runs = new Map();
    leases.set(dbPath, runs);
  }
  runs.set(runId, lease);
}

/** The run's token if this process holds it (and, when `pid` is given, holds it as `pid`). */
export function leaseToken(dbPath: string, runId: number, pid?: number): string | undefined {
  const lease = leases.get(dbPath)?.get(runId);
  if (!lease || (pid !== undefined && lease.pid !== pid)) return undefined;
  return lease.token;
}

export function releaseLease(dbPath: string, runId: number, pid: number): void {
  if (leaseToken(dbPath, runId, pid) !== undefined) leases.get(dbPath)?.delete(runId);
}
