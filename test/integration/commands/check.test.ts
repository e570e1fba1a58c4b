import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONTENT_TYPES } from '../../../src/content-types.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { runCli, type CliResult } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/tmp.js';

/** `lookervault check` as a user runs it (the built CLI; run `npm run build` first). */

let sim: RunningSimulator;
let secret: string;
let cwd: string;
let cleanup: () => void;

beforeAll(async () => {
  secret = `s3cr3t-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  sim = await startSimulator({
    counts: { dashboard: 30, look: 10, user: 5 },
    clientSecret: secret,
    loginFailureStatus: 404,
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
  expect(output).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
}

describe('lookervault check', () => {
  it('prints a ✓ row per check and per content type, and exits 0', async () => {
    const result = await runCli(['check'], { env: env(), cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^✓ Configuration +base_url http:\/\/127\.0\.0\.1:\d+ from LOOKERSDK_BASE_URL/m,
    );
    expect(result.stdout).toMatch(/^✓ Login +logged in as /m);
    expect(result.stdout).toMatch(/^✓ List dashboards +can list and read$/m);
    expect(result.stdout.match(/^✓ /gm)).toHaveLength(5 + CONTENT_TYPES.length);
    expect(result.stdout).toContain('All checks passed.');
    expect(result.stderr).toBe(''); // neither the SDK nor anything else prints on its own
    expectClean(result);
  });

  it('--json gives {ok, checks: [{name, ok, detail, hint?}]} and exits 4 for wrong credentials', async () => {
    const wrong = `${secret}-wrong`;
    const result = await runCli(['check', '--json', '--client-secret', wrong], { env: env(), cwd });
    expect(result.code).toBe(4);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      checks: Array<{ name: string; ok: boolean; detail: string; hint?: string }>;
    };
    expect(report.ok).toBe(false);
    expect(report.checks.map((row) => [row.name, row.ok])).toEqual([
      ['configuration', true],
      ['server', true],
      ['tls', true],
      ['login', false],
    ]);
    expect(report.checks[3]).toMatchObject({
      detail: 'Looker refused the API credentials (HTTP 404 at /login).',
      hint: expect.stringContaining('--client-secret') as unknown,
    });
    expect(result.stdout + result.stderr).not.toContain(wrong);
    expectClean(result);
  });

  it('exits 1 with one line about an unreachable host', async () => {
    const result = await runCli(['check'], {
      env: env({ LOOKERSDK_BASE_URL: 'http://127.0.0.1:9' }),
      cwd,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '✗ Server         Cannot reach 127.0.0.1:9: the connection was refused.',
    );
    expectClean(result);
  });

  it('exits 2 naming the file and line of a malformed looker.ini', async () => {
    const { dir, cleanup: remove } = makeTempDir();
    try {
      writeFileSync(
        path.join(dir, 'looker.ini'),
        `[Looker]\nbase_url=${sim.url}\nclient_id=${sim.clientId}\nclient_secret: ${secret}\n`,
      );
      const result = await runCli(['check'], { cwd: dir, env: { NODE_ENV: 'production' } });
      expect(result.code).toBe(2);
      expect(result.stdout).toContain(
        `✗ Configuration  Config file ${path.join(dir, 'looker.ini')} is malformed: in [Looker], line 4 (client_secret) is not a "key = value" line.`,
      );
      expectClean(result);
    } finally {
      remove();
    }
  });

  it('warns on stderr when TLS verification is turned off', async () => {
    const result = await runCli(['check', '--no-verify-ssl'], { env: env(), cwd });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'Warning: TLS certificate verification is off (--no-verify-ssl): the connection can be intercepted.',
    );
  });
});
