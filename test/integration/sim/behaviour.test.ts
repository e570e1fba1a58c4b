import { afterEach, describe, expect, it } from '@jest/globals';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../../src/sim/index.js';
import { SimClient, until, type Answer } from './http.js';

let sim: RunningSimulator | undefined;
let client: SimClient | undefined;

async function start(
  options: SimulatorOptions = {},
): Promise<{ s: RunningSimulator; c: SimClient }> {
  const s = await startSimulator({ counts: { dashboard: 50, look: 20, user: 5 }, ...options });
  sim = s;
  client = new SimClient(s);
  await client.authorize();
  return { s, c: client };
}

afterEach(async () => {
  await client?.close();
  await sim?.close();
  client = undefined;
  sim = undefined;
});

/** Resolves to the error a request rejects with (fails if it answers). */
async function failure(promise: Promise<Answer>): Promise<Error & { code?: string }> {
  try {
    const answer = await promise;
    throw new Error(`expected a failure, got ${String(answer.status)}`);
  } catch (error) {
    return error as Error & { code?: string };
  }
}

describe('rate limit', () => {
  it('answers 429 with Retry-After and Looker’s error body once the bucket is empty; login is exempt', async () => {
    let now = 1_000_000;
    const { s, c } = await start({
      clock: () => now,
      rateLimit: { requestsPerSecond: 2, burst: 3 },
    });
    // the login in start() was exempt: the bucket is still full
    for (let i = 0; i < 3; i++) expect((await c.get('/dashboards/1')).status).toBe(200);
    const limited = await c.get('/dashboards/1');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(JSON.parse(limited.text)).toEqual({
      message: expect.any(String),
      documentation_url: expect.any(String),
    });
    expect((await c.login()).status).toBe(200);
    now += 500; // one token back at 2/s
    expect((await c.get('/dashboards/1')).status).toBe(200);
    expect((await c.get('/dashboards/1')).status).toBe(429);
    expect(s.stats().rateLimited).toBe(2);
  });

  it('Retry-After is the whole seconds until a token is back', async () => {
    const now = 5_000_000;
    const { c } = await start({
      clock: () => now,
      rateLimit: { requestsPerSecond: 0.1, burst: 1 },
    });
    expect((await c.get('/user')).status).toBe(200);
    expect((await c.get('/user')).headers['retry-after']).toBe('10');
  });

  it('fixed 1-second windows: R per clock second, Retry-After to the next second', async () => {
    let now = 3_000_000_400; // 400 ms into a second
    const { c } = await start({
      clock: () => now,
      rateLimit: { model: 'fixed-window', requestsPerSecond: 2 },
    });
    expect((await c.get('/user')).status).toBe(200);
    expect((await c.get('/user')).status).toBe(200);
    expect((await c.get('/user')).status).toBe(429);
    now += 600; // the next second: a fresh window
    expect((await c.get('/user')).status).toBe(200);
  });

  it('a sliding window log: R in any second, however the clock seconds fall', async () => {
    let now = 3_000_000_900;
    const { c } = await start({
      clock: () => now,
      rateLimit: { model: 'sliding-log', requestsPerSecond: 2, retryAfter: 'one' },
    });
    expect((await c.get('/user')).status).toBe(200);
    now += 200; // a new clock second, but the same sliding second
    expect((await c.get('/user')).status).toBe(200);
    const refused = await c.get('/user');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    now += 800; // the first request is a second old
    expect((await c.get('/user')).status).toBe(200);
    expect((await c.get('/user')).status).toBe(429);
  });

  it('Retry-After as an HTTP date, or not at all', async () => {
    const now = Date.UTC(2026, 11, 7, 12, 0, 0, 250);
    const dated = await start({
      clock: () => now,
      rateLimit: { requestsPerSecond: 0.1, burst: 1, retryAfter: 'http-date' },
    });
    await dated.c.get('/user');
    // 10 s from 12:00:00.250, at a second's resolution.
    expect((await dated.c.get('/user')).headers['retry-after']).toBe(
      'Mon, 07 Dec 2026 12:00:10 GMT',
    );
    await client?.close();
    await sim?.close();
    const bare = await start({
      clock: () => now,
      rateLimit: { requestsPerSecond: 0.1, burst: 1, retryAfter: 'absent' },
    });
    await bare.c.get('/user');
    const refused = await bare.c.get('/user');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBeUndefined();
  });

  it('a concurrency limit answers 429 to one request too many instead of queueing it', async () => {
    const { s, c } = await start({ rateLimit: { model: 'concurrency', maxConcurrent: 2 } });
    // Two requests that never get an answer hold both slots until the client gives up on them.
    s.injectFaults({ times: 2, fault: { kind: 'hang' } });
    const giveUp = new AbortController();
    const held = [1, 2].map((id) =>
      failure(c.get(`/dashboards/${String(id)}`, { signal: giveUp.signal })),
    );
    await until(() => s.stats().inFlight >= 2, 'two hung requests in flight');
    const third = await c.get('/dashboards/3');
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBe('1');
    giveUp.abort();
    await Promise.all(held);
    await until(() => s.stats().inFlight === 0, 'the hung requests to end');
    // Both slots are free again once their requests are over.
    expect((await c.get('/dashboards/3')).status).toBe(200);
  });

  it('refuses limits that cannot work', async () => {
    await expect(startSimulator({ rateLimit: { model: 'concurrency' } })).rejects.toThrow(
      /maxConcurrent must be an integer ≥ 1/,
    );
    await expect(startSimulator({ rateLimit: { model: 'sliding-log' } })).rejects.toThrow(
      /requestsPerSecond must be > 0/,
    );
    await expect(
      startSimulator({
        rateLimit: { requestsPerSecond: 1, retryAfter: 'soon' as never },
      }),
    ).rejects.toThrow(/retryAfter must be one of exact, one, absent, http-date/);
  });

  it('counts requests that ignore a running Retry-After window, after the grace', async () => {
    let now = 2_000_000;
    const { s, c } = await start({
      clock: () => now,
      rateLimit: { requestsPerSecond: 1, burst: 1 },
      retryAfterGraceMs: 50,
    });
    await c.get('/user'); // takes the only token
    expect((await c.get('/user')).status).toBe(429); // window: 1 s from now
    now += 30; // still within the grace: already on the wire
    await c.get('/user');
    expect(s.stats().retryAfterViolations).toBe(0);
    now += 100; // inside the window, after the grace
    await c.get('/user');
    expect(s.stats().retryAfterViolations).toBe(1);
    now += 2000; // the window is over
    expect((await c.get('/user')).status).toBe(200);
    expect(s.stats().retryAfterViolations).toBe(1);
  });
});

