import { RequestAbortedError } from '../../../src/errors.js';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { LookerClient, type LookerClientOptions } from '../../../src/looker/client.js';
import {
  ApiAuthError,
  InvalidResponseError,
  NotFoundError,
  RateLimitedError,
  TransientError,
} from '../../../src/looker/errors.js';
import type { LookerSettings } from '../../../src/looker/settings.js';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../../src/sim/index.js';

let sim: RunningSimulator | undefined;
let client: LookerClient | undefined;

afterEach(async () => {
  await client?.close();
  await sim?.close();
  client = undefined;
  sim = undefined;
});

function settingsFor(running: RunningSimulator, secret = running.clientSecret): LookerSettings {
  return {
    baseUrl: running.url,
    clientId: running.clientId,
    clientSecret: secret,
    verifySsl: true,
    timeoutSeconds: 30,
    sources: {
      baseUrl: 'test',
      clientId: 'test',
      clientSecret: 'test',
      verifySsl: 'default',
      timeout: 'default',
    },
    notices: [],
  };
}

async function start(
  simOptions: SimulatorOptions = {},
  clientOptions: Partial<LookerClientOptions> = {},
  secret?: string,
): Promise<{ sim: RunningSimulator; client: LookerClient }> {
  sim = await startSimulator({ counts: { dashboard: 60, look: 10, user: 5 }, ...simOptions });
  client = LookerClient.create(settingsFor(sim, secret), { poolSize: 8, ...clientOptions });
  return { sim, client };
}

const listDashboards = (c: LookerClient, offset = 0) =>
  c.call('search_dashboards', (sdk, options) =>
    sdk.search_dashboards({ fields: 'id', limit: 5, offset, sorts: 'id' }, options),
  );

/** A sleep that waits for nothing and records how long it was asked to wait. */
function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return {
    waits,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  };
}

const catching = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error,
  );

