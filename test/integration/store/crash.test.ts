import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseBusyError } from '../../../src/errors.js';
import { canonicalJson, contentHash } from '../../../src/store/canonical.js';
import { RunStore } from '../../../src/store/runs.js';
import { openVault } from '../../../src/store/vault.js';
import { makeTempDir } from '../../helpers/tmp.js';

/**
 * Crash safety, for real: a child process writes pages through the compiled writer (in its
 * worker thread) and is SIGKILLed mid-way, three times; each time the file must pass SQLite's
 * integrity check and hold whole pages only (every checkpointed page has all its items, no item
 * exists without its page's checkpoint). A last child resumes and finishes; the result must be
 * what one uninterrupted run stores. Needs `npm run build` (the child runs dist/).
 */

const CHILD = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'fixtures',
  'crash-writer.mjs',
);
// More than three crash lives can write (each stops after 48 pages), so none of them finishes.
const PAGES = 200;
const PER_PAGE = 25;

/** Must match itemValue() in the child. */
function itemValue(id: number) {
  return {
    id: String(id),
    title: `Dashboard ${id}`,
    body: `${id}:`.padEnd(2000, 'x'),
    tiles: [id, id * 2],
  };
}

interface ChildMessage {
  kind: 'writing' | 'finished';
  runId?: number;
  pid?: number;
  skipped?: number;
}

let dir: string;
let cleanup: () => void;
let file: string;

beforeAll(() => {
  ({ dir, cleanup } = makeTempDir('lookervault-crash-'));
  file = path.join(dir, 'looker.db');
});
afterAll(() => {
  cleanup();
});

function spawnWriter(mode: 'crash' | 'finish'): ChildProcess {
  return fork(CHILD, [file, String(PAGES), String(PER_PAGE), mode], {
    execArgv: [],
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function nextMessage(child: ChildProcess): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    child.once('message', (message) => {
      resolve(message as ChildMessage);
    });
    child.once('exit', (code, signal) => {
      reject(new Error(`writer child exited (${String(code ?? signal)}) before reporting`));
    });
  });
}

function exited(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
}

/** Opens the file as the next process would, and checks it holds whole pages only. */
function checkWholePages(): { pagesDone: number; items: number } {
  const vault = openVault(file, { create: false });
  try {
    expect(vault.integrityCheck()).toEqual({ ok: true, problems: [] });
    const done = new Set(
      vault.db
        .prepare<[], string>("SELECT unit_key FROM checkpoints WHERE status = 'done'")
        .pluck()
        .all(),
    );
    const items = vault.db
      .prepare<[], { id: string; content_hash: string }>(
        'SELECT id, content_hash FROM content_items',
      )
      .all();
    const stored = new Map(items.map((row) => [row.id, row.content_hash]));
    for (const unitKey of done) {
      const first = Number(unitKey.slice('offset:'.length));
      for (let id = first; id < first + PER_PAGE; id++) {
        expect(stored.get(String(id))).toBe(contentHash(canonicalJson(itemValue(id))));
      }
    }
    for (const row of items) {
      const pageStart = Math.floor(Number(row.id) / PER_PAGE) * PER_PAGE;
      expect(done.has(`offset:${pageStart}`)).toBe(true);
    }
    return { pagesDone: done.size, items: items.length };
  } finally {
    vault.close();
  }
}

describe('crash safety', () => {
  it('survives SIGKILL mid-write with whole pages only, refuses a second writer meanwhile, and resumes to a complete backup', async () => {
    let previousPages = 0;
    for (let life = 1; life <= 3; life++) {
      const child = spawnWriter('crash');
      const message = await nextMessage(child);
      expect(message).toMatchObject({ kind: 'writing', runId: 1 });

      if (life === 1) {
        // A second extract on the same database while the first one runs: a clear refusal.
        const vault = openVault(file, { create: true });
        try {
          const runs = new RunStore(vault);
          expect(runs.findResumable()).toBeUndefined();
          expect(() =>
            runs.start({ types: ['look'], config: {}, baseUrl: 'http://x', toolVersion: 't' }),
          ).toThrow(DatabaseBusyError);
          expect(() =>
            runs.start({ types: ['look'], config: {}, baseUrl: 'http://x', toolVersion: 't' }),
          ).toThrow(`pid ${String(child.pid)}`);
        } finally {
          vault.close();
        }
      }

      child.kill('SIGKILL');
      expect(await exited(child)).toEqual({ code: null, signal: 'SIGKILL' });
      const { pagesDone, items } = checkWholePages();
      expect(pagesDone).toBeGreaterThanOrEqual(previousPages);
      expect(pagesDone).toBeLessThan(PAGES);
      expect(items).toBe(pagesDone * PER_PAGE);
      previousPages = pagesDone;
    }

    const last = spawnWriter('finish');
    let finished: ChildMessage;
    do finished = await nextMessage(last);
    while (finished.kind !== 'finished');
    expect(finished.skipped).toBe(previousPages);
    expect(await exited(last)).toEqual({ code: 0, signal: null });

    expect(checkWholePages()).toEqual({ pagesDone: PAGES, items: PAGES * PER_PAGE });
    const vault = openVault(file, { readonly: true });
    try {
      const runs = new RunStore(vault);
      expect(runs.list(10)).toEqual([
        expect.objectContaining({ id: 1, status: 'success', resumeCount: 3 }),
      ]);
      expect(runs.typeStates(1)).toEqual([
        expect.objectContaining({
          type: 'dashboard',
          state: 'done',
          endOffset: PAGES * PER_PAGE,
          pagesDone: PAGES,
        }),
      ]);
    } finally {
      vault.close();
    }
  });
});
