import { beforeEach, describe, expect, it } from '@jest/globals';
import type { IApiSettings } from '@looker/sdk-rtl';
import { ConfigError } from '../../../src/errors.js';
import { ApiAuthError, TransientError } from '../../../src/looker/errors.js';
import { LookerSession } from '../../../src/looker/session.js';
import { type LookerRawResponse } from '../../../src/looker/http-types.js';
import { type LookerTransport } from '../../../src/looker/transport.js';
import { clearSecrets, redact } from '../../../src/redact.js';

const settings = {
  base_url: 'https://looker.example.com',
  verify_ssl: true,
  timeout: 30,
  agentTag: 'test',
  readConfig: () => ({}),
  isConfigured: () => true,
} as IApiSettings;

interface Sent {
  method: string;
  url: string;
  authorization?: string;
}

function json(
  statusCode: number,
  body: unknown,
  contentType = 'application/json',
): LookerRawResponse {
  return {
    method: 'POST',
    url: '',
    statusCode,
    statusMessage: '',
    contentType,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': contentType },
    ok: statusCode >= 200 && statusCode < 300,
    requestStarted: 0,
    responseCompleted: 0,
  };
}

/**
 * A transport whose answers the test scripts. Login answers are released by the test
 * (`releaseLogins`) so concurrent callers really overlap.
 */
function fakeTransport(answer: (sent: Sent, n: number) => LookerRawResponse | Error) {
  const sent: Sent[] = [];
  let pending: Array<() => void> = [];
  let gated = false;
  const transport = {
    timeoutMs: 1000,
    onUnauthorized: undefined,
    async rawRequest(
      method: string,
      url: string,
      _query: unknown,
      _body: unknown,
      authenticator?: (props: { headers: Record<string, string> }) => {
        headers: Record<string, string>;
      },
    ) {
      const props = { headers: {} as Record<string, string> };
      const authorization = authenticator ? authenticator(props).headers.Authorization : undefined;
      const entry: Sent = { method, url, ...(authorization ? { authorization } : {}) };
      sent.push(entry);
      const n = sent.length;
      if (gated) await new Promise<void>((resolve) => pending.push(resolve));
      const result = answer(entry, n);
      if (result instanceof Error) throw result;
      return result;
    },
  };
  return {
    transport: transport as unknown as LookerTransport,
    sent,
    gate() {
      gated = true;
    },
    release() {
      gated = false;
      const waiting = pending;
      pending = [];
      for (const resolve of waiting) resolve();
    },
  };
}

const token = (n: number, expiresIn = 3600) =>
  json(200, { access_token: `token-${n}-abcdef`, token_type: 'Bearer', expires_in: expiresIn });

const credentials = { clientId: 'id', clientSecret: 'secret-value' };

beforeEach(() => {
  clearSecrets();
});