describe('LookerClient against the simulator', () => {
  it('fifty concurrent cold requests log in exactly once', async () => {
    const { sim, client } = await start({ latencyMs: 5 }, { poolSize: 50 });
    const pages = await Promise.all(
      Array.from({ length: 50 }, (_, i) => listDashboards(client, i)),
    );
    expect(pages.every((page) => page.length === 5)).toBe(true);
    expect(sim.stats().logins).toBe(1);
    expect(sim.stats().requests.byOperation.login).toBe(1);
    expect(client.loginCount).toBe(1);
  });

  it('a token expiring mid-run causes one re-login and no failed request', async () => {
    let now = Date.parse('2025-06-01T00:00:00Z');
    const { sim, client } = await start(
      { tokenTtlSeconds: 600, clock: () => now },
      { poolSize: 20 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => listDashboards(client, i)));
    now += 601_000; // the server's token expires; the client's clock has not moved
    const pages = await Promise.all(
      Array.from({ length: 40 }, (_, i) => listDashboards(client, i)),
    );
    expect(pages).toHaveLength(40);
    expect(sim.stats().logins).toBe(2);
    expect(sim.stats().unauthorized).toBeGreaterThan(0);
  });

  it('tokens rejected right after their login are replayed with logins spaced out, not a failed run', async () => {
    const { waits, sleep } = recordingSleep();
    const { sim, client } = await start({}, { poolSize: 8, sleep });
    // A cluster that has not seen the new token yet: the next 12 requests are refused with 401.
    sim.injectFaults({
      operation: 'search_dashboards',
      times: 12,
      fault: { kind: 'status', status: 401 },
    });
    const pages = await Promise.all(Array.from({ length: 8 }, (_, i) => listDashboards(client, i)));
    expect(pages.every((page) => page.length === 5)).toBe(true);
    // One login per rejected token, each after a longer wait than the one before.
    expect(waits.length).toBeGreaterThan(0);
    expect(waits).toEqual([...waits].sort((a, b) => a - b));
    expect(waits[0]).toBe(250);
    expect(sim.stats().logins).toBe(waits.length + 1);
    // A clean answer resets the backoff.
    sim.injectFaults({ operation: 'search_dashboards', fault: { kind: 'status', status: 401 } });
    waits.length = 0;
    await listDashboards(client);
    expect(waits).toEqual([250]);
  });

  it('gives up with an authentication error when fresh tokens keep being rejected', async () => {
    const { waits, sleep } = recordingSleep();
    const { sim, client } = await start({}, { poolSize: 1, sleep });
    sim.injectFaults({
      operation: 'search_dashboards',
      times: 100,
      fault: { kind: 'status', status: 401 },
    });
    const error = await catching(listDashboards(client));
    expect(error).toBeInstanceOf(ApiAuthError);
    expect((error as ApiAuthError).message).toContain('rejected 6 fresh session tokens in a row');
    expect(waits).toEqual([250, 500, 1000, 2000, 4000, 8000]);
  });

  it('refreshes the token before it expires when the clocks agree, without any 401', async () => {
    let now = Date.parse('2025-06-01T00:00:00Z');
    const clock = () => now;
    const { sim, client } = await start({ tokenTtlSeconds: 600, clock }, { clock, poolSize: 20 });
    await listDashboards(client);
    now += 595_000;
    await Promise.all(Array.from({ length: 20 }, (_, i) => listDashboards(client, i)));
    expect(sim.stats().logins).toBe(2);
    expect(sim.stats().unauthorized).toBe(0);
  });

  it.each([401, 404] as const)(
    'wrong credentials (HTTP %i at /login) fail fast: one login request, an auth error for every caller',
    async (loginFailureStatus) => {
      const { sim, client } = await start({ loginFailureStatus }, {}, 'wrong-secret');
      const errors = await Promise.all(
        Array.from({ length: 20 }, () => catching(listDashboards(client))),
      );
      for (const error of errors) expect(error).toBeInstanceOf(ApiAuthError);
      expect(errors[0]).toMatchObject({ status: loginFailureStatus, operation: 'login' });
      await expect(listDashboards(client)).rejects.toBeInstanceOf(ApiAuthError);
      expect(sim.stats().requests.byOperation.login).toBe(1);
      expect(sim.stats().requests.total).toBe(1);
    },
  );

  it('a 429 with Retry-After: 2 surfaces as a rate-limited error carrying 2000 ms', async () => {
    const { sim, client } = await start();
    sim.injectFaults({
      operation: 'search_dashboards',
      fault: { kind: 'status', status: 429, retryAfterSeconds: 2 },
    });
    const error = await catching(listDashboards(client));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({
      retryAfterMs: 2000,
      status: 429,
      operation: 'search_dashboards',
    });
  });

  it.each([500, 502, 503, 504])(
    'HTTP %i is a transient server error with its status',
    async (status) => {
      const { sim, client } = await start();
      sim.injectFaults({ operation: 'search_dashboards', fault: { kind: 'status', status } });
      const error = await catching(listDashboards(client));
      expect(error).toBeInstanceOf(TransientError);
      expect(error).toMatchObject({ kind: 'server', status, operation: 'search_dashboards' });
    },
  );

  it('a hung response is aborted at the timeout, and the next request goes through', async () => {
    const { sim, client } = await start({}, { timeoutMs: 300 });
    await client.login();
    sim.injectFaults({ operation: 'search_dashboards', fault: { kind: 'hang' } });
    const error = await catching(listDashboards(client));
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ kind: 'timeout', operation: 'search_dashboards' });
    expect((error as Error).message).toContain('no complete answer within 300 ms');
    await expect(listDashboards(client)).resolves.toHaveLength(5);
  });

  it('a reset connection is a transient reset error', async () => {
    const { sim, client } = await start();
    sim.injectFaults({ operation: 'search_dashboards', fault: { kind: 'reset' } });
    const error = await catching(listDashboards(client));
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ kind: 'reset' });
  });

  it('truncated JSON is an invalid response', async () => {
    const { sim, client } = await start();
    sim.injectFaults({ operation: 'search_dashboards', fault: { kind: 'malformed' } });
    await expect(listDashboards(client)).rejects.toBeInstanceOf(InvalidResponseError);
  });

  it('a missing item is not found, with operation and status', async () => {
    const { client } = await start();
    const error = await catching(
      client.call('dashboard', (sdk, options) => sdk.dashboard('999999', undefined, options)),
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, operation: 'dashboard' });
  });

  it("the caller's AbortSignal cancels a request in flight", async () => {
    const { sim, client } = await start({}, { timeoutMs: 30_000 });
    await client.login();
    sim.injectFaults({ operation: 'search_dashboards', fault: { kind: 'hang' } });
    const controller = new AbortController();
    const pending = catching(
      client.call(
        'search_dashboards',
        (sdk, options) => sdk.search_dashboards({ limit: 1 }, options),
        controller.signal,
      ),
    );
    // Wait (bounded) until the server holds the request, then cancel.
    for (let i = 0; i < 1000 && sim.stats().faults.hang === 0; i++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    controller.abort();
    expect(await pending).toBeInstanceOf(RequestAbortedError);
  });

  it('keeps the pool within poolSize connections', async () => {
    const { sim, client } = await start({ latencyMs: 20 }, { poolSize: 3 });
    await client.login();
    await Promise.all(Array.from({ length: 12 }, (_, i) => listDashboards(client, i)));
    expect(sim.stats().peakConcurrency).toBeLessThanOrEqual(3);
  });

  it('reads versions without logging in, and logs out at the end', async () => {
    const { sim, client } = await start();
    const versions = await client.versions();
    expect(versions).toMatchObject({ supports40: true, currentApiVersion: '4.0' });
    expect(versions.apiVersions).toContain('4.0');
    expect(sim.stats().logins).toBe(0);
    await listDashboards(client);
    await client.logout();
    expect(sim.stats().logouts).toBe(1);
    await client.logout(); // nothing left to end: no request
    expect(sim.stats().logouts).toBe(1);
  });

  it('prints nothing on the console or standard streams, whatever happens', async () => {
    const { sim, client } = await start({}, { timeoutMs: 200 });
    const spies = [
      ...(['log', 'info', 'debug', 'warn', 'error', 'trace'] as const).map((method) =>
        jest.spyOn(console, method).mockImplementation(() => undefined),
      ),
      jest.spyOn(process.stdout, 'write').mockImplementation(() => true),
      jest.spyOn(process.stderr, 'write').mockImplementation(() => true),
    ];
    try {
      sim.injectFaults(
        { operation: 'search_dashboards', fault: { kind: 'status', status: 503 } },
        { operation: 'search_dashboards', fault: { kind: 'reset' } },
        { operation: 'search_dashboards', fault: { kind: 'hang' } },
        { operation: 'search_dashboards', fault: { kind: 'malformed' } },
      );
      await client.versions();
      for (let i = 0; i < 6; i++) await catching(listDashboards(client, i));
      await client.logout();
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(sim.stats().faults.scripted).toBe(4);
  });
});
