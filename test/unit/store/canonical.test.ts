import { describe, expect, it } from '@jest/globals';
import {
  canonicalJson,
  contentHash,
  exactCanonicalJson,
  makeItemWrite,
} from '../../../src/store/canonical.js';

/** A seeded PRNG, so the generated cases are the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 5 : 7));
  const keys = [
    'id',
    'title',
    'b',
    'A',
    'é',
    'a_b',
    'z',
    '',
    'can',
    'query',
    '1x',
    '日本',
    '10',
    '2',
  ];
  switch (pick) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
      return Math.round((next() - 0.5) * 1e6) / 100;
    case 3:
      return `s${Math.floor(next() * 1000)}"\n\u2028😀`;
    case 4:
      return '';
    case 5:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      const n = Math.floor(next() * 6);
      for (let i = 0; i < n; i++) {
        out[keys[Math.floor(next() * keys.length)] as string] = randomValue(next, depth + 1);
      }
      return out;
    }
  }
}

/** The same object with its keys inserted in reverse order, at every depth. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).reverse()) {
      out[key] = reversed((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}

describe('canonicalJson', () => {
  it('writes the same string whatever key order the server used', () => {
    const a = { id: '1', title: 'Sales', elements: [{ b: 1, a: 2 }], can: { edit: true } };
    const b = { can: { edit: true }, elements: [{ a: 2, b: 1 }], title: 'Sales', id: '1' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe(
      '{"can":{"edit":true},"elements":[{"a":2,"b":1}],"id":"1","title":"Sales"}',
    );
  });

  it('keeps arrays in order and writes no whitespace', () => {
    expect(canonicalJson({ list: [3, 1, 2], nested: [[{ y: 1, x: 0 }]] })).toBe(
      '{"list":[3,1,2],"nested":[[{"x":0,"y":1}]]}',
    );
  });

  it('sorts keys by UTF-16 code units, integer-like keys included', () => {
    expect(canonicalJson({ '2': 'b', '10': 'a', b: 1, B: 2, é: 3 })).toBe(
      '{"10":"a","2":"b","B":2,"b":1,"é":3}',
    );
  });

  it('drops undefined members, writes null for undefined array slots and non-finite numbers', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, Number.NaN, Infinity], c: -0 })).toBe(
      '{"b":[null,null,null],"c":0}',
    );
  });

  it('honours toJSON, as JSON.stringify does', () => {
    expect(canonicalJson({ at: new Date('2024-01-02T03:04:05.000Z') })).toBe(
      '{"at":"2024-01-02T03:04:05.000Z"}',
    );
  });

  it('escapes strings exactly as JSON.stringify does', () => {
    const text = 'quote " backslash \\ newline \n tab \t nul \u0000 emoji 😀 lone \ud800';
    expect(canonicalJson({ text })).toBe(`{"text":${JSON.stringify(text)}}`);
  });

  it('round-trips: parsing the canonical form gives back the same data', () => {
    const next = random(42);
    for (let i = 0; i < 200; i++) {
      const value = randomValue(next, 0);
      expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
    }
  });

  it('is stable under key reordering and agrees with the exact writer on generated data', () => {
    const next = random(7);
    for (let i = 0; i < 300; i++) {
      const value = randomValue(next, 0);
      const canonical = canonicalJson(value);
      expect(canonicalJson(reversed(value))).toBe(canonical);
      expect(exactCanonicalJson(value)).toBe(canonical);
    }
  });

  it('sorts objects with many keys (past the insertion-sort size) the same way', () => {
    const next = random(11);
    for (const size of [24, 25, 200]) {
      const value: Record<string, unknown> = {};
      for (let i = 0; i < size; i++) {
        const key = [`k${Math.floor(next() * 1e6)}`, String(i), `Ä${i}`, `_${i}`][i % 4] as string;
        value[key] = { [`z${i}`]: i, [`a${i}`]: [i, { y: 1, x: 2 }] };
      }
      const canonical = canonicalJson(value);
      expect(canonical).toBe(exactCanonicalJson(value));
      expect(canonicalJson(reversed(value))).toBe(canonical);
      expect(Object.keys(JSON.parse(canonical) as object)).toHaveLength(size);
    }
  });

  it('rejects a cycle with a TypeError', () => {
    const value: Record<string, unknown> = { a: 1 };
    value.self = value;
    expect(() => canonicalJson(value)).toThrow(TypeError);
  });

  it('rejects BigInt and values with no JSON form', () => {
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });
});

describe('contentHash', () => {
  it('is the SHA-256 hex of the UTF-8 text', () => {
    expect(contentHash('')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(contentHash('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    // UTF-8, not UTF-16: 'é' is the two bytes c3 a9.
    expect(contentHash('é')).toBe(
      '4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c',
    );
  });

  it('changes when the content changes and not when only key order does', () => {
    const a = contentHash(canonicalJson({ x: 1, y: 2 }));
    expect(contentHash(canonicalJson({ y: 2, x: 1 }))).toBe(a);
    expect(contentHash(canonicalJson({ x: 1, y: 3 }))).not.toBe(a);
  });
});

describe('makeItemWrite', () => {
  it('stores canonical JSON, its hash and its size in UTF-8 bytes', () => {
    const write = makeItemWrite(
      { title: 'Ventes é', id: '5' },
      {
        id: '5',
        name: 'Ventes é',
        folderId: null,
        ownerId: null,
        createdAt: null,
        updatedAt: null,
        deleted: false,
      },
    );
    expect(write.json).toBe('{"id":"5","title":"Ventes é"}');
    expect(write.hash).toBe(contentHash(write.json));
    expect(write.size).toBe(write.json.length + 1);
  });
});
