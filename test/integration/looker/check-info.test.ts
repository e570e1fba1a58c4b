import { afterEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CONTENT_TYPE_PLURALS, CONTENT_TYPES } from '../../../src/content-types.js';
import { runChecks } from '../../../src/looker/check.js';
import { LookerClient } from '../../../src/looker/client.js';
import { gatherInfo } from '../../../src/looker/info.js';
import { resolveSettings } from '../../../src/looker/settings.js';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../../src/sim/index.js';
import { makeTempDir } from '../../helpers/tmp.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const COUNTS = { dashboard: 40, look: 20, folder: 6, user: 8, scheduled_plan: 12 };

async function simulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({ counts: COUNTS, ...options });
  cleanups.push(() => sim.close());
  return sim;
}

function envFor(sim: RunningSimulator, secret = sim.clientSecret): NodeJS.ProcessEnv {
  return {
    LOOKERSDK_BASE_URL: sim.url,
    LOOKERSDK_CLIENT_ID: sim.clientId,
    LOOKERSDK_CLIENT_SECRET: secret,
  };
}

function tempDir(): string {
  const { dir, cleanup } = makeTempDir();
  cleanups.push(cleanup);
  return dir;
}

const check = (env: NodeJS.ProcessEnv, cwd = tempDir()) =>
  runChecks({ settings: { flags: {}, env, cwd } });

describe('runChecks', () => {
  it('passes every check against the simulator, with a row per content type', async () => {
    const sim = await simulator();
    const report = await check(envFor(sim));
    expect(report).toMatchObject({ ok: true, exitCode: 0, baseUrl: sim.url });
    expect(report.checks.map((row) => row.name)).toEqual([
      'configuration',
      'server',
      'tls',
      'login',
      'api_version',
      ...CONTENT_TYPES.map((type) => CONTENT_TYPE_PLURALS[type]),
    ]);
    expect(report.checks.every((row) => row.ok)).toBe(true);
    expect(sim.stats().logouts).toBe(1);
  });

  it('stops at the configuration with exit 2 when a setting is missing', async () => {
    const report = await check({ LOOKERSDK_BASE_URL: 'https://x.looker.com' });
    expect(report).toMatchObject({ ok: false, exitCode: 2 });
    expect(report.checks).toEqual([expect.objectContaining({ name: 'configuration', ok: false })]);
  });

  it('names the file and line of a malformed looker.ini, exit 2', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'looker.ini'), '[Looker]\nbase_url https://x\n');
    const report = await check({}, cwd);
    expect(report.exitCode).toBe(2);
    expect(report.checks[0]?.detail).toBe(
      `Config file ${path.join(cwd, 'looker.ini')} is malformed: in [Looker], line 2 (base_url) is not a "key = value" line.`,
    );
  });

  it('fails the login row with exit 4 for wrong credentials, with a hint naming the settings', async () => {
    const sim = await simulator({ loginFailureStatus: 404 });
    const report = await check(envFor(sim, 'not-the-secret'));
    expect(report.exitCode).toBe(4);
    const login = report.checks.find((row) => row.name === 'login');
    expect(login).toMatchObject({
      ok: false,
      detail: 'Looker refused the API credentials (HTTP 404 at /login).',
    });
    expect(login?.hint).toContain('LOOKERSDK_CLIENT_ID and LOOKERSDK_CLIENT_SECRET');
    expect(sim.stats().requests.byOperation.login).toBe(1);
  });

  it('fails a type row with a permission hint and exit 4 when listing it is forbidden', async () => {
    const sim = await simulator();
    sim.injectFaults({
      operation: 'search_scheduled_plans',
      fault: { kind: 'status', status: 403 },
    });
    const report = await check(envFor(sim));
    expect(report.exitCode).toBe(4);
    const failed = report.checks.filter((row) => !row.ok);
    expect(failed).toEqual([
      expect.objectContaining({
        name: 'scheduled_plans',
        hint: expect.stringContaining('see_schedules'),
      }),
    ]);
  });

  it('still passes a type whose first item fails validation, and says so', async () => {
    const sim = await simulator({ invalidItems: { board: ['1'] } });
    const report = await check(envFor(sim));
    expect(report.exitCode).toBe(0);
    expect(report.checks.find((row) => row.name === 'boards')).toMatchObject({
      ok: true,
      detail: 'can list (the first item failed validation)',
    });
  });

  it('fails a type row with exit 1 when the server errors', async () => {
    const sim = await simulator();
    sim.injectFaults({ operation: 'search_boards', fault: { kind: 'status', status: 500 } });
    const report = await check(envFor(sim));
    expect(report.exitCode).toBe(1);
    expect(report.checks.find((row) => row.name === 'boards')?.ok).toBe(false);
  });

  it('says a non-Looker server is not a Looker API, exit 2', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Welcome to nginx!</body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) =>
          server.close(() => {
            resolve();
          }),
        ),
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const report = await check({
      LOOKERSDK_BASE_URL: url,
      LOOKERSDK_CLIENT_ID: 'a',
      LOOKERSDK_CLIENT_SECRET: 'bbbb',
    });
    expect(report.exitCode).toBe(2);
    expect(report.checks[1]).toMatchObject({
      name: 'server',
      ok: false,
      detail: `${url} does not answer like a Looker API: GET /api/4.0/versions returned HTTP 200 (text/html, 43 bytes).`,
    });
  });

  it('says an unreachable server is unreachable, exit 1', async () => {
    const sim = await simulator();
    const env = envFor(sim);
    await sim.close();
    const report = await check(env);
    expect(report.exitCode).toBe(1);
    expect(report.checks[1]).toMatchObject({ name: 'server', ok: false });
    expect(report.checks[1]?.detail).toMatch(
      /^Cannot reach 127\.0\.0\.1:\d+: the connection was refused\.$/,
    );
  });
});

describe('gatherInfo', () => {
  function clientFor(sim: RunningSimulator): LookerClient {
    const settings = resolveSettings({ flags: {}, env: envFor(sim), cwd: tempDir() });
    const client = LookerClient.create(settings, { poolSize: 4 });
    cleanups.push(() => client.close());
    return client;
  }

  it('counts every type as the simulator holds it, with one cheap request per type where possible', async () => {
    const sim = await simulator();
    const info = await gatherInfo(clientFor(sim));
    expect(info).toMatchObject({ url: sim.url, lookerVersion: '26.12.0' });
    expect(info.apiVersions).toContain('4.0');
    for (const type of CONTENT_TYPES) {
      const expected =
        type === 'folder_access' ? sim.dataset.accessFolderIds().length : sim.dataset.count(type);
      expect(info.counts[type]).toBe(expected);
    }
    expect(info.errors).toEqual({});
    const calls = sim.stats().requests.byOperation;
    expect(calls.all_dashboards).toBe(1);
    expect(calls.dashboard).toBeUndefined();
    expect(calls.look).toBeUndefined();
    // versions + login + 14 types (lookml models and explores page the models separately)
    expect(sim.stats().requests.total).toBeLessThanOrEqual(18);
  });

  it('reports a type it cannot count and counts the others', async () => {
    const sim = await simulator();
    sim.injectFaults({ operation: 'all_scheduled_plans', fault: { kind: 'status', status: 403 } });
    const info = await gatherInfo(clientFor(sim));
    expect(info.counts.scheduled_plan).toBeNull();
    expect(info.errors.scheduled_plan).toContain('HTTP 403');
    expect(info.counts.dashboard).toBe(sim.dataset.count('dashboard'));
  });
});
