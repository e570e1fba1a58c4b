import { describe, expect, it } from '@jest/globals';
import { UsageError } from '../../../src/errors.js';
import { parseSelector } from '../../../src/restore/selectors.js';

describe('parseSelector', () => {
  it('reads TYPE:ID, with the plural and dashed spellings', () => {
    expect(parseSelector('dashboard:42')).toEqual({ type: 'dashboard', id: '42' });
    expect(parseSelector(' looks:17 ')).toEqual({ type: 'look', id: '17' });
    expect(parseSelector('folder:12')).toEqual({ type: 'folder', id: '12' });
    expect(parseSelector('scheduled-plan:9')).toEqual({ type: 'scheduled_plan', id: '9' });
    expect(parseSelector('Board:3')).toEqual({ type: 'board', id: '3' });
    // LookML dashboard ids contain a colon of their own.
    expect(parseSelector('dashboard:model::name')).toEqual({
      type: 'dashboard',
      id: 'model::name',
    });
  });

  it('refuses what is not a selector, with a hint that shows the syntax', () => {
    for (const bad of [
      'dashboard42',
      'dashboard:',
      ':42',
      'dashboard: 4 2',
      'explore:a::b',
      'user:1',
    ]) {
      expect(() => parseSelector(bad)).toThrow(UsageError);
    }
    try {
      parseSelector('dashboard42');
    } catch (error) {
      expect((error as UsageError).hint).toMatch(/dashboard:42, look:17, folder:12/);
    }
  });
});
