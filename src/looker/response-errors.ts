import { STATUS_CODES } from 'node:http';
import { LookervaultError } from '../errors.js';
import { redact } from '../redact.js';
import {
  ApiAuthError,
  ClientRequestError,
  type LookerApiError,
  NotFoundError,
  RateLimitedError,
  TransientError,
  UnreachableError,
} from './errors.js';
import type { LookerRawResponse } from './http-types.js';

/**
 * From what came back (a response, or an exception with no response) to the typed error the
 * callers decide by: status, `Retry-After`, Looker's JSON `message`, the network failure.
 */

/** Longest server message quoted in an error. */
const MAX_MESSAGE_LENGTH = 300;

/** Maps a non-2xx response to the typed error the callers decide by. */
export function errorFromResponse(
  raw: LookerRawResponse,
  operation: string,
  nowMs: number = Date.now(),
): LookerApiError | ApiAuthError {
  const status = raw.statusCode;
  const detail = serverMessage(raw);
  const what = `${operation}: HTTP ${status} ${raw.statusMessage || statusText(status)}`.trim();
  const message = detail ? `${what}: ${detail}` : what;
  const options = { operation, status };
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(raw.headers['retry-after'], nowMs);
    const wait = retryAfterMs === undefined ? '' : ` (retry after ${formatMs(retryAfterMs)})`;
    return new RateLimitedError(`${message}${wait}`, {
      ...options,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status === 401) {
    return new ApiAuthError(message, {
      ...options,
      hint: 'Check the API credentials (client_id, client_secret) with `lookervault check`.',
    });
  }
  if (status === 404) return new NotFoundError(message, options);
  if (status === 408 || status >= 500) {
    return new TransientError(message, { ...options, kind: status === 408 ? 'timeout' : 'server' });
  }
  if (status >= 300 && status < 400) {
    const location = raw.headers.location;
    return new ClientRequestError(
      location ? `${what}: redirected to ${location}` : `${what}: unexpected redirect`,
      {
        ...options,
        hint: 'Set base_url to the address the server redirects to (lookervault does not follow redirects).',
      },
    );
  }
  if (status === 403) {
    return new ClientRequestError(message, {
      ...options,
      hint: 'The API user lacks a permission for this call; ask a Looker admin to grant it (an Admin role can back up everything).',
    });
  }
  return new ClientRequestError(message, options);
}

/**
 * `Retry-After` in milliseconds: delta-seconds ("2", "1.5") or an HTTP date. Undefined when
 * absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date names its weekday and month ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse
  // alone would read "-1" as a year.
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Maps an exception from undici (no HTTP response) to a typed error. */
export function networkError(error: unknown, operation: string, url: string): LookerApiError {
  const code = errorCode(error);
  const host = hostOf(url);
  const options = { operation, cause: error };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') {
    return new TransientError(`${operation}: the connection to ${host} was reset.`, {
      ...options,
      kind: 'reset',
    });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new TransientError(`${operation}: ${host} stopped answering; the request timed out.`, {
      ...options,
      kind: 'timeout',
    });
  }
  if (code !== undefined && TLS_CODE.test(code)) {
    return new UnreachableError(`Cannot establish a trusted TLS connection to ${host} (${code}).`, {
      ...options,
      hint: 'Check base_url (https:// for a TLS port). For a test instance with a self-signed certificate, set verify_ssl = false (LOOKERSDK_VERIFY_SSL=false or --no-verify-ssl).',
    });
  }
  const unreachable: Record<string, string> = {
    ECONNREFUSED: 'the connection was refused',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'the host name could not be resolved (DNS)',
    EHOSTUNREACH: 'the host is unreachable',
    ENETUNREACH: 'the network is unreachable',
    ETIMEDOUT: 'the connection timed out',
    UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  };
  const reason = code === undefined ? undefined : unreachable[code];
  if (reason !== undefined) {
    return new UnreachableError(`Cannot reach ${host}: ${reason}.`, {
      ...options,
      hint: 'Check base_url (host and port), your network, VPN or proxy, and that Looker is up.',
    });
  }
  const text = error instanceof Error ? error.message : String(error);
  return new TransientError(`${operation}: network error talking to ${host}: ${redact(text)}.`, {
    ...options,
    kind: 'network',
  });
}

const TLS_CODE = /CERT|SSL|TLS|EPROTO|SELF_SIGNED|UNABLE_TO_/;

/** The TLS failure code behind an error (certificate not trusted, wrong protocol), if any. */
export function tlsErrorCode(error: unknown): string | undefined {
  const code = errorCode(error instanceof LookervaultError ? error.cause : error);
  return code !== undefined && TLS_CODE.test(code) ? code : undefined;
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const candidate = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string') return candidate.code;
    if (Array.isArray(candidate.errors) && candidate.errors.length > 0) {
      current = candidate.errors[0];
    } else {
      current = candidate.cause;
    }
  }
  return undefined;
}

/** The `message` of a Looker JSON error, redacted and shortened; nothing from other bodies. */
function serverMessage(raw: LookerRawResponse): string | undefined {
  if (!/json/i.test(raw.contentType) || raw.body === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(raw.body);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed) {
      const message = parsed.message;
      if (typeof message === 'string' && message.trim() !== '') {
        const details = validationDetails((parsed as { errors?: unknown }).errors);
        const full = details === '' ? message : `${message} (${details})`;
        const clean = redact(full.replace(/\s+/g, ' ').trim());
        return clean.length > MAX_MESSAGE_LENGTH
          ? `${clean.slice(0, MAX_MESSAGE_LENGTH - 3)}...`
          : clean;
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** A 422's `errors[]` as "field: message; …" (what the server rejected, for the user). */
function validationDetails(errors: unknown): string {
  if (!Array.isArray(errors)) return '';
  return errors
    .map((entry: unknown) => {
      if (typeof entry !== 'object' || entry === null) return '';
      const { field, message } = entry as { field?: unknown; message?: unknown };
      const text = typeof message === 'string' ? message : '';
      return typeof field === 'string' && field !== '' ? `${field}: ${text}` : text;
    })
    .filter((text) => text !== '')
    .join('; ');
}

/** Whether a response body is a Looker-style JSON error (`{message, ...}`). */
export function isLookerErrorBody(raw: LookerRawResponse): boolean {
  return serverMessage(raw) !== undefined;
}

export function describeBody(raw: LookerRawResponse): string {
  const type = raw.contentType.split(';')[0]?.trim() || 'no content type';
  return `${type}, ${raw.body.length} bytes`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the Looker host';
  }
}

/** The reason phrase of an HTTP status ("Too Many Requests"), empty when unknown. */
export function statusText(status: number): string {
  return STATUS_CODES[status] ?? '';
}

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
