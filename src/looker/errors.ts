import { AuthError, LookervaultError, type LookervaultErrorOptions } from '../errors.js';

/**
 * Typed failures of a Looker API call. The transport maps every non-success outcome to one of
 * these, so callers (limiter, retry policy, commands) decide by class, never by parsing text.
 */

export interface ApiErrorOptions extends LookervaultErrorOptions {
  /** The SDK operation, e.g. `search_dashboards`. */
  operation?: string;
  /** HTTP status, when the server answered. */
  status?: number;
}

export class LookerApiError extends LookervaultError {
  override readonly code: string = 'api';
  readonly operation: string | undefined;
  readonly status: number | undefined;
  /** Requests sent before this error ended the operation; set by the retry runner. */
  attempts: number | undefined;

  constructor(message: string, options: ApiErrorOptions = {}) {
    super(message, options);
    this.operation = options.operation;
    this.status = options.status;
  }
}

/** 429 Too Many Requests. `retryAfterMs` comes from the `Retry-After` header when sent. */
export class RateLimitedError extends LookerApiError {
  override readonly code = 'rate_limited';
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: ApiErrorOptions & { retryAfterMs?: number } = {}) {
    super(message, { ...options, status: options.status ?? 429 });
    this.retryAfterMs = options.retryAfterMs;
  }
}

export type TransientKind = 'server' | 'reset' | 'timeout' | 'network';

/** Worth retrying: 5xx, a reset connection, a request that timed out, a network hiccup. */
export class TransientError extends LookerApiError {
  override readonly code = 'transient';
  readonly kind: TransientKind;

  constructor(message: string, options: ApiErrorOptions & { kind: TransientKind }) {
    super(message, options);
    this.kind = options.kind;
  }
}

/** 404 for an item that is gone (deleted between listing and fetching it). */
export class NotFoundError extends LookerApiError {
  override readonly code = 'not_found';
}

/** Any other 4xx: the request itself is wrong (or not allowed); retrying will not help. */
export class ClientRequestError extends LookerApiError {
  override readonly code = 'client_error';
}

/** The server answered, but not with what the Looker API promises (bad JSON, wrong shape). */
export class InvalidResponseError extends LookerApiError {
  override readonly code = 'invalid_response';
}

/**
 * A response larger than the client accepts (`maxResponseBytes`): abandoned before it takes
 * the process's memory. Not retried: the same request would bring the same body.
 */
export class ResponseTooLargeError extends LookerApiError {
  override readonly code = 'response_too_large';
}

/** The server cannot be reached at all (DNS, refused connection, TLS failure). */
export class UnreachableError extends LookerApiError {
  override readonly code = 'unreachable';
}

export { AuthError };

/**
 * An AuthError raised by a Looker API call (a login refused, a token rejected again after a
 * re-login), carrying the operation and status like the other API errors. Exit code 4.
 */
export class ApiAuthError extends AuthError {
  readonly operation: string | undefined;
  readonly status: number | undefined;
  /** Requests sent before this error ended the operation; set by the retry runner. */
  attempts: number | undefined;

  constructor(message: string, options: ApiErrorOptions = {}) {
    super(message, options);
    this.operation = options.operation;
    this.status = options.status;
  }
}

/**
 * Whether a retry with backoff may succeed: transient failures, and responses that arrived
 * garbled (truncated JSON is usually a proxy or connection hiccup). Rate limiting is handled
 * apart, by the limiter, and does not use up retries.
 */
export function isRetryable(error: unknown): error is TransientError | InvalidResponseError {
  return error instanceof TransientError || error instanceof InvalidResponseError;
}
