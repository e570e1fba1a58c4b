/**
 * The error taxonomy of lookervault. Every failure a user can meet is one of these classes:
 * each carries a message a user can act on, an optional hint (what to do next) and the exit
 * code the CLI ends with. Library code throws them; only the command layer renders them.
 *
 * Exit codes (documented in the README and in `--help`):
 *   0   success
 *   1   error (unexpected, or the server/database failed in a way retries could not fix)
 *   2   usage or configuration (bad flag, missing setting, unusable database file)
 *   3   partial (some items or pages failed; everything else was stored)
 *   4   authentication (wrong credentials, or the API user lacks a permission)
 *   130 interrupted (Ctrl-C / SIGINT / SIGTERM); the run is resumable
 */
export const ExitCode = {
  Success: 0,
  Error: 1,
  Usage: 2,
  Partial: 3,
  Auth: 4,
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface LookervaultErrorOptions {
  /** What the user can do about it, shown on its own line under the message. */
  hint?: string;
  cause?: unknown;
}

export class LookervaultError extends Error {
  readonly exitCode: ExitCode = ExitCode.Error;
  /** Stable machine-readable code, used in `--json` output. */
  readonly code: string = 'error';
  readonly hint: string | undefined;

  constructor(message: string, options: LookervaultErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** A flag, argument or combination of them that cannot work. */
export class UsageError extends LookervaultError {
  override readonly exitCode = ExitCode.Usage;
  override readonly code = 'usage';
}

/** Missing or invalid configuration: flags, environment, looker.ini. */
export class ConfigError extends LookervaultError {
  override readonly exitCode = ExitCode.Usage;
  override readonly code = 'config';
}

/** Wrong credentials, an expired session that could not be renewed, or a missing permission. */
export class AuthError extends LookervaultError {
  override readonly exitCode = ExitCode.Auth;
  override readonly code = 'auth';
}

/** The database file cannot be used: not SQLite, not ours, unwritable, newer schema, locked. */
export class DatabaseError extends LookervaultError {
  override readonly exitCode = ExitCode.Usage;
  override readonly code = 'database';
}

/** Another lookervault process holds the database. */
export class DatabaseBusyError extends LookervaultError {
  override readonly exitCode = ExitCode.Error;
  override readonly code = 'database_busy';
}

/** The run ended, but some pages or items failed; the rest is stored. */
export class PartialError extends LookervaultError {
  override readonly exitCode = ExitCode.Partial;
  override readonly code = 'partial';
}

/** The user interrupted the run; what was written is committed and the run can be resumed. */
export class InterruptedError extends LookervaultError {
  override readonly exitCode = ExitCode.Interrupted;
  override readonly code = 'interrupted';
}

/**
 * A request or wait was cancelled (Ctrl-C, a fatal error elsewhere, the gate stopping): not a
 * failure of the server, and never retried.
 */
export class RequestAbortedError extends LookervaultError {
  override readonly code = 'aborted';
  /** The API operation that was cancelled, when it was one. */
  readonly operation: string | undefined;

  constructor(message: string, options: LookervaultErrorOptions & { operation?: string } = {}) {
    super(message, options);
    this.operation = options.operation;
  }
}

/** Turns anything thrown into a LookervaultError, keeping the original as the cause. */
export function toLookervaultError(error: unknown): LookervaultError {
  if (error instanceof LookervaultError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new LookervaultError(message, { cause: error });
}

/** Object storage failed: unreachable, a missing bucket, a copy that does not check out. */
export class RemoteError extends LookervaultError {
  override readonly code = 'remote';
}
