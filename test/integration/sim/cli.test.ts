import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { runCli } from '../../helpers/cli.js';

/** `lookervault sim` as a user runs it (the built CLI: run `npm run build` first). */

interface StartLine {
  url: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  counts: Record<string, number>;
}

describe('lookervault sim', () => {
  it('--json prints one line with URL and credentials as soon as it listens, serves, and exits 0 on SIGINT', async () => {
    let line: StartLine | undefined;
    let served: Promise<{ versions: number; login: number; dashboards: number }> | undefined;
    const result = await runCli(['sim', '--json', '--dashboards', '25', '--seed', '5'], {
      timeoutMs: 30_000,
      onStdout: (chunk, child) => {
        if (line || !chunk.includes('\n')) return;
        line = JSON.parse(chunk.split('\n')[0] ?? '') as StartLine;
        const started = line;
        served = (async () => {
          const versions = await fetch(`${started.apiUrl}/versions`);
          const login = await fetch(`${started.apiUrl}/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
              client_id: started.clientId,
              client_secret: started.clientSecret,
            }),
          });
          const { access_token: token } = (await login.json()) as { access_token: string };
          const search = await fetch(`${started.apiUrl}/dashboards/search?fields=id`, {
            headers: { authorization: `Bearer ${token}` },
          });
          const rows = (await search.json()) as unknown[];
          child.kill('SIGINT');
          return { versions: versions.status, login: login.status, dashboards: rows.length };
        })();
      },
    });
    expect(result.code).toBe(0);
    expect(line).toMatchObject({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      clientId: 'sim-client-id',
    });
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const outcome = await served;
    expect(outcome?.versions).toBe(200);
    expect(outcome?.login).toBe(200);
    expect(outcome?.dashboards).toBe(
      line?.counts.dashboard !== undefined ? line.counts.dashboard - 4 : -1,
    );
  });

  it('prints the banner with the export line on stderr, and stops cleanly on SIGTERM', async () => {
    const result = await runCli(
      [
        'sim',
        '--users',
        '3',
        '--rate-limit',
        '40',
        '--rate-limit-model',
        'sliding-log',
        '--retry-after',
        'one',
      ],
      {
        timeoutMs: 30_000,
        onStderr: (chunk, child) => {
          if (chunk.includes('Press Ctrl-C to stop.')) child.kill('SIGTERM');
        },
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^ {2}export LOOKERSDK_BASE_URL=http:\/\/127\.0\.0\.1:\d+ LOOKERSDK_CLIENT_ID=sim-client-id LOOKERSDK_CLIENT_SECRET=sim-client-secret$/m,
    );
    expect(result.stderr).toContain('Stopped (SIGTERM)');
    expect(result.stderr).toContain('rate limit 40/s (sliding-log, Retry-After one)');
  });

  it.each([
    [['--no-such-flag'], /^Error: Nonexistent flag: --no-such-flag$/m],
    [
      ['--dashboards', '-5'],
      /^Error: --dashboards must be a whole number from 0 to 10000000 \(got "-5"\)$/m,
    ],
    [['--error-rate', '1.5'], /^Error: --error-rate must be a number from 0 to 1 \(got "1\.5"\)$/m],
    [
      ['--rate-limit', '5', '--concurrency-limit', '2'],
      /^Error: --rate-limit and --concurrency-limit cannot be combined$/m,
    ],
    [
      ['--rate-limit', '5', '--rate-limit-model', 'sliding-log', '--rate-limit-burst', '3'],
      /^Error: --rate-limit-burst only applies to --rate-limit-model token-bucket$/m,
    ],
    [
      ['--retry-after', 'soon'],
      /Expected --retry-after=soon to be one of: exact, one, absent, http-date/,
    ],
  ])('rejects %j with a one-line message and exit 2', async (args, message) => {
    const result = await runCli(['sim', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  describe('when the port is taken', () => {
    let busy: RunningSimulator;
    beforeAll(async () => {
      busy = await startSimulator({ counts: { dashboard: 1 } });
    });
    afterAll(async () => {
      await busy.close();
    });

    it('says so, suggests --port 0, and exits 2', async () => {
      const port = new URL(busy.url).port;
      const result = await runCli(['sim', '--port', port]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `Error: port ${port} on 127.0.0.1 is already in use; choose another with --port, or --port 0 for any free port`,
      );
    });
  });
});
