import { afterEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LookerClient } from '../../../src/looker/client.js';
import {
  InvalidResponseError,
  isRetryable,
  ResponseTooLargeError,
  TransientError,
  UnreachableError,
} from '../../../src/looker/errors.js';
import { REGISTRY } from '../../../src/looker/registry.js';
import type { LookerSettings } from '../../../src/looker/settings.js';

/**
 * Transport behaviours a Looker simulator cannot show: connection reuse counted at the socket,
 * TLS with a self-signed certificate, a refused port, a body that stops half-way. A tiny
 * server on 127.0.0.1 answers every request with `respond`.
 */

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

type Responder = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface TestServer {
  url: string;
  connections: () => number;
}

async function serve(respond: Responder, tls = false): Promise<TestServer> {
  const server = tls
    ? https.createServer({
        key: readFileSync(path.join(fixtures, 'self-signed.key')),
        cert: readFileSync(path.join(fixtures, 'self-signed.crt')),
      })
    : http.createServer();
  server.on('request', respond);
  let connections = 0;
  server.on(tls ? 'secureConnection' : 'connection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, connections: () => connections };
}

/** Answers like Looker: a token at /login, `[]` elsewhere. */
const looker =
  (delayMs = 0): Responder =>
  (req, res) => {
    const body = req.url?.startsWith('/api/4.0/login')
      ? { access_token: 'tok-123456', token_type: 'Bearer', expires_in: 3600 }
      : [];
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    }, delayMs);
  };

function clientFor(
  url: string,
  options: {
    poolSize?: number;
    timeoutMs?: number;
    verifySsl?: boolean;
    secret?: string;
    maxResponseBytes?: number;
  } = {},
): LookerClient {
  const settings: LookerSettings = {
    baseUrl: url,
    clientId: 'id',
    clientSecret: options.secret ?? 'secret',
    verifySsl: options.verifySsl ?? true,
    timeoutSeconds: 30,
    sources: { baseUrl: 't', clientId: 't', clientSecret: 't', verifySsl: 't', timeout: 't' },
    notices: [],
  };
  const client = LookerClient.create(settings, {
    poolSize: options.poolSize ?? 4,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.maxResponseBytes === undefined
      ? {}
      : { maxResponseBytes: options.maxResponseBytes }),
  });
  closers.push(() => client.close());
  return client;
}

const listUsers = (client: LookerClient) =>
  client.call('search_users', (sdk, options) => sdk.search_users({ limit: 1 }, options));

