import path from 'node:path';
import { makeTempDir } from '../../helpers/tmp.js';
import { makeItemWrite } from '../../../src/store/canonical.js';
import { openVault } from '../../../src/store/vault.js';
import type { Vault } from '../../../src/store/vault.js';
import { RunStore } from '../../../src/store/runs.js';
import type { RunStoreOptions } from '../../../src/store/runs.js';
import type { ItemWrite, PageWrite } from '../../../src/store/types.js';

/** Small builders shared by the store's unit tests. */

export interface TempVault {
  dir: string;
  file: string;
  vault: Vault;
  cleanup: () => void;
}

export function tempVault(name = 'looker.db'): TempVault {
  const { dir, cleanup } = makeTempDir('lookervault-store-');
  const file = path.join(dir, name);
  const vault = openVault(file, { create: true, toolVersion: 'test' });
  return {
    dir,
    file,
    vault,
    cleanup: () => {
      vault.close();
      cleanup();
    },
  };
}

export function startRun(vault: Vault, options: RunStoreOptions = {}, types = ['dashboard']) {
  const runs = new RunStore(vault, options);
  const run = runs.start({
    types,
    config: { workers: 4 },
    baseUrl: 'https://looker.example.com',
    toolVersion: 'test',
  });
  return { runs, run };
}

export function item(id: string, content: Record<string, unknown> = {}): ItemWrite {
  const value = { id, title: `Item ${id}`, folder_id: '7', user_id: '3', ...content };
  return makeItemWrite(value, {
    id,
    name: value.title,
    folderId: '7',
    ownerId: '3',
    createdAt: '2024-01-01T00:00:00Z',
    updatedAt: null,
    deleted: content.deleted === true,
  });
}

export function page(
  unitKey: string,
  items: PageWrite['items'],
  extra: Partial<PageWrite> = {},
): PageWrite {
  return {
    type: 'dashboard',
    unitKey,
    rawCount: items.length,
    items,
    invalid: [],
    ...extra,
  };
}

export function count(vault: Vault, sql: string, ...params: unknown[]): number {
  return vault.db
    .prepare(sql)
    .pluck()
    .get(...params) as number;
}