describe('capacity', () => {
  it('serves at most `capacity` requests at once, queues the rest FIFO, and counts queued ones in peakConcurrency', async () => {
    const { s, c } = await start({ capacity: 1, requestLog: true });
    s.injectFaults({ operation: 'dashboard', fault: { kind: 'hang' } });
    const abort = new AbortController();
    const hung = failure(c.get('/dashboards/1', { signal: abort.signal }));
    await until(() => s.stats().inFlight === 1, 'the hung request');
    const queued = c.get('/dashboards/2');
    await until(() => s.stats().inFlight === 2, 'the queued request');
    expect(s.stats().peakConcurrency).toBe(2);
    abort.abort(); // the client gives up: its slot is freed, the queued request runs
    expect((await queued).status).toBe(200);
    await hung;
    await until(() => s.stats().inFlight === 0, 'all requests done');
    expect(s.requestLog().map((e) => [e.operationId, e.status])).toEqual([
      ['login', 200],
      ['dashboard', 'hang'],
      ['dashboard', 200],
    ]);
  });
});

describe('peak concurrency', () => {
  it('a client with N request loops is never seen with more than N requests open, large bodies included', async () => {
    const { s, c } = await start({ counts: { dashboard: 3000 } });
    s.resetStats();
    let next = 0;
    const loop = async () => {
      for (let i = next++; i < 60; i = next++) {
        const answer = await c.get(`/dashboards/search?limit=100&offset=${String((i % 29) * 100)}`);
        expect(answer.status).toBe(200);
      }
    };
    await Promise.all([loop(), loop(), loop()]);
    expect(s.stats().peakConcurrency).toBeLessThanOrEqual(3);
    expect(s.stats().peakConcurrency).toBeGreaterThanOrEqual(1);
  });
});

