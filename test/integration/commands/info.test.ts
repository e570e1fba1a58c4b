import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTENT_TYPES } from '../../../src/content-types.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { runCli, type CliResult } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/tmp.js';

/** `lookervault info` as a user runs it (the built CLI; run `npm run build` first). */

let sim: RunningSimulator;
let secret: string;
let cwd: string;
let cleanup: () => void;

beforeAll(async () => {
  secret = `s3cr3t-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  sim = await startSimulator({
    counts: { dashboard: 120, look: 40, folder: 10, user: 7 },
    clientSecret: secret,
  });
  ({ dir: cwd, cleanup } = makeTempDir());
});

afterAll(async () => {
  await sim.close();
  cleanup();
});

// Jest sets NODE_ENV=test, which sends oclif looking for TypeScript sources (and warning).
const env = (overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  NODE_ENV: 'production',
  LOOKERSDK_BASE_URL: sim.url,
  LOOKERSDK_CLIENT_ID: sim.clientId,
  LOOKERSDK_CLIENT_SECRET: secret,
  ...overrides,
});

function expectClean(result: CliResult): void {
  const output = result.stdout + result.stderr;
  expect(output).not.toContain(secret);
  expect(output).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
}

describe('lookervault info', () => {
  it('--json gives the instance, its versions and every count, from id listings only', async () => {
    sim.resetStats();
    const result = await runCli(['info', '--json'], { env: env(), cwd });
    expect(result.code).toBe(0);
    const info = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(info).toEqual({
      url: sim.url,
      lookerVersion: '26.12.0',
      apiVersions: ['3.1', '4.0'],
      counts: Object.fromEntries(
        CONTENT_TYPES.map((type) => [
          type,
          type === 'folder_access' ? sim.dataset.accessFolderIds().length : sim.dataset.count(type),
        ]),
      ),
    });
    const calls = sim.stats().requests.byOperation;
    expect(calls.dashboard ?? 0).toBe(0);
    expect(calls.search_dashboards ?? 0).toBe(0);
    expect(calls.logout).toBe(1);
    expect(result.stderr).toBe('');
    expectClean(result);
  });

  it('prints a readable summary', async () => {
    const result = await runCli(['info'], { env: env(), cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `Instance      ${sim.url}\nLooker        26.12.0\nAPI versions  3.1, 4.0`,
    );
    expect(result.stdout).toMatch(
      new RegExp(`^dashboards +${sim.dataset.count('dashboard')}$`, 'm'),
    );
  });

  it('exits 4 with one clear message for wrong credentials', async () => {
    const result = await runCli(['info'], {
      env: env({ LOOKERSDK_CLIENT_SECRET: `${secret}x` }),
      cwd,
    });
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^Error: Looker refused the API credentials \(HTTP 404 at \/login\)\.\nHint: Check client_id and client_secret/,
    );
    expectClean(result);
  });

  it('exits 2 when the URL is not a Looker API', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>Not Found</h1>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const result = await runCli(['info'], { env: env({ LOOKERSDK_BASE_URL: url }), cwd });
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n')[0]).toBe(
        `Error: ${url} does not answer like a Looker API: GET /api/4.0/versions returned HTTP 404 (text/html, 18 bytes).`,
      );
      expectClean(result);
    } finally {
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
  });
});