describe('LookerTransport over real sockets', () => {
  it('reuses keep-alive connections for sequential requests', async () => {
    const server = await serve(looker());
    const client = clientFor(server.url, { poolSize: 8 });
    for (let i = 0; i < 20; i++) await listUsers(client);
    // undici returns a socket to the pool a tick after the body ends, so a request sent at
    // once may take a second connection; without keep-alive this would be 21.
    expect(server.connections()).toBeLessThanOrEqual(2);
  });

  it('opens no more connections than the pool size under concurrency', async () => {
    const server = await serve(looker(20));
    const client = clientFor(server.url, { poolSize: 3 });
    await client.login();
    await Promise.all(Array.from({ length: 12 }, () => listUsers(client)));
    expect(server.connections()).toBe(3);
  });

  it('aborts a response whose body stops half-way at the timeout', async () => {
    const server = await serve((req, res) => {
      if (req.url?.startsWith('/api/4.0/login')) {
        looker()(req, res);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[{"id":"1"},');
    });
    const client = clientFor(server.url, { timeoutMs: 250 });
    const error = await listUsers(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ kind: 'timeout', operation: 'search_users' });
  });

  it('hands a deferred JSON body over as its bytes, unparsed, and retries nothing itself', async () => {
    const body = '{"id":"1","title":"Caf\u00e9 \u{1F600}","tiles":[{"q":"}"}]}';
    const server = await serve((req, res) => {
      if (req.url?.startsWith('/api/4.0/login')) {
        looker()(req, res);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    const client = clientFor(server.url);
    const fetched = await REGISTRY.dashboard.fetchItem(client, '1');
    if (fetched.kind !== 'bytes') throw new Error('a dashboard should be left unparsed');
    expect(new TextDecoder().decode(fetched.bytes)).toBe(body);
    expect(await REGISTRY.dashboard.fetchById(client, '1')).toEqual(JSON.parse(body));
  });

  it('rejects a deferred body that is cut short or not JSON as an invalid (retryable) response', async () => {
    const bodies = ['{"id":"1","title":"cut', '<html>login</html>'];
    const server = await serve((req, res) => {
      if (req.url?.startsWith('/api/4.0/login')) {
        looker()(req, res);
        return;
      }
      const body = bodies[Number(req.url?.split('/').pop()) - 1] ?? '';
      res.writeHead(200, {
        'content-type': body.startsWith('<') ? 'text/html' : 'application/json',
      });
      res.end(body);
    });
    const client = clientFor(server.url);
    for (const id of ['1', '2']) {
      const error = await REGISTRY.dashboard.fetchItem(client, id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(isRetryable(error)).toBe(true);
      expect((error as Error).message).toMatch(id === '1' ? /not valid JSON/ : /expected JSON/);
    }
  });

  it('says a closed port is unreachable, naming the host', async () => {
    const server = await serve(looker());
    await closers.pop()?.();
    const client = clientFor(server.url);
    const error = await listUsers(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as Error).message).toMatch(
      /^Cannot reach 127\.0\.0\.1:\d+: the connection was refused\.$/,
    );
  });

  it('rejects a self-signed certificate unless verification is turned off', async () => {
    const server = await serve(looker(), true);
    const strict = clientFor(server.url);
    const error = await listUsers(strict).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as UnreachableError).hint).toContain('verify_ssl');
  });

  it('turns verification off for its own connections only, never for the process', async () => {
    const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    const server = await serve(looker(), true);
    const lax = clientFor(server.url, { verifySsl: false });
    await expect(listUsers(lax)).resolves.toEqual([]);
    expect(process.env.NODE_TLS_REJECT_UNAUTHORIZED).toBe(before);
    // A second, verifying client in the same process still refuses the certificate.
    await expect(listUsers(clientFor(server.url))).rejects.toBeInstanceOf(UnreachableError);
  });

  it('masks the secret in every encoding when a server echoes the login body in its error', async () => {
    const secret = 'S3cr!t@x%+ "q"';
    const server = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ message: `cannot log in with ${body} (${JSON.stringify(secret)})` }),
        );
      });
    });
    const client = clientFor(server.url, { secret });
    const error = (await client.login().catch((e: unknown) => e)) as Error;
    // ("client_secret" itself may be masked too: other tests here register "secret".)
    expect(error.message).toMatch(/client_id=id&client_\S*=\*\*\* \("\*\*\*"\)/);
    for (const form of [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
      JSON.stringify(secret).slice(1, -1),
    ]) {
      expect(error.message).not.toContain(form);
    }
  });

  it('identifies itself and sends the token, never the secret, outside the login body', async () => {
    const seen: Array<{ url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
    const server = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', headers: req.headers, body });
        looker()(req, res);
      });
    });
    const client = clientFor(server.url);
    await listUsers(client);
    const [login, call] = seen;
    expect(login?.body).toBe('client_id=id&client_secret=secret');
    expect(login?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(call?.url).toBe('/api/4.0/users/search?limit=1');
    expect(call?.headers.authorization).toBe('Bearer tok-123456');
    expect(call?.headers['user-agent']).toBe('lookervault');
    expect(JSON.stringify(call)).not.toContain('secret');
  });

  it('abandons a response larger than maxResponseBytes, announced or streamed, without retrying', async () => {
    const MiB = 1024 * 1024;
    let streamed = 0;
    const server = await serve((req, res) => {
      if (req.url?.startsWith('/api/4.0/login')) {
        looker()(req, res);
        return;
      }
      if (req.url?.includes('limit=2')) {
        // Announced: Content-Length says 5 MiB (the body never needs to arrive).
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 5 * MiB });
        res.write('[');
        return;
      }
      // Streamed without a length: chunks until the client hangs up (bounded here).
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (streamed < 64 * MiB && !res.destroyed) {
          streamed += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    });
    const client = clientFor(server.url, { maxResponseBytes: MiB });
    const streamedError = await listUsers(client).catch((error: unknown) => error);
    expect(streamedError).toBeInstanceOf(ResponseTooLargeError);
    expect(isRetryable(streamedError)).toBe(false);
    expect((streamedError as Error).message).toMatch(/larger than 1 MiB .*abandoned/);
    // It stopped reading soon after the cap, long before the server's 64 MiB.
    expect(streamed).toBeLessThan(32 * MiB);

    const announced = await client
      .call('search_users', (sdk, options) => sdk.search_users({ limit: 2 }, options))
      .catch((error: unknown) => error);
    expect(announced).toBeInstanceOf(ResponseTooLargeError);
    expect((announced as Error).message).toContain('5 MiB announced');
  });
});
