import { describe, expect, it } from '@jest/globals';
import { FieldsSyntaxError, parseFields, project } from '../../../src/sim/fields.js';
import {
  BadRequest,
  compareValues,
  matches,
  parseMatcher,
  parseSorts,
  resolvePaging,
} from '../../../src/sim/search.js';

describe('paging parameters', () => {
  it('limit/offset win over page/per_page; page/per_page map to offset (page-1)*per_page', () => {
    expect(resolvePaging({ limit: 10, offset: 20, page: 5, per_page: 7 })).toEqual({
      offset: 20,
      limit: 10,
    });
    expect(resolvePaging({ page: 3, per_page: 25 })).toEqual({ offset: 50, limit: 25 });
    expect(resolvePaging({ per_page: 25 })).toEqual({ offset: 0, limit: 25 });
    expect(resolvePaging({ offset: 5 })).toEqual({ offset: 5, limit: undefined });
    expect(resolvePaging({})).toEqual({ offset: 0, limit: undefined });
  });

  it('rejects negative limits and offsets and pages below 1', () => {
    expect(() => resolvePaging({ limit: -1 })).toThrow(BadRequest);
    expect(() => resolvePaging({ offset: -1 })).toThrow(BadRequest);
    expect(() => resolvePaging({ page: 0, per_page: 10 })).toThrow(BadRequest);
  });
});

describe('sorts', () => {
  it('parses "field", "field asc", "field desc", comma-separated', () => {
    expect(parseSorts('title, id desc,created_at ASC')).toEqual([
      { field: 'title', desc: false },
      { field: 'id', desc: true },
      { field: 'created_at', desc: false },
    ]);
    expect(() => parseSorts('title sideways')).toThrow(BadRequest);
  });

  it('orders nulls first, numeric ids numerically, strings case-insensitively', () => {
    expect(['10', '9', '100', null, '2'].sort(compareValues)).toEqual([
      null,
      '2',
      '9',
      '10',
      '100',
    ]);
    expect(['b', 'A', 'c'].sort(compareValues)).toEqual(['A', 'b', 'c']);
    expect([true, false].sort(compareValues)).toEqual([false, true]);
  });
});

describe('search filter values', () => {
  it('match case-insensitively, with % and _ wildcards, and IS NULL / NOT NULL', () => {
    expect(matches(parseMatcher('sales overview'), 'Sales Overview')).toBe(true);
    expect(matches(parseMatcher('Sales%'), 'sales overview')).toBe(true);
    expect(matches(parseMatcher('%view'), 'Sales Overview')).toBe(true);
    expect(matches(parseMatcher('S_les'), 'Sales')).toBe(true);
    expect(matches(parseMatcher('Sales'), 'Sales Overview')).toBe(false);
    expect(matches(parseMatcher('IS NULL'), null)).toBe(true);
    expect(matches(parseMatcher('NOT NULL'), null)).toBe(false);
    expect(matches(parseMatcher('true'), true)).toBe(true);
    expect(matches(parseMatcher('42'), '42')).toBe(true);
    expect(matches(parseMatcher('a.b+c'), 'a.b+c')).toBe(true);
    expect(matches(parseMatcher('a.b%'), 'axb')).toBe(false);
  });
});

describe('fields', () => {
  it('parses nested selections', () => {
    const tree = parseFields('id, title ,dashboard_elements(id,query(id,model)),folder');
    expect([...tree.keys()]).toEqual(['id', 'title', 'dashboard_elements', 'folder']);
    const elements = tree.get('dashboard_elements');
    expect(elements instanceof Map && [...elements.keys()]).toEqual(['id', 'query']);
  });

  it('projects objects, maps arrays, and leaves out what the item lacks', () => {
    const item = {
      id: '1',
      title: 't',
      extra: 1,
      list: [
        { id: 'a', x: 1 },
        { id: 'b', x: 2 },
      ],
      folder: { id: 'f', name: 'n' },
    };
    expect(project(item, parseFields('id,list(id),folder(name),missing'))).toEqual({
      id: '1',
      list: [{ id: 'a' }, { id: 'b' }],
      folder: { name: 'n' },
    });
  });

  it('rejects unbalanced parentheses', () => {
    expect(() => parseFields('id,folder(id')).toThrow(FieldsSyntaxError);
    expect(() => parseFields('id)')).toThrow(FieldsSyntaxError);
    expect(() => parseFields('(id)')).toThrow(FieldsSyntaxError);
    expect(() => parseFields('a(b)c')).toThrow(FieldsSyntaxError);
  });
});
