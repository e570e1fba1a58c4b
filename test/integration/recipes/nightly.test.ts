import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { CLI_PATH, PROJECT_ROOT } from '../../helpers/cli.js';
import { startS3, type LocalS3 } from '../../helpers/s3.js';
import { makeTempDir } from '../../helpers/tmp.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { SMALL_COUNTS, envFor } from '../extract/harness.js';

/**
 * The README's nightly recipe (examples/nightly-backup.sh), run as cron would, three nights in a
 * row against the simulator and s3rver: a copy pushed each night (retention by day keeps the
 * newest of the day), a git commit only when
 * Looker changed, and that commit holds exactly the changed dashboard (and the manifest line).
 */

let sim: RunningSimulator;
let s3: LocalS3;
let dir: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ dir, cleanup } = makeTempDir('lookervault-nightly-'));
  sim = await startSimulator({ counts: SMALL_COUNTS });
  s3 = await startS3(path.join(dir, 's3'));
}, 30_000);

afterAll(async () => {
  await s3.stop();
  await sim.close();
  cleanup();
});

const repo = () => path.join(dir, 'content');
const git = (args: string[]) => execFileSync('git', ['-C', repo(), ...args], { encoding: 'utf8' });

function night(): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'sh',
      [path.join(PROJECT_ROOT, 'examples', 'nightly-backup.sh')],
      {
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          NODE_ENV: 'production',
          ...envFor(sim),
          ...s3.env,
          GIT_AUTHOR_NAME: 'cron',
          GIT_AUTHOR_EMAIL: 'cron@example.com',
          GIT_COMMITTER_NAME: 'cron',
          GIT_COMMITTER_EMAIL: 'cron@example.com',
          LOOKERVAULT: `${process.execPath} ${CLI_PATH}`,
          LOOKERVAULT_DB: path.join(dir, 'looker.db'),
          LOOKERVAULT_REPO: repo(),
          LOOKERVAULT_REMOTE: `s3://${s3.bucket}/looker`,
          LOOKERVAULT_ENDPOINT: s3.endpoint,
        },
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}

function copies(): string[] {
  const listed = execFileSync(
    process.execPath,
    [CLI_PATH, 'remote', 'list', `s3://${s3.bucket}/looker`, '--endpoint', s3.endpoint, '--json'],
    {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'production', ...s3.env },
    },
  );
  return (JSON.parse(listed) as { copies: { name: string }[] }).copies.map((copy) => copy.name);
}

describe('the nightly backup recipe', () => {
  it('backs up, ships a copy and commits only real changes, night after night', async () => {
    const first = await night();
    expect(first).toMatchObject({ code: 0 });
    const firstCopies = copies();
    expect(firstCopies).toHaveLength(1);
    expect(git(['rev-list', '--count', 'HEAD']).trim()).toBe('1');

    const live = sim.dataset.ids('dashboard').filter((id) => /^\d+$/.test(id));
    sim.applyMutations([{ action: 'update', type: 'dashboard', id: live[2] }]);
    const second = await night();
    expect(second).toMatchObject({ code: 0 });
    expect(git(['rev-list', '--count', 'HEAD']).trim()).toBe('2');
    const changed = git(['show', '--name-only', '--format=', 'HEAD']).trim().split('\n').sort();
    expect(changed).toHaveLength(2);
    expect(changed[1]).toBe('lookervault-manifest.json');
    expect(changed[0]).toMatch(/\/dashboards\/[^/]+\.json$/);
    expect(git(['show', 'HEAD', '--', changed[0] as string])).toMatch(/^\+\s+"title": ".*edited/m);

    const third = await night();
    expect(third).toMatchObject({ code: 0 });
    expect(git(['rev-list', '--count', 'HEAD']).trim()).toBe('2');
    // --keep-daily keeps each (UTC) day's newest copy: one per day, the newest last.
    const lastCopies = copies();
    const days = lastCopies.map((name) =>
      name.slice('lookervault-'.length, 'lookervault-'.length + 8),
    );
    expect(new Set(days).size).toBe(lastCopies.length);
    expect(lastCopies.at(-1)).not.toBe(firstCopies[0]);
  }, 240_000);
});
