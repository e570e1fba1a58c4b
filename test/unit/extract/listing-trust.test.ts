import { describe, expect, it } from '@jest/globals';
import { ListingTrust, compareProbes, probeIndexes } from '../../../src/extract/listing-trust.js';
import { splitJsonArray } from '../../../src/looker/json-scan.js';

const detail = {
  id: '7',
  title: 'Sales',
  dashboard_elements: [{ id: '1' }],
  dashboard_filters: [],
};

describe('probing listing pages', () => {
  it('spreads the probes of a first page over it, and picks one item of later pages', () => {
    expect(probeIndexes(100, 3, 0)).toEqual([0, 50, 99]);
    expect(probeIndexes(2, 3, 0)).toEqual([0, 1]);
    expect(probeIndexes(100, 1, 7)).toEqual([7]);
    expect(probeIndexes(10, 1, 13)).toEqual([3]);
    expect(probeIndexes(0, 3, 0)).toEqual([]);
  });

  it('passes a page whose probed copies equal the detail, whatever the key order', () => {
    const copy = {
      dashboard_filters: [],
      dashboard_elements: [{ id: '1' }],
      title: 'Sales',
      id: '7',
    };
    expect(compareProbes([{ listed: copy, detail }], new Set())).toEqual({ ok: true });
  });

  it('names the keys a probed copy lacks or has different', () => {
    const copy = { id: '7', title: 'Sales (old)', dashboard_filters: [] };
    const verdict = compareProbes([{ listed: copy, detail }], new Set());
    expect(verdict).toEqual({
      ok: false,
      keys: ['dashboard_elements', 'title'],
      detailKeys: ['id', 'title', 'dashboard_elements', 'dashboard_filters'],
    });
  });

  it('fails a page where an item that was not probed lacks a nested part', () => {
    const verdict = compareProbes([{ listed: detail, detail }], new Set(['dashboard_elements']));
    expect(verdict).toMatchObject({ ok: false, keys: ['dashboard_elements'] });
  });
});

describe('ListingTrust', () => {
  const incomplete = {
    ok: false as const,
    keys: ['dashboard_elements'],
    detailKeys: ['id', 'dashboard_elements'],
  };

  it('probes three items until a page proved the listing, then one', () => {
    const trust = new ListingTrust(['dashboard'], 'auto');
    expect(trust.probeCount('dashboard')).toBe(3);
    trust.record('dashboard', 3, { ok: true });
    expect(trust.probeCount('dashboard')).toBe(1);
    expect(trust.decisions().dashboard).toEqual({
      source: 'listing',
      reason: null,
      fields: null,
      probes: 3,
      mismatches: 0,
    });
  });

  it('asks once with the detail keys as fields before giving up on the listing', () => {
    const trust = new ListingTrust(['dashboard'], 'auto');
    expect(trust.retryWithFields('dashboard', incomplete, ['id', 'title'])).toBe(
      'id,title,dashboard_elements',
    );
    trust.record('dashboard', 3, incomplete, false);
    expect(trust.usesListing('dashboard')).toBe(true);
    expect(trust.retryWithFields('dashboard', incomplete, ['id', 'title'])).toBeUndefined();
    trust.record('dashboard', 3, incomplete);
    expect(trust.usesListing('dashboard')).toBe(false);
    expect(trust.decisions().dashboard).toMatchObject({
      source: 'by-id',
      reason: 'listing pages lack or differ in dashboard_elements',
      fields: 'id,title,dashboard_elements',
      probes: 6,
      mismatches: 2,
    });
  });

  it('uses no listing at all with --fetch by-id, and says so', () => {
    const trust = new ListingTrust(['dashboard'], 'by-id');
    expect(trust.usesListing('dashboard')).toBe(false);
    expect(trust.decisions().dashboard?.reason).toMatch(/--fetch by-id/);
  });
});

describe('splitting a listing page without parsing it', () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  const parts = ['dashboard_elements', 'dashboard_filters'];

  it('gives each object its bytes, its string id and which parts it has at its top level', () => {
    const page =
      ' [{"id":"1","a":{"id":"x","dashboard_elements":[1]},"dashboard_elements":[],"t":"a,}b:\\"c"},' +
      '{"dashboard_filters":null,"id":"2","title":"Caf\u00e9"}] ';
    const items = splitJsonArray(encode(page), parts) ?? [];
    expect(items.map((item) => JSON.parse(decode(item.bytes)) as unknown)).toEqual(
      JSON.parse(page) as unknown[],
    );
    expect(items.map((item) => [item.id, [...item.has]])).toEqual([
      ['1', ['dashboard_elements']],
      ['2', ['dashboard_filters']],
    ]);
  });

  it('leaves the id out when it is not a plain string, and refuses what is not an array of objects', () => {
    expect(splitJsonArray(encode('[{"id":7,"x":"}"}]'), parts)?.[0]?.id).toBeUndefined();
    expect(splitJsonArray(encode('[]'), parts)).toEqual([]);
    expect(splitJsonArray(encode('{"id":"1"}'), parts)).toBeUndefined();
    expect(splitJsonArray(encode('[1,2]'), parts)).toBeUndefined();
  });
});
