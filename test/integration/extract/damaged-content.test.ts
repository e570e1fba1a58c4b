import { describe, expect, it } from '@jest/globals';
import { openDatabase } from '../../../src/store/sqlite.js';
import { openVault, verifyVault } from '../../../src/store/index.js';
import { extractInProcess, simulator, tempDb } from './harness.js';

/**
 * Stored content damaged after it was written (a flipped byte in `contents.json`, the hash
 * left as it was) is not "unchanged" when the server sends the same item again: the writer
 * compares the stored bytes with the ones it got, and writes them back (issue 15). Items an
 * incremental run does not fetch stay damaged until `--full` (and `verify` names them).
 */

/** Damages the current content of the type's first item; returns the content's id. */
function flipByte(db: string, type: string): number {
  const database = openDatabase(db);
  try {
    const row = database
      .prepare<[string], { id: number; item: string; json: string }>(
        `SELECT c.id, v.item_id AS item, c.json FROM item_versions v JOIN contents c ON c.id = v.content_id
          WHERE v.content_type = ? AND v.to_run IS NULL ORDER BY v.item_id LIMIT 1`,
      )
      .get(type);
    if (!row) throw new Error(`no ${type}`);
    // A letter inside a string value, swapped for another: same length, same hash column.
    const at = row.json.search(/":"[A-Za-z]/) + 3;
    const flipped = `${row.json.slice(0, at)}${row.json[at] === 'Q' ? 'R' : 'Q'}${row.json.slice(at + 1)}`;
    database.prepare('UPDATE contents SET json = ? WHERE id = ?').run(flipped, row.id);
    return row.id;
  } finally {
    database.close();
  }
}

function problems(db: string): string[] {
  const vault = openVault(db, { readonly: true });
  try {
    return verifyVault(vault).problems.map((problem) => problem.message);
  } finally {
    vault.close();
  }
}

function versions(db: string): number {
  const database = openDatabase(db, { readonly: true });
  try {
    return database.prepare<[], number>('SELECT count(*) FROM item_versions').pluck().get() ?? 0;
  } finally {
    database.close();
  }
}

describe('damaged stored content', () => {
  it('is written back when the same item is fetched again; an unfetched one waits for --full', async () => {
    const sim = await simulator({ seed: 4 });
    const db = tempDb();
    await extractInProcess(sim, db);
    const folder = flipByte(db, 'folder');
    const dashboard = flipByte(db, 'dashboard');
    const named = (id: number) => (message: string) => message.startsWith(`content ${String(id)}:`);
    expect(problems(db).filter(named(folder))).toHaveLength(1);
    expect(problems(db).filter(named(dashboard))).toHaveLength(1);
    const before = versions(db);

    // Folders are listed whole every run: the damaged one is repaired. The dashboard is not
    // fetched by an incremental run (nothing changed in Looker).
    const incremental = await extractInProcess(sim, db);
    expect(incremental.summary.status).toBe('success');
    const left = problems(db);
    expect(left.filter(named(folder))).toEqual([]);
    expect(left.filter(named(dashboard))).toHaveLength(1);

    const full = await extractInProcess(sim, db, { full: true });
    expect(full.summary.status).toBe('success');
    expect(problems(db)).toEqual([]);
    // Repaired in place: no new version, the content is the one its hash names.
    expect(versions(db)).toBe(before);
  }, 60_000);
});
