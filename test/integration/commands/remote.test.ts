import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../../src/store/sqlite.js';
import { CLI_PATH, runCli } from '../../helpers/cli.js';
import { startS3, type LocalS3 } from '../../helpers/s3.js';
import { makeTempDir } from '../../helpers/tmp.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { SMALL_COUNTS, extractInProcess } from '../extract/harness.js';

/**
 * push / remote list / pull against a real S3 API served by s3rver in its own process on
 * 127.0.0.1. The backup is padded with 12 MiB of random bytes (a table of its own, which verify
 * ignores), so that every push is a multipart upload of two parts.
 */

let sim: RunningSimulator;
let s3: LocalS3;
let dir: string;
let cleanup: () => void;
let db: string;

const remote = () => `s3://${s3.bucket}/nightly`;
const cli = (args: string[], env: NodeJS.ProcessEnv = s3.env) =>
  runCli(args, { env: { NODE_ENV: 'production', ...env } });

interface Listing {
  copies: { name: string; snapshotId: number; bytes: number; sha256: string | null }[];
}

/** What a backup holds, row by row: versions with their hashes, and runs. */
function holdings(file: string): unknown {
  const database = openDatabase(file, { readonly: true });
  try {
    return {
      versions: database
        .prepare(
          'SELECT content_type, item_id, content_hash, from_run, to_run, trashed FROM item_versions ORDER BY id',
        )
        .all(),
      contents: database.prepare('SELECT hash, json FROM contents ORDER BY id').all(),
      runs: database.prepare('SELECT id, status, summary_json FROM runs ORDER BY id').all(),
    };
  } finally {
    database.close();
  }
}

beforeAll(async () => {
  ({ dir, cleanup } = makeTempDir('lookervault-remote-'));
  db = path.join(dir, 'looker.db');
  sim = await startSimulator({ counts: SMALL_COUNTS });
  await extractInProcess(sim, db);
  const padding = openDatabase(db);
  padding.exec('CREATE TABLE test_padding (bytes BLOB)');
  padding.prepare('INSERT INTO test_padding VALUES (?)').run(randomBytes(12 * 1024 * 1024));
  padding.close();
  s3 = await startS3(path.join(dir, 's3'));
}, 60_000);

afterAll(async () => {
  await s3.stop();
  await sim.close();
  cleanup();
});

describe('push, remote list, pull', () => {
  it('three pushes are three copies; --keep 2 leaves the newest two; pull gives the same backup, verified', async () => {
    const pushed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await cli(['push', remote(), '--db', db, '--endpoint', s3.endpoint, '--json']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout) as {
        key: string;
        bytes: number;
        snapshotId: number;
      };
      expect(summary.bytes).toBeGreaterThan(8 * 1024 * 1024);
      expect(summary.snapshotId).toBe(1);
      pushed.push(path.posix.basename(summary.key));
    }
    const listed = JSON.parse(
      (await cli(['remote', 'list', remote(), '--endpoint', s3.endpoint, '--json'])).stdout,
    ) as Listing;
    expect(listed.copies.map((c) => c.name)).toEqual(pushed);
    expect(listed.copies.every((c) => c.sha256 !== null && c.snapshotId === 1)).toBe(true);

    const fourth = await cli([
      'push',
      remote(),
      '--db',
      db,
      '--endpoint',
      s3.endpoint,
      '--keep',
      '2',
      '--json',
    ]);
    expect(fourth.code).toBe(0);
    const kept = JSON.parse(fourth.stdout) as { key: string; removed: string[] };
    expect(kept.removed.sort()).toEqual(pushed.slice(0, 2).sort());
    const after = JSON.parse(
      (await cli(['remote', 'list', remote(), '--endpoint', s3.endpoint, '--json'])).stdout,
    ) as Listing;
    expect(after.copies.map((c) => c.name)).toEqual([pushed[2], path.posix.basename(kept.key)]);

    const pulled = path.join(dir, 'pulled.db');
    const pull = await cli(['pull', remote(), '--to', pulled, '--endpoint', s3.endpoint]);
    expect(pull.code).toBe(0);
    expect(pull.stderr).toMatch(/checksums match, verify passed/);
    expect((await cli(['verify', '--db', pulled])).code).toBe(0);
    expect(holdings(pulled)).toEqual(holdings(db));

    // Never over an existing file.
    const before = readFileSync(pulled);
    const again = await cli(['pull', remote(), '--to', pulled, '--endpoint', s3.endpoint]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists\nHint: pull never overwrites a file/);
    expect(readFileSync(pulled).equals(before)).toBe(true);
  }, 120_000);

  it('a push killed in the middle of its upload leaves no copy that remote list shows', async () => {
    const hangs = await startS3(path.join(dir, 's3-hang'), { hangPart: 2 });
    try {
      const child = spawn(
        process.execPath,
        [
          CLI_PATH,
          'push',
          `s3://${hangs.bucket}/nightly`,
          '--db',
          db,
          '--endpoint',
          hangs.endpoint,
        ],
        {
          env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'production', ...hangs.env },
          stdio: 'ignore',
        },
      );
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // Part 1 is stored, part 2 is on the wire: the upload is midway.
      await hangs.hanging;
      child.kill('SIGKILL');
      await exited;
      const listed = await cli([
        'remote',
        'list',
        `s3://${hangs.bucket}/nightly`,
        '--endpoint',
        hangs.endpoint,
        '--json',
      ]);
      expect(listed.code).toBe(0);
      expect((JSON.parse(listed.stdout) as Listing).copies).toEqual([]);
    } finally {
      await hangs.stop();
    }
  }, 60_000);

  it('bad input and storage failures: one line, a hint, the documented exit code', async () => {
    const notUrl = await cli(['push', 'backups/nightly', '--db', db]);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toMatch(
      /is not an object storage location\nHint: Write s3:\/\/BUCKET\/PREFIX/,
    );
    const noBucket = await cli([
      'remote',
      'list',
      's3://missing-bucket/x',
      '--endpoint',
      s3.endpoint,
    ]);
    expect(noBucket.code).toBe(1);
    expect(noBucket.stderr).toMatch(/The bucket "missing-bucket" does not exist\nHint: /);
    const wrongKey = await cli(['remote', 'list', remote(), '--endpoint', s3.endpoint], {
      ...s3.env,
      AWS_ACCESS_KEY_ID: 'NOT-A-KEY',
      AWS_SECRET_ACCESS_KEY: 'not-the-secret',
    });
    expect(wrongKey.code).toBe(4);
    expect(wrongKey.stderr).toMatch(/access denied/);
    expect(wrongKey.stderr).not.toContain('not-the-secret');
    expect(wrongKey.stderr).toMatch(/Hint: Check the AWS credentials/);
    const noCopy = await cli([
      'pull',
      's3://backups/empty',
      '--to',
      path.join(dir, 'x.db'),
      '--endpoint',
      s3.endpoint,
    ]);
    expect(noCopy.code).toBe(2);
    expect(noCopy.stderr).toMatch(/There is no backup copy at s3:\/\/backups\/empty\//);
    const noDir = await cli([
      'pull',
      remote(),
      '--to',
      path.join(dir, 'missing', 'x.db'),
      '--endpoint',
      s3.endpoint,
    ]);
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toMatch(/missing does not exist\nHint: Create the directory first/);
    for (const result of [notUrl, noBucket, wrongKey, noCopy, noDir]) {
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);
});
