import os from 'node:os';

/**
 * Who owns a running run, and whether that owner is still alive. A run's row records the
 * owner's pid, hostname and a heartbeat the writer refreshes while it works; a second process
 * uses them to refuse (owner alive) or take over (owner dead) without any lock file.
 */

/** How often a live writer refreshes its run's heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 30_000;

/**
 * A heartbeat older than this means the owner stopped working: ten missed heartbeats. On the
 * same host it only matters when the pid is alive (pid reuse, or a process stopped with SIGSTOP
 * for minutes); on another host it is the only signal there is.
 */
export const STALE_AFTER_MS = 5 * 60_000;

export interface OwnerEnvironment {
  /** This process's pid. @default process.pid */
  pid: number;
  /** This machine's name. @default os.hostname() */
  hostname: string;
  /** Clock in epoch milliseconds. @default Date.now */
  now: () => number;
  /** Whether a pid on this host is alive. @default signal 0 (EPERM counts as alive) */
  isProcessAlive: (pid: number) => boolean;
  /** @default STALE_AFTER_MS */
  staleAfterMs: number;
}

export function defaultOwnerEnvironment(
  overrides: Partial<OwnerEnvironment> = {},
): OwnerEnvironment {
  return {
    pid: overrides.pid ?? process.pid,
    hostname: overrides.hostname ?? os.hostname(),
    now: overrides.now ?? Date.now,
    isProcessAlive: overrides.isProcessAlive ?? isProcessAlive,
    staleAfterMs: overrides.staleAfterMs ?? STALE_AFTER_MS,
  };
}

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface RunOwner {
  ownerPid: number | null;
  ownerHost: string | null;
  heartbeatAt: string | null;
}

/**
 * Whether the process recorded as a running run's owner is still at work: on this host, its
 * pid is alive and its heartbeat is fresh; on another host, its heartbeat is fresh.
 */
export function isOwnerAlive(owner: RunOwner, env: OwnerEnvironment): boolean {
  const heartbeat = owner.heartbeatAt === null ? Number.NaN : Date.parse(owner.heartbeatAt);
  const fresh = Number.isFinite(heartbeat) && env.now() - heartbeat < env.staleAfterMs;
  if (owner.ownerHost === env.hostname) {
    return owner.ownerPid !== null && env.isProcessAlive(owner.ownerPid) && fresh;
  }
  return fresh;
}

/** "pid 123 on host build-7", for messages. */
export function describeOwner(owner: RunOwner): string {
  const pid = owner.ownerPid === null ? 'an unknown pid' : `pid ${owner.ownerPid}`;
  const host = owner.ownerHost === null ? 'an unknown host' : `host ${owner.ownerHost}`;
  return `${pid} on ${host}`;
}