describe('latency', () => {
  it('delays every API request by at least the fixed latency', async () => {
    const { s, c } = await start({ latencyMs: 25, jitterMs: 10 });
    s.resetStats();
    for (let i = 0; i < 3; i++) expect((await c.get('/dashboards/1')).status).toBe(200);
    const { serviceTimeMs } = s.stats();
    expect(serviceTimeMs.count).toBe(3);
    expect(serviceTimeMs.p50).toBeGreaterThanOrEqual(24);
  });
});

describe('scripted faults', () => {
  it('a status fault answers once with its status, Retry-After and Looker’s body, then serving resumes', async () => {
    const { s, c } = await start();
    s.injectFaults({ fault: { kind: 'status', status: 503, retryAfterSeconds: 7 } });
    const faulted = await c.get('/dashboards/1');
    expect(faulted.status).toBe(503);
    expect(faulted.headers['retry-after']).toBe('7');
    expect(JSON.parse(faulted.text)).toMatchObject({ message: expect.any(String) });
    expect((await c.get('/dashboards/1')).status).toBe(200);
    expect(s.stats().faults.scripted).toBe(1);
  });

  it('faults for one operation are consumed only by it, `times` times, in order', async () => {
    const { s, c } = await start();
    s.injectFaults(
      {
        operation: 'search_dashboards',
        times: 2,
        fault: { kind: 'status', status: 429, retryAfterSeconds: 1 },
      },
      { operation: 'search_dashboards', fault: { kind: 'status', status: 422 } },
    );
    expect((await c.get('/looks/1')).status).toBe(200);
    expect((await c.get('/dashboards/search?limit=1')).status).toBe(429);
    expect((await c.get('/dashboards/search?limit=1')).status).toBe(429);
    const validation = await c.get('/dashboards/search?limit=1');
    expect(validation.status).toBe(422);
    expect(JSON.parse(validation.text)).toMatchObject({
      errors: [expect.objectContaining({ message: expect.any(String) })],
    });
    expect((await c.get('/dashboards/search?limit=1')).status).toBe(200);
    expect(s.stats().rateLimited).toBe(2);
  });

  it('a reset fault drops the connection without an answer', async () => {
    const { s, c } = await start();
    s.injectFaults({ fault: { kind: 'reset' } });
    const error = await failure(c.get('/dashboards/1'));
    expect(error.message).toMatch(/socket|closed|reset/i);
    expect((await c.get('/dashboards/1')).status).toBe(200);
  });

  it('a malformed fault answers 200 with JSON that does not parse', async () => {
    const { s, c } = await start();
    s.injectFaults({ fault: { kind: 'malformed' } });
    const answer = await c.get('/dashboards/search?limit=5');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(() => JSON.parse(answer.text) as unknown).toThrow();
    expect(s.stats().pageRequests).toEqual({});
  });

  it('a hung request stays open until the client gives up, then frees its socket', async () => {
    const { s, c } = await start();
    s.injectFaults({ fault: { kind: 'hang' } });
    const abort = new AbortController();
    const pending = failure(c.get('/dashboards/1', { signal: abort.signal }));
    await until(() => s.stats().inFlight === 1, 'the hung request');
    abort.abort();
    expect((await pending).name).toMatch(/Abort/);
    await until(() => s.stats().inFlight === 0, 'the server to notice');
  });

  it('close() ends hung requests too', async () => {
    const s = await startSimulator({ counts: { dashboard: 5 } });
    const c = new SimClient(s);
    await c.authorize();
    s.injectFaults({ fault: { kind: 'hang' } });
    const pending = failure(c.get('/dashboards/1'));
    await until(() => s.stats().inFlight === 1, 'the hung request');
    await s.close();
    expect((await pending).message).toMatch(/socket|closed/i);
    await c.close();
  });

  it('can target login explicitly, which unnamed faults never touch', async () => {
    const { s, c } = await start();
    s.injectFaults({ operation: 'login', fault: { kind: 'status', status: 500 } });
    expect((await c.login()).status).toBe(500);
    expect((await c.login()).status).toBe(200);
    s.injectFaults({ fault: { kind: 'status', status: 500 } });
    expect((await c.login()).status).toBe(200);
    expect((await c.send('GET', '/versions')).status).toBe(200);
    expect((await c.get('/user')).status).toBe(500);
  });

  it('rejects a scripted fault it cannot play', async () => {
    const { s } = await start();
    expect(() => {
      s.injectFaults({ fault: { kind: 'status', status: 42 } });
    }).toThrow(/HTTP status/);
  });
});

