import { describe, expect, it } from '@jest/globals';
import { ListingTrust, compareProbes, probeIndexes } from '../../../src/extract/listing-trust.js';

const detail = {
  id: '7',
  title: 'Sales',
  dashboard_elements: [{ id: '1' }],
  dashboard_filters: [],
};

const PARTS = ['dashboard_elements', 'dashboard_filters'];

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
    expect(compareProbes([copy], [{ listed: copy, detail }], PARTS)).toEqual({ ok: true });
  });

  it('names the keys a probed copy lacks or has different', () => {
    const copy = { id: '7', title: 'Sales (old)', dashboard_filters: [] };
    const verdict = compareProbes([copy], [{ listed: copy, detail }], PARTS);
    expect(verdict).toEqual({
      ok: false,
      keys: ['dashboard_elements', 'title'],
      detailKeys: ['id', 'title', 'dashboard_elements', 'dashboard_filters'],
    });
  });

  it('lets an item lack an optional key, but not a nested part', () => {
    const probed = { ...detail, certification_metadata: { status: 'verified' } };
    const plain = { id: '8', title: 'Costs', dashboard_elements: [], dashboard_filters: [] };
    expect(compareProbes([probed, plain], [{ listed: probed, detail: probed }], PARTS)).toEqual({
      ok: true,
    });
  });

  it('fails a page where an item that was not probed lacks a nested part', () => {
    const probed = { ...detail };
    const other = { id: '8', title: 'Costs', dashboard_filters: [] };
    const verdict = compareProbes([probed, other], [{ listed: probed, detail }], PARTS);
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
    expect(trust.retryWithFields('dashboard', incomplete)).toBe('id,dashboard_elements');
    trust.record('dashboard', 3, incomplete, false);
    expect(trust.usesListing('dashboard')).toBe(true);
    expect(trust.retryWithFields('dashboard', incomplete)).toBeUndefined();
    trust.record('dashboard', 3, incomplete);
    expect(trust.usesListing('dashboard')).toBe(false);
    expect(trust.decisions().dashboard).toMatchObject({
      source: 'by-id',
      reason: 'listing pages lack or differ in dashboard_elements',
      fields: 'id,dashboard_elements',
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
