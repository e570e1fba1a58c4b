import { describe, expect, it } from '@jest/globals';
import { indentJson } from '../../../src/export/indent-json.js';
import { canonicalJson } from '../../../src/store/canonical.js';

describe('indentJson: compact JSON indented as JSON.stringify(…, null, 2) would', () => {
  const samples: unknown[] = [
    {},
    [],
    { a: 1 },
    { a: [], b: {}, c: [1, [2, []], { d: null }], e: 'x' },
    { 'quote"in:key,': 'value with {braces}, [brackets], "quotes": and \\ backslash \\"' },
    { nested: { deeper: { deepest: [true, false, null, -1.5e-7, 0] } } },
    { unicode: 'é 😀 \u2028 \u0001', text: '\n\t' },
    [{ a: 1 }, { b: [{}] }, 'tail'],
    'a string',
    42,
    null,
  ];
  it.each(samples.map((value) => [JSON.stringify(value), value]))('%s', (_label, value) => {
    const compact = canonicalJson(value);
    expect(indentJson(compact)).toBe(JSON.stringify(JSON.parse(compact), null, 2));
  });

  it('keeps the stored order of keys that look like integers', () => {
    const compact = '{"10":"b","2":"a","x":1}';
    expect(indentJson(compact)).toBe('{\n  "10": "b",\n  "2": "a",\n  "x": 1\n}');
    expect(JSON.parse(indentJson(compact))).toEqual(JSON.parse(compact));
  });

  it('a generated dashboard-sized document round-trips', () => {
    const dashboard = {
      id: '42',
      title: 'Revenue, "net" [EU]: {draft}',
      dashboard_elements: Array.from({ length: 40 }, (_, i) => ({
        id: String(i),
        title: `Tile ${String(i)} \\ "quoted"`,
        query: { fields: ['a.b', 'c.d'], filters: { 'a.b': '>=10,<20' }, limit: '500' },
        vis_config: { series: [], colors: ['#fff', '#000'], empty: {} },
      })),
    };
    const compact = canonicalJson(dashboard);
    expect(indentJson(compact)).toBe(JSON.stringify(JSON.parse(compact), null, 2));
  });
});