describe('faults by rate', () => {
  it('a server-error rate of 1 fails every content request with 5xx; login and versions are never faulted', async () => {
    const { s, c } = await start({ faults: { serverErrorRate: 1 } });
    const statuses = new Set<number>();
    for (let i = 0; i < 30; i++) {
      const answer = await c.get(`/dashboards/${String((i % 5) + 1)}`);
      statuses.add(answer.status);
      if (answer.status === 500)
        expect(JSON.parse(answer.text)).toMatchObject({ message: expect.any(String) });
      else expect(answer.headers['content-type']).toBe('text/html');
    }
    expect([...statuses].every((st) => st >= 500 && st <= 504)).toBe(true);
    expect(statuses.size).toBeGreaterThan(1);
    expect((await c.login()).status).toBe(200);
    expect((await c.send('GET', '/versions')).status).toBe(200);
    expect(s.stats().faults.serverError).toBe(30);
  });

  it('reset, hang and malformed rates each play their fault', async () => {
    const reset = await start({ faults: { resetRate: 1 } });
    expect((await failure(reset.c.get('/looks/1'))).message).toMatch(/socket|closed|reset/i);
    expect(reset.s.stats().faults.reset).toBe(1);
    await reset.c.close();
    await reset.s.close();

    const hang = await start({ faults: { hangRate: 1 } });
    const abort = new AbortController();
    const pending = failure(hang.c.get('/looks/1', { signal: abort.signal }));
    await until(() => hang.s.stats().faults.hang === 1, 'the hang');
    abort.abort();
    await pending;
    await hang.c.close();
    await hang.s.close();

    const malformed = await start({ faults: { malformedRate: 1 } });
    const answer = await malformed.c.get('/looks/1');
    expect(answer.status).toBe(200);
    expect(() => JSON.parse(answer.text) as unknown).toThrow();
    expect(malformed.s.stats().faults.malformed).toBe(1);
  });

  it('the same seed injects the same faults in the same order', async () => {
    async function outcomes(seed: number): Promise<number[]> {
      const s = await startSimulator({
        seed,
        counts: { dashboard: 10 },
        faults: { serverErrorRate: 0.3, malformedRate: 0.3 },
      });
      const c = new SimClient(s);
      const out: number[] = [];
      for (let i = 0; i < 40; i++) {
        const answer = await c.get('/dashboards/1');
        out.push(
          answer.status === 200 && answer.text.endsWith('}')
            ? 0
            : answer.status === 200
              ? 1
              : answer.status,
        );
      }
      await c.close();
      await s.close();
      return out;
    }
    const first = await outcomes(3);
    expect(await outcomes(3)).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(2);
    expect(await outcomes(4)).not.toEqual(first);
  });
});
