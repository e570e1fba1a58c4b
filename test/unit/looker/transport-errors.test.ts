import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  ApiAuthError,
  ClientRequestError,
  InvalidResponseError,
  NotFoundError,
  RateLimitedError,
  TransientError,
  UnreachableError,
} from '../../../src/looker/errors.js';
import { type LookerRawResponse } from '../../../src/looker/http-types.js';
import { parseJsonBody } from '../../../src/looker/json-body.js';
import {
  errorFromResponse,
  networkError,
  parseRetryAfter,
  tlsErrorCode,
} from '../../../src/looker/response-errors.js';
import { clearSecrets, registerSecret } from '../../../src/redact.js';

function response(
  statusCode: number,
  body = '',
  headers: Record<string, string> = {},
  contentType = 'application/json',
): LookerRawResponse {
  return {
    method: 'GET',
    url: 'https://looker.example.com/api/4.0/dashboards/search',
    statusCode,
    statusMessage: '',
    contentType,
    body,
    headers: { 'content-type': contentType, ...headers },
    ok: statusCode >= 200 && statusCode < 300,
    requestStarted: 0,
    responseCompleted: 0,
  };
}

const lookerError = (message: string) =>
  JSON.stringify({
    message,
    documentation_url: 'https://cloud.google.com/looker/docs/r/err/4.0/x',
  });

beforeEach(() => {
  clearSecrets();
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds as milliseconds', () => {
    expect(parseRetryAfter('2', 0)).toBe(2000);
    expect(parseRetryAfter(' 0.5 ', 0)).toBe(500);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });

  it('ignores a missing or unreadable header', () => {
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter('-1', 0)).toBeUndefined();
  });
});

describe('errorFromResponse', () => {
  it('maps 429 with Retry-After: 2 to a rate-limited error carrying 2000 ms', () => {
    const error = errorFromResponse(
      response(429, lookerError('Too many requests'), { 'retry-after': '2' }),
      'search_dashboards',
    );
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({
      retryAfterMs: 2000,
      status: 429,
      operation: 'search_dashboards',
    });
    expect(error.message).toBe(
      'search_dashboards: HTTP 429 Too Many Requests: Too many requests (retry after 2 s)',
    );
  });

  it('maps 429 without Retry-After to a rate-limited error without a wait', () => {
    const error = errorFromResponse(response(429), 'x');
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBeUndefined();
  });

  it.each([500, 502, 503, 504])('maps %i to a transient server error', (status) => {
    const error = errorFromResponse(response(status), 'look');
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ kind: 'server', status, operation: 'look' });
  });

  it('maps 401 to an auth error with the status, 404 to not found, 403 and 422 to client errors', () => {
    expect(errorFromResponse(response(401), 'me')).toBeInstanceOf(ApiAuthError);
    expect(errorFromResponse(response(401), 'me')).toMatchObject({ status: 401, operation: 'me' });
    expect(errorFromResponse(response(404, lookerError('Not found')), 'dashboard')).toBeInstanceOf(
      NotFoundError,
    );
    const forbidden = errorFromResponse(response(403), 'search_users');
    expect(forbidden).toBeInstanceOf(ClientRequestError);
    expect(forbidden.hint).toContain('permission');
    expect(errorFromResponse(response(422), 'x')).toBeInstanceOf(ClientRequestError);
  });

  it("quotes Looker's JSON message but never an HTML body", () => {
    const html = errorFromResponse(
      response(404, '<html><body>secret page</body></html>', {}, 'text/html'),
      'dashboard',
    );
    expect(html.message).toBe('dashboard: HTTP 404 Not Found');
  });

  it('redacts registered secrets from a message the server echoes', () => {
    const secret = `s3cr3t-${Math.random().toString(36).slice(2)}`;
    registerSecret(secret);
    const error = errorFromResponse(response(400, lookerError(`bad value ${secret}`)), 'login');
    expect(error.message).not.toContain(secret);
    expect(error.message).toContain('bad value ***');
  });

  it('names the target of a redirect', () => {
    const error = errorFromResponse(
      response(301, '', { location: 'https://new.looker.com/api/4.0/x' }, ''),
      'x',
    );
    expect(error).toBeInstanceOf(ClientRequestError);
    expect(error.message).toContain('redirected to https://new.looker.com/api/4.0/x');
  });
});

describe('parseJsonBody', () => {
  it('parses JSON and rejects truncated JSON as an invalid response', () => {
    expect(parseJsonBody(response(200, '[{"id":"1"}]'), 'x')).toEqual([{ id: '1' }]);
    expect(() => parseJsonBody(response(200, '[{"id":"1"'), 'x')).toThrow(InvalidResponseError);
  });

  it('rejects a 200 that is not JSON (a login page, a proxy)', () => {
    expect(() => parseJsonBody(response(200, '<html/>', {}, 'text/html'), 'x')).toThrow(
      /expected JSON from the Looker API, got text\/html/,
    );
  });

  it('accepts an empty 204', () => {
    expect(parseJsonBody(response(204, '', {}, ''), 'logout')).toBe('');
  });
});

describe('networkError', () => {
  const url = 'https://looker.example.com:19999/api/4.0/x';
  const withCode = (code: string) => Object.assign(new Error(code), { code });

  it('maps a reset connection to a transient reset', () => {
    expect(networkError(withCode('ECONNRESET'), 'x', url)).toMatchObject({ kind: 'reset' });
    expect(networkError(withCode('UND_ERR_SOCKET'), 'x', url)).toBeInstanceOf(TransientError);
  });

  it('maps refused connections and unknown hosts to unreachable, naming the host', () => {
    const refused = networkError(withCode('ECONNREFUSED'), 'x', url);
    expect(refused).toBeInstanceOf(UnreachableError);
    expect(refused.message).toBe(
      'Cannot reach looker.example.com:19999: the connection was refused.',
    );
    const aggregate = Object.assign(new AggregateError([withCode('ENOTFOUND')]), {});
    expect(networkError(aggregate, 'x', url)).toBeInstanceOf(UnreachableError);
  });

  it('maps certificate failures to unreachable with a TLS hint', () => {
    const error = networkError(withCode('DEPTH_ZERO_SELF_SIGNED_CERT'), 'x', url);
    expect(error).toBeInstanceOf(UnreachableError);
    expect(error.hint).toContain('verify_ssl');
    expect(tlsErrorCode(error)).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(tlsErrorCode(networkError(withCode('ECONNREFUSED'), 'x', url))).toBeUndefined();
  });
});
