import { describe, expect, it } from '@jest/globals';
import pLimit from 'p-limit';
import { openDatabase } from '../../src/store/sqlite.js';
import { Looker40SDK } from '@looker/sdk';

describe('toolchain', () => {
  it('loads ESM and CJS dependencies side by side', async () => {
    const limit = pLimit(2);
    const db = openDatabase(':memory:');
    const row = db.prepare('select 1 as one').get() as { one: number };
    expect(await limit(() => row.one)).toBe(1);
    expect(typeof Looker40SDK).toBe('function');
  });
});
