import { describe, expect, it } from '@jest/globals';
import { TreeLayout } from '../../../src/export/layout.js';
import { safeName } from '../../../src/export/names.js';

describe('safeName: valid and distinct on Linux, macOS and Windows', () => {
  it.each([
    ['Revenue / Q3: "final"?', 'Revenue _ Q3_ _final__'],
    ['a<b>c|d*e\\f', 'a_b_c_d_e_f'],
    ['  spaced   out\tname  ', 'spaced out name'],
    ['trailing dots...', 'trailing dots'],
    ['CON', 'CON_'],
    ['nul.json', 'nul.json_'],
    ['com1', 'com1_'],
    ['', '_'],
    ['..', '_'],
    ['tab\u0001bell\u007f', 'tab_bell_'],
    ['model::explore', 'model__explore'],
  ])('%j → %j', (input, expected) => {
    expect(safeName(input)).toBe(expected);
  });

  it('writes names in NFC and caps them at 80 characters', () => {
    expect(safeName('Cafe\u0301')).toBe('Caf\u00e9');
    const long = safeName('é'.repeat(200));
    expect(Array.from(long)).toHaveLength(80);
  });
});

describe('TreeLayout: where each item goes', () => {
  const folders = [
    { id: '1', name: 'Shared', parentId: null },
    { id: '2', name: 'Users', parentId: null },
    { id: '10', name: 'Marketing', parentId: '1' },
    { id: '11', name: 'marketing', parentId: '1' },
    { id: '12', name: 'dashboards', parentId: '10' },
    { id: '13', name: '_folder', parentId: '10' },
    { id: '20', name: 'Jane Doe', parentId: '2' },
    { id: '21', name: 'Jane Doe', parentId: '2' },
  ];
  const layout = new TreeLayout(folders);

  it('mirrors the folders; siblings that differ only in case, and our own names, get their id', () => {
    expect(layout.pathOf({ type: 'folder', id: '10', name: 'Marketing', folderId: '1' })).toBe(
      'Shared/Marketing ~10/_folder',
    );
    expect(layout.directoryOf('11')).toBe('Shared/marketing ~11');
    expect(layout.directoryOf('12')).toBe('Shared/Marketing ~10/dashboards ~12');
    expect(layout.directoryOf('13')).toBe('Shared/Marketing ~10/_folder ~13');
    expect(layout.directoryOf('20')).toBe('Users/Jane Doe ~20');
    expect(layout.directoryOf('21')).toBe('Users/Jane Doe ~21');
  });

  it('dashboards by slug, looks by id and title, the rest under _<type>/', () => {
    expect(
      layout.pathOf({ type: 'dashboard', id: '5', name: 'Sales', folderId: '1', slug: 'aBc123' }),
    ).toBe('Shared/dashboards/aBc123');
    // Another slug equal but for case would share the file on macOS and Windows.
    expect(
      layout.pathOf({ type: 'dashboard', id: '6', name: 'Other', folderId: '1', slug: 'abc123' }),
    ).toBe('Shared/dashboards/abc123 ~6');
    expect(
      layout.pathOf({ type: 'dashboard', id: '7', name: 'No slug', folderId: '1', slug: null }),
    ).toBe('Shared/dashboards/7');
    expect(layout.pathOf({ type: 'look', id: '17', name: 'Top: 10?', folderId: '20' })).toBe(
      'Users/Jane Doe ~20/looks/17-Top_ 10_',
    );
    expect(
      layout.pathOf({ type: 'dashboard', id: 'sales::overview', name: 'O', folderId: 'lookml' }),
    ).toBe('_unfiled/dashboards/sales__overview');
    expect(layout.pathOf({ type: 'user', id: '3', name: 'Ann Lee', folderId: null })).toBe(
      '_users/3-Ann Lee',
    );
    expect(layout.pathOf({ type: 'scheduled_plan', id: '9', name: null, folderId: null })).toBe(
      '_scheduled_plans/9-_',
    );
  });

  it('gives the same paths for the same snapshot, whatever order the folders come in', () => {
    const again = new TreeLayout([...folders].reverse());
    for (const folder of folders)
      expect(again.directoryOf(folder.id)).toBe(layout.directoryOf(folder.id));
  });
});
