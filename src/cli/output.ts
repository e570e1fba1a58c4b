import type { LookervaultError } from '../errors.js';
import { redact } from '../redact.js';

/** The one-line (plus hint) rendering of an error for stderr. */
export function formatError(error: LookervaultError, options: { debug: boolean }): string {
  const lines = [`Error: ${error.message}`];
  if (error.hint) lines.push(`Hint: ${error.hint}`);
  if (options.debug && error.stack) lines.push(error.stack);
  return redact(lines.join('\n'));
}

export interface ErrorJson {
  status: 'error';
  exitCode: number;
  error: { code: string; message: string; hint?: string };
}

export function errorToJson(error: LookervaultError): ErrorJson {
  return {
    status: 'error',
    exitCode: error.exitCode,
    error: {
      code: error.code,
      message: redact(error.message),
      ...(error.hint ? { hint: redact(error.hint) } : {}),
    },
  };
}