describe('LookerSession', () => {
  it('fifty concurrent cold callers share exactly one login', async () => {
    const fake = fakeTransport((_sent, n) => token(n));
    const session = new LookerSession(settings, fake.transport, credentials);
    fake.gate();
    const callers = Array.from({ length: 50 }, () => session.accessToken());
    await Promise.resolve();
    fake.release();
    const tokens = await Promise.all(callers);
    expect(new Set(tokens)).toEqual(new Set(['token-1-abcdef']));
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]).toMatchObject({
      method: 'POST',
      url: 'https://looker.example.com/api/4.0/login',
    });
    expect(session.loginCount).toBe(1);
  });

  it('logs in again, once, shortly before the token expires', async () => {
    let now = 1_000_000;
    const fake = fakeTransport((_sent, n) => token(n, 100));
    const session = new LookerSession(settings, fake.transport, credentials, { clock: () => now });
    expect(await session.accessToken()).toBe('token-1-abcdef');
    now += 89_000; // 100 s lifetime, refreshed 10 s (a tenth) before the end
    expect(await session.accessToken()).toBe('token-1-abcdef');
    now += 1_000;
    const renewed = await Promise.all([session.accessToken(), session.accessToken()]);
    expect(renewed).toEqual(['token-2-abcdef', 'token-2-abcdef']);
    expect(session.loginCount).toBe(2);
  });

  it('drops a rejected token only while it is still the current one', async () => {
    const fake = fakeTransport((_sent, n) => token(n));
    const session = new LookerSession(settings, fake.transport, credentials);
    await session.accessToken();
    session.invalidate('Bearer token-1-abcdef');
    expect(await session.accessToken()).toBe('token-2-abcdef');
    // A late 401 for the first token must not throw the second one away.
    session.invalidate('Bearer token-1-abcdef');
    expect(await session.accessToken()).toBe('token-2-abcdef');
    expect(session.loginCount).toBe(2);
  });

  it('answers the transport hook: a 401 with the current token causes one new login', async () => {
    const fake = fakeTransport((_sent, n) => token(n));
    const session = new LookerSession(settings, fake.transport, credentials);
    await session.accessToken();
    const hook = fake.transport.onUnauthorized;
    if (!hook) throw new Error('the session should install onUnauthorized');
    await Promise.all([hook('Bearer token-1-abcdef'), hook('Bearer token-1-abcdef')]);
    await Promise.all([session.accessToken(), session.accessToken()]);
    expect(session.loginCount).toBe(2);
  });

  it.each([401, 404])(
    'treats HTTP %i at /login as refused credentials, and fails later calls without a request',
    async (status) => {
      const fake = fakeTransport(() =>
        json(status, { message: 'Not found', documentation_url: 'x' }),
      );
      const session = new LookerSession(settings, fake.transport, {
        ...credentials,
        describeSource: 'from LOOKERSDK_CLIENT_ID',
      });
      const first = session.accessToken();
      await expect(first).rejects.toBeInstanceOf(ApiAuthError);
      await expect(first).rejects.toMatchObject({ status, operation: 'login' });
      await expect(first).rejects.toHaveProperty(
        'hint',
        expect.stringContaining('from LOOKERSDK_CLIENT_ID'),
      );
      await expect(session.accessToken()).rejects.toBeInstanceOf(ApiAuthError);
      expect(fake.sent).toHaveLength(1);
    },
  );

  it('says base_url is not a Looker API when /login is an HTML 404', async () => {
    const fake = fakeTransport(() => json(404, '<html>Not Found</html>', 'text/html'));
    const session = new LookerSession(settings, fake.transport, credentials);
    await expect(session.accessToken()).rejects.toThrow(
      'https://looker.example.com does not answer like a Looker API: POST /api/4.0/login returned HTTP 404 (text/html, 22 bytes).',
    );
    await expect(session.accessToken()).rejects.toBeInstanceOf(ConfigError);
  });

  it('does not remember a transient login failure: the next call logs in again', async () => {
    const fake = fakeTransport((_sent, n) =>
      n === 1 ? new TransientError('reset', { kind: 'reset' }) : token(n),
    );
    const session = new LookerSession(settings, fake.transport, credentials);
    await expect(session.accessToken()).rejects.toBeInstanceOf(TransientError);
    expect(await session.accessToken()).toBe('token-2-abcdef');
  });

  it('registers the secret and every access token for redaction', async () => {
    const fake = fakeTransport((_sent, n) => token(n));
    const session = new LookerSession(settings, fake.transport, credentials);
    await session.accessToken();
    expect(redact('token-1-abcdef secret-value')).toBe('*** ***');
  });

  it('logs out with the current token, and never throws', async () => {
    const fake = fakeTransport((sent, n) =>
      sent.method === 'DELETE' ? new TransientError('down', { kind: 'reset' }) : token(n),
    );
    const session = new LookerSession(settings, fake.transport, credentials);
    expect(await session.logout()).toBe(false); // nothing to end
    await session.accessToken();
    expect(await session.logout()).toBe(false);
    expect(fake.sent[1]).toEqual({
      method: 'DELETE',
      url: 'https://looker.example.com/api/4.0/logout',
      authorization: 'Bearer token-1-abcdef',
    });
    expect(session.isAuthenticated()).toBe(false);
  });
});
