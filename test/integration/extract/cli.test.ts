import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { runSummarySchema } from '../../../src/engine/run-summary.js';
import { envFor, expectedTriples, simulator, storedTriples, tempDb } from './harness.js';

describe('extract command line', () => {
  it.each([
    ['0', /--workers must be a whole number from 1 to 50 \(got "0"\)/],
    ['51', /--workers must be a whole number from 1 to 50 \(got "51"\)/],
    ['abc', /--workers must be a whole number from 1 to 50 \(got "abc"\)/],
  ])('--workers %s is a usage error naming the range (exit 2)', async (value, message) => {
    const result = await runCli(['extract', '--workers', value, '--db', tempDb()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown content type is a usage error that lists the valid ones', async () => {
    const result = await runCli(['extract', '--types', 'dashbords', '--db', tempDb()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown content type "dashbords"/);
    expect(result.stderr).toMatch(/dashboards, looks/);
  });

  it('wrong credentials end with exit 4, one login attempt, no stack trace and no secret shown', async () => {
    const sim = await simulator({ loginFailureStatus: 404 });
    const secret = `s3cr3t-${Math.random().toString(36).slice(2)}`;
    const db = tempDb();
    const result = await runCli(['extract', '--db', db, '--json', '--workers', '8'], {
      env: { ...envFor(sim), LOOKERSDK_CLIENT_SECRET: secret },
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^Error: .*(credentials|login)/im);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'error', exitCode: 4 });
    expect(sim.stats().failedLogins).toBe(1);
  });

  it('an unwritable --db is refused with the path and exit 2', async () => {
    const sim = await simulator();
    const blocker = tempDb();
    writeFileSync(blocker, 'a file, not a directory');
    const db = path.join(blocker, 'looker.db');
    const result = await runCli(['extract', '--db', db], { env: envFor(sim) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(db);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a --db that is not SQLite is refused and left untouched', async () => {
    const sim = await simulator();
    const db = tempDb();
    writeFileSync(db, 'name,title\n1,Revenue\n');
    const result = await runCli(['extract', '--db', db], { env: envFor(sim) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not a SQLite database/);
    expect(readFileSync(db, 'utf8')).toBe('name,title\n1,Revenue\n');
    expect(sim.stats().logins).toBe(0);
  });

  it('a second extract on the same database while one runs is refused, and the first completes', async () => {
    // One worker fetching each dashboard by id at 20 ms: over 6 s of server time alone, so the
    // first run still holds the file when a second process has started, however busy the machine.
    const sim = await simulator({ latencyMs: 20, counts: { dashboard: 300 } });
    const db = tempDb();
    let second: Promise<Awaited<ReturnType<typeof runCli>>> | undefined;
    const args = ['extract', '--db', db, '-w', '1', '--fetch', 'by-id'];
    const first = await runCli([...args, '--progress-interval', '1s', '--json'], {
      env: envFor(sim),
      onStderr: (chunk) => {
        if (second === undefined && /Started run 1/.test(chunk)) {
          second = runCli(['extract', '--db', db], { env: envFor(sim) });
        }
      },
    });
    if (!second) throw new Error('the first extract never started');
    const refused = await second;
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is in use: run 1 is running in lookervault pid \d+/);
    expect(refused.stderr).toMatch(/Hint: /);
    expect(first.code).toBe(0);
    expect(storedTriples(db)).toEqual(expectedTriples(sim));
  });

  it.each([
    [
      '--rate-limit-per-second',
      '0.0001',
      /--rate-limit-per-second must be a number ≥ 0\.01 \(got "0\.0001"\)/,
    ],
    [
      '--rate-limit-per-minute',
      '0.1',
      /--rate-limit-per-minute must be a number ≥ 0\.6 \(got "0\.1"\)/,
    ],
  ])(
    '%s %s, a rate at which no backup ends, is a usage error (exit 2)',
    async (flag, value, message) => {
      const result = await runCli(['extract', flag, value, '--db', tempDb()]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    },
  );

  it('Ctrl-C stops cleanly with exit 130, and the next extract resumes and completes', async () => {
    // Two workers fetching each dashboard by id at 15 ms need over 2 s for the dashboards alone,
    // whatever the number of cores: the run cannot finish before the first progress line (1 s)
    // brings the signal. (From listing pages they would take a fraction of a second.)
    const sim = await simulator({ latencyMs: 15, counts: { dashboard: 300 } });
    const db = tempDb();
    let interrupted = false;
    const args = ['extract', '--db', db, '-w', '2', '--fetch', 'by-id'];
    args.push('--progress-interval', '1s', '--json');
    const stopped = await runCli(args, {
      env: envFor(sim),
      onStderr: (chunk, child) => {
        if (!interrupted && /\[\d\d:\d\d\] [\d,]+ items/.test(chunk)) {
          interrupted = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(stopped.code).toBe(130);
    const summary = runSummarySchema.parse(JSON.parse(stopped.stdout));
    expect(summary).toMatchObject({ status: 'interrupted', resumable: true });
    expect(stopped.stderr).toMatch(/resum/i);

    const resumed = await runCli(['extract', '--db', db, '--json', '--no-progress'], {
      env: envFor(sim),
    });
    expect(resumed.code).toBe(0);
    expect(runSummarySchema.parse(JSON.parse(resumed.stdout))).toMatchObject({
      status: 'success',
      resumed: true,
      runId: summary.runId,
    });
    expect(storedTriples(db)).toEqual(expectedTriples(sim));
  });

  it('--json prints one summary object on stdout and nothing else; progress stays on stderr', async () => {
    const sim = await simulator({ counts: { dashboard: 30 } });
    const result = await runCli(
      ['extract', '--db', tempDb(), '--json', '--progress-interval', '1s'],
      {
        env: envFor(sim),
      },
    );
    expect(result.code).toBe(0);
    const summary = runSummarySchema.parse(JSON.parse(result.stdout));
    expect(summary.status).toBe('success');
    expect(result.stderr).toMatch(/Backup complete/);
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stderr).not.toContain('\u001b');
    expect(result.stderr).not.toContain('\r');
  });
});
