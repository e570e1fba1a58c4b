import { DatabaseError, LookervaultError } from '../errors.js';

/**
 * Turns whatever SQLite (through better-sqlite3) or the file system threw into a DatabaseError
 * a user can act on: what failed, on which file, why in plain words, and what to do.
 */

interface Explanation {
  reason: string;
  hint: string;
}

const RESUME_HINT = 'then run the same command again: the run resumes where it stopped.';

/** The SQLite result code (`SQLITE_FULL`, `SQLITE_IOERR_WRITE`…) or Node error code, if any. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The error's message, by shape rather than `instanceof` (errors may come from another realm). */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

function explain(error: unknown): Explanation {
  const code = errorCode(error) ?? '';
  const detail = messageOf(error);
  if (code === 'SQLITE_FULL') {
    return {
      reason: 'the disk is full (SQLITE_FULL)',
      hint: `Free some disk space, ${RESUME_HINT}`,
    };
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return {
      reason: `an I/O error occurred (${code}: ${detail})`,
      hint: `Check the disk and the file system holding the database, ${RESUME_HINT}`,
    };
  }
  if (code === 'SQLITE_NOTADB') {
    return {
      reason: 'it is not a SQLite database (file is not a database)',
      hint: 'Pass --db with the path of a lookervault backup, or a new file name to create one.',
    };
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return {
      reason: `the database file is damaged (${code}: ${detail})`,
      hint: 'Restore the file from a copy, or start a new backup in a new file.',
    };
  }
  if (
    code.startsWith('SQLITE_READONLY') ||
    code === 'SQLITE_PERM' ||
    code === 'EACCES' ||
    code === 'EPERM' ||
    code === 'EROFS'
  ) {
    return {
      reason: `the file or its directory is not writable (${code})`,
      hint: 'Fix the permissions, or pass --db with a path in a writable directory.',
    };
  }
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return {
      reason: `the file cannot be created there (${code})`,
      hint: 'Check that the directory exists and is writable, or pass --db with another path.',
    };
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return {
      reason: `SQLite cannot open the file (${code}: ${detail})`,
      hint: 'Check that the directory exists and is writable, or pass --db with another path.',
    };
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return {
      reason: `another process kept the database locked for too long (${code})`,
      hint: 'Close other programs that write to this file (sqlite3 shells, another lookervault), then try again.',
    };
  }
  if (code === 'SQLITE_NOMEM') {
    return {
      reason: 'SQLite ran out of memory (SQLITE_NOMEM)',
      hint: `Free some memory, ${RESUME_HINT}`,
    };
  }
  return {
    reason: code ? `${detail} (${code})` : detail,
    hint: 'Check the file with `sqlite3 <file> "PRAGMA integrity_check"`; if this keeps happening, report it with LOOKERVAULT_DEBUG=1 output.',
  };
}

/**
 * `action` names what was attempted, with the path: "Cannot open `/x/looker.db`",
 * "Could not write to `/x/looker.db`". LookervaultErrors pass through unchanged.
 */
export function toDatabaseError(error: unknown, action: string): LookervaultError {
  if (error instanceof LookervaultError) return error;
  const { reason, hint } = explain(error);
  return new DatabaseError(`${action}: ${reason}`, { hint, cause: error });
}
