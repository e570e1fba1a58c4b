import { describe, expect, it } from '@jest/globals';
import type { CollectionName } from '../../../src/sim/data/collection.js';
import { isoTime } from '../../../src/sim/data/world.js';
import { Dataset } from '../../../src/sim/dataset.js';
import { resolveOptions } from '../../../src/sim/options.js';
import { Rng, hash3 } from '../../../src/sim/prng.js';
import { Spec } from '../../../src/sim/spec.js';
import type { SimulatorOptions } from '../../../src/sim/types.js';

const spec = Spec.load();
const dataset = (options: SimulatorOptions = {}) => new Dataset(resolveOptions(options), spec);

describe('seeded random streams', () => {
  it('the same (seed, stream, index) always draws the same numbers; neighbours differ', () => {
    const draw = (seed: number, index: number) => {
      const rng = Rng.for(seed, 3, index);
      return [rng.next(), rng.next(), rng.float(), rng.slug(22)];
    };
    expect(draw(1, 5)).toEqual(draw(1, 5));
    expect(draw(1, 5)).not.toEqual(draw(1, 6));
    expect(draw(1, 5)).not.toEqual(draw(2, 5));
    expect(hash3(1, 2, 3)).toBe(hash3(1, 2, 3));
  });

  it('floats are uniform in [0, 1) and slugs are alphanumeric', () => {
    const rng = new Rng(99);
    const buckets = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const f = rng.float();
      if (f < 0 || f >= 1) outside++;
      else buckets[Math.floor(f * 10)] = (buckets[Math.floor(f * 10)] ?? 0) + 1;
    }
    expect(outside).toBe(0);
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(600);
    expect(rng.slug(64)).toMatch(/^[a-zA-Z0-9]{64}$/);
  });
});

describe('timestamps', () => {
  it('isoTime matches Date#toISOString in Looker’s +00:00 form', () => {
    const rng = new Rng(5);
    const times = Array.from(
      { length: 2000 },
      () => Date.UTC(1999, 0, 1) + Math.floor(rng.float() * 50 * 365 * 86_400_000),
    );
    expect(times.map(isoTime)).toEqual(
      times.map((ms) => new Date(ms).toISOString().replace('Z', '+00:00')),
    );
    expect(isoTime(Date.UTC(2024, 1, 29, 23, 59, 59, 999))).toBe('2024-02-29T23:59:59.999+00:00');
  });
});

describe('directly written JSON', () => {
  const ds = dataset({ seed: 3, counts: { dashboard: 300, look: 200 } });
  const sample = (name: CollectionName) =>
    Array.from({ length: Math.min(60, ds.total(name)) }, (_, i) => i);

  it.each(['dashboard', 'lookml_dashboard', 'look'] as const)(
    '%s: every shape is canonical JSON, equal to stringifying its object form',
    (name) => {
      for (const index of sample(name)) {
        for (const variant of ['detail', 'summary', 'base'] as const) {
          if (variant === 'base' && name === 'look') continue;
          const text = ds.json(name, index, variant).toString('utf8');
          const parsed = JSON.parse(text) as Record<string, unknown>;
          expect(JSON.stringify(parsed)).toBe(text);
          expect(parsed).toEqual(ds.item(name, index, variant));
        }
      }
    },
  );

  it('the abbreviated dashboard is the detail without tiles, filters and layouts; base is DashboardBase', () => {
    const detail = ds.item('dashboard', 4, 'detail');
    const heavy = new Set(['dashboard_elements', 'dashboard_filters', 'dashboard_layouts']);
    expect([...heavy].every((key) => Array.isArray(detail[key]))).toBe(true);
    const rest = Object.fromEntries(Object.entries(detail).filter(([key]) => !heavy.has(key)));
    expect(ds.item('dashboard', 4, 'summary')).toEqual(rest);
    expect(Object.keys(ds.item('dashboard', 4, 'base'))).toEqual(
      spec.properties('DashboardBase').filter((key) => key in rest),
    );
  });
});

describe('item sizes', () => {
  it('dashboards are typically 8–40 KB with a mean near 15 KB, and about 0.5% are 150–400 KB outliers', () => {
    const ds = dataset({ seed: 1, counts: { dashboard: 4000 }, bodyCacheBytes: 0 });
    const sizes = Array.from(
      { length: 4000 },
      (_, i) => ds.json('dashboard', i, 'detail').length,
    ).sort((a, b) => a - b);
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    const at = (p: number) => sizes[Math.floor(p * (sizes.length - 1))] ?? 0;
    const outliers = sizes.filter((s) => s >= 150_000);
    expect(mean).toBeGreaterThan(13_000);
    expect(mean).toBeLessThan(19_000);
    expect(at(0.1)).toBeGreaterThan(7_000);
    expect(at(0.95)).toBeLessThan(42_000);
    expect(outliers.length).toBeGreaterThanOrEqual(8);
    expect(outliers.length).toBeLessThanOrEqual(35);
    expect(Math.max(...sizes)).toBeLessThan(420_000);
  });

  it('looks are a few KB with their query; explores are tens to a couple of hundred KB', () => {
    const ds = dataset({ seed: 1, counts: { lookml_model: 8, exploresPerModel: 10 } });
    const looks = Array.from({ length: 200 }, (_, i) => ds.json('look', i, 'detail').length);
    expect(Math.min(...looks)).toBeGreaterThan(2_000);
    expect(Math.max(...looks)).toBeLessThan(8_000);
    const explores = Array.from({ length: 80 }, (_, i) => ds.json('explore', i, 'detail').length);
    expect(Math.min(...explores)).toBeGreaterThan(10_000);
    expect(Math.max(...explores)).toBeLessThan(400_000);
    expect(Math.max(...explores)).toBeGreaterThan(150_000);
  });
});

describe('laziness', () => {
  it('a huge instance starts instantly and serves any item without generating the others', () => {
    const ds = dataset({ counts: { dashboard: 10_000_000, look: 10_000_000 } });
    expect(ds.total('dashboard')).toBe(10_000_000);
    const last = ds.item('dashboard', 9_999_999, 'summary');
    expect(last.id).toBe('10000000');
    expect(ds.find('look', '7654321')).toBe(7_654_320);
  });
});
