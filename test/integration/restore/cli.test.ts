import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI_PATH, runCli } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/tmp.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { SMALL_COUNTS, envFor, extractInProcess } from '../extract/harness.js';
import { BUILT_IN_CONFIGURATION_ONLY, NO_CONTENT } from './harness.js';

/** A custom role of the source (role 1 is the built-in Admin). */
const SOURCE_ROLE = '3';

let source: RunningSimulator;
let dir: string;
let cleanup: () => void;
let db: string;

beforeAll(async () => {
  ({ dir, cleanup } = makeTempDir('lookervault-restore-cli-'));
  db = path.join(dir, 'looker.db');
  source = await startSimulator({ seed: 5, counts: SMALL_COUNTS });
  await extractInProcess(source, db);
});

afterAll(async () => {
  await source.close();
  cleanup();
});

const restore = (args: string[], env: NodeJS.ProcessEnv = envFor(source)) =>
  runCli(['restore', '--db', db, ...args], { env });

describe('restore: bad input is one clear line, an exit code, and nothing written', () => {
  it('an unknown snapshot', async () => {
    const result = await restore(['--snapshot', '9', '--dry-run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^Error: There is no snapshot 9 in `.*looker\.db`\nHint: Snapshots there: 1\./m,
    );
  });

  it('a selector that is not TYPE:ID, or of a type that cannot be restored', async () => {
    const syntax = await restore(['dashboard42', '--dry-run']);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/Error: "dashboard42" is not a selector\nHint: Write TYPE:ID/);
    const type = await restore(['explore:1', '--dry-run']);
    expect(type.code).toBe(2);
    expect(type.stderr).toMatch(/"explore" in "explore:1" is not a restorable content type/);
  });

  it('an item the snapshot does not hold', async () => {
    const result = await restore(['dashboard:999999', '--dry-run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /Error: Cannot restore dashboard:999999: snapshot 1 does not hold it\nHint: .*lookervault history dashboard 999999/,
    );
  });

  it('a configured Looker that is not the backup’s own, without --to-base-url', async () => {
    const other = await startSimulator({ seed: 5, empty: true, counts: NO_CONTENT });
    try {
      const result = await restore(['--dry-run'], envFor(other));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /comes from http:\/\/127\.0\.0\.1:\d+, but the configured Looker is/,
      );
      expect(result.stderr).toMatch(
        /Hint: To restore into another instance, name it explicitly with --to-base-url/,
      );
      expect(other.stats().requests.total).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('a target that is not a Looker', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html>nothing here</html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    try {
      const result = await restore(['--to-base-url', url, '--dry-run'], {
        LOOKERVAULT_TO_CLIENT_ID: 'x',
        LOOKERVAULT_TO_CLIENT_SECRET: 'y',
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/does not answer like a Looker API/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('wrong target credentials', async () => {
    const other = await startSimulator({ seed: 5, empty: true, counts: NO_CONTENT });
    try {
      const result = await restore(['--to-base-url', other.url, '--dry-run'], {
        LOOKERVAULT_TO_CLIENT_ID: other.clientId,
        LOOKERVAULT_TO_CLIENT_SECRET: 'not-the-secret',
      });
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(/^Error: .*\nHint: /m);
      expect(result.stderr).not.toContain('not-the-secret');
    } finally {
      await other.close();
    }
  });

  it('a target user without permission to create content (403): exit 4, nothing written', async () => {
    const other = await startSimulator({
      seed: 5,
      empty: true,
      counts: NO_CONTENT,
      canWrite: false,
    });
    try {
      const before = { folders: other.dataset.count('folder') };
      const result = await restore(['--to-base-url', other.url, '--yes'], {
        LOOKERVAULT_TO_CLIENT_ID: other.clientId,
        LOOKERVAULT_TO_CLIENT_SECRET: other.clientSecret,
      });
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(/Error: The API user may not write this content in the target/);
      expect(result.stderr).toMatch(
        /Hint: Restoring needs an API user who may create and edit content/,
      );
      expect(other.dataset.count('folder')).toBe(before.folders);
      expect(other.dataset.count('dashboard')).toBe(0);
      expect(other.dataset.count('look')).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('configuration is restored only when asked for: by --types or by a selector', async () => {
    const other = await startSimulator({
      seed: 5,
      empty: true,
      counts: { ...NO_CONTENT, ...BUILT_IN_CONFIGURATION_ONLY },
    });
    try {
      const env = {
        LOOKERVAULT_TO_CLIENT_ID: other.clientId,
        LOOKERVAULT_TO_CLIENT_SECRET: other.clientSecret,
      };
      const plannedTypes = async (args: string[]) => {
        const result = await restore(
          ['--to-base-url', other.url, '--dry-run', '--json', ...args],
          env,
        );
        expect(result.code).toBe(0);
        const parsed = JSON.parse(result.stdout) as {
          plan: { items: { type: string; id: string; action: string; selected: boolean }[] };
        };
        return parsed.plan.items;
      };
      const everything = await plannedTypes([]);
      expect(new Set(everything.map((i) => i.type))).toEqual(
        new Set(['folder', 'look', 'dashboard', 'board', 'scheduled_plan']),
      );
      const role = SOURCE_ROLE;
      const one = await plannedTypes([`role:${role}`]);
      // The role, and the sets it needs (created when missing, matched when built in).
      expect(one.filter((i) => i.selected).map((i) => `${i.type}:${i.id}`)).toEqual([
        `role:${role}`,
      ]);
      expect(new Set(one.map((i) => i.type))).toEqual(
        new Set(['role', 'permission_set', 'model_set']),
      );
      const groups = await plannedTypes(['--types', 'groups']);
      expect(groups.every((i) => i.type === 'group' && i.action === 'create')).toBe(true);
      expect(groups.length).toBe(SMALL_COUNTS.group);
    } finally {
      await other.close();
    }
  });

  it('on a terminal, the plan is confirmed first: "n" writes nothing, "y" restores', async () => {
    const other = await startSimulator({ seed: 5, empty: true, counts: NO_CONTENT });
    try {
      const env = {
        ...process.env,
        NODE_OPTIONS: '',
        NODE_ENV: 'production',
        NO_COLOR: '1',
        LOOKERVAULT_TO_CLIENT_ID: other.clientId,
        LOOKERVAULT_TO_CLIENT_SECRET: other.clientSecret,
      };
      const command = [
        process.execPath,
        CLI_PATH,
        'restore',
        'dashboard:3',
        '--db',
        db,
        '--to-base-url',
        other.url,
      ]
        .map((part) => `'${part}'`)
        .join(' ');
      // `script` runs the CLI on a pseudo-terminal, as a person would.
      const answer = async (reply: string): Promise<string> => {
        const child = spawn('script', ['-qec', command, '/dev/null'], {
          env,
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          if (out.includes('Restore now? [y/N]') && !child.stdin.writableEnded)
            child.stdin.end(`${reply}\n`);
        });
        await new Promise((resolve) => child.once('close', resolve));
        return out;
      };
      const declined = await answer('n');
      expect(declined).toContain('Restore now? [y/N]');
      expect(declined).toContain('Nothing restored.');
      expect(other.dataset.count('dashboard')).toBe(0);
      const accepted = await answer('y');
      expect(accepted).toMatch(/Restore run \d+ success/);
      expect(other.dataset.count('dashboard')).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('the dry run prints a row per item, the counts and the requests, and writes nothing', async () => {
    const other = await startSimulator({ seed: 5, empty: true, counts: NO_CONTENT });
    try {
      const result = await restore(['dashboard:3', '--to-base-url', other.url, '--dry-run'], {
        LOOKERVAULT_TO_CLIENT_ID: other.clientId,
        LOOKERVAULT_TO_CLIENT_SECRET: other.clientSecret,
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^TYPE\s+ID\s+TITLE\s+ACTION\s+TARGET\s+WHY/m);
      expect(result.stdout).toMatch(/^dashboard\s+3\s.*\screate\s+-\s+not in the target$/m);
      expect(result.stdout).toMatch(
        /^\d+ items: create \d+, update 0, undelete 0, copy 0, skip \d+/m,
      );
      expect(result.stdout).toMatch(
        /^Requests: about \d+ to write \(\d+ spent reading the target\)\.$/m,
      );
      const writes = Object.entries(other.stats().requests.byOperation).filter(([op]) =>
        /^(create|update|delete|move)_/.test(op),
      );
      expect(writes).toEqual([]);
      expect(other.dataset.count('dashboard')).toBe(0);
    } finally {
      await other.close();
    }
  });
});
