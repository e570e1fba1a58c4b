import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CONTENT_TYPES, type ContentType } from '../../../src/content-types.js';
import { LookerClient } from '../../../src/looker/client.js';
import { REGISTRY, type ParsedItem } from '../../../src/looker/registry.js';
import type { LookerSettings } from '../../../src/looker/settings.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { expectedItem, simIds } from '../extract/harness.js';

/**
 * The registry against the simulator, which plays Looker from the OpenAPI spec alone: a
 * wrong operation, parameter or field in the table fails here instead of being mirrored.
 */

let sim: RunningSimulator;
let client: LookerClient;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 7,
    counts: {
      dashboard: 45,
      look: 30,
      folder: 12,
      board: 9,
      user: 14,
      group: 8,
      role: 6,
      permission_set: 5,
      model_set: 5,
      lookml_model: 3,
      exploresPerModel: 4,
      scheduled_plan: 25,
      lookmlDashboards: 3,
    },
    invalidItems: { look: { '4': 'id-number' }, group: { '2': 'missing-id' } },
  });
  const settings: LookerSettings = {
    baseUrl: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    verifySsl: true,
    timeoutSeconds: 30,
    sources: { baseUrl: 't', clientId: 't', clientSecret: 't', verifySsl: 't', timeout: 't' },
    notices: [],
  };
  client = LookerClient.create(settings, { poolSize: 4 });
});

afterAll(async () => {
  await client.close();
  await sim.close();
});

const PAGE = 7;

/** Everything a type's listing yields, hydrated with the detail call when the table says so. */
async function extractAll(
  type: ContentType,
): Promise<Array<ParsedItem | { ok: false; id?: string }>> {
  const spec = REGISTRY[type];
  const listing = spec.listing;
  let raw: unknown[] = [];
  if (listing.kind === 'paged') {
    for (let offset = 0; ; offset += PAGE) {
      const page = await listing.fetchPage(client, { offset, limit: PAGE });
      raw.push(...page);
      if (page.length < PAGE) break;
    }
  } else {
    const parents = (await extractAll(listing.parent)).filter((p): p is ParsedItem => p.ok);
    const ids = parents.flatMap((parent) => listing.childIds(parent));
    raw = await Promise.all(ids.map((id) => spec.fetchById(client, id)));
    return raw.map((item) => spec.parseItem(item));
  }
  if (spec.needsDetail) {
    const ids = raw.map((item) => String((item as { id: unknown }).id));
    raw = await Promise.all(ids.map((id) => spec.fetchById(client, id)));
  }
  return raw.map((item) => spec.parseItem(item));
}

const sorted = (ids: Iterable<string>) => [...ids].sort();
const validIds = (items: Array<ParsedItem | { ok: false }>) =>
  items.flatMap((item) => (item.ok ? [item.id] : []));

describe('the registry against the simulator', () => {
  it.each(CONTENT_TYPES)('lists every %s, complete and valid', async (type) => {
    const items = await extractAll(type);
    const expected = simIds(sim, type)
      // search_dashboards lists user-defined dashboards only; LookML ones come from listIds.
      .filter((id) => !(type === 'dashboard' && id.includes('::')))
      .filter((id) => !(type === 'look' && id === '4') && !(type === 'group' && id === '2'));
    expect(sorted(validIds(items))).toEqual(sorted(expected));
    for (const item of items.filter((i): i is ParsedItem => i.ok).slice(0, 3)) {
      // Folders without the dashboards and looks folder(id) embeds (backed up as their own
      // items), user attributes with their group values, a folder's access from its parts.
      expect(item.value).toEqual(expectedItem(sim, type, item.id));
    }
  });

  it.each(CONTENT_TYPES)('listIds(%s) returns every current id that has one', async (type) => {
    const ids = await REGISTRY[type].listIds(client);
    // Group "2" is served without an id (skipped); look "4" with a numeric id (kept as "4").
    const expected = simIds(sim, type).filter((id) => !(type === 'group' && id === '2'));
    expect(sorted(ids)).toEqual(sorted(expected));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('fetches a LookML dashboard found by listIds in full with dashboard(id)', async () => {
    const lookmlId = sim.dataset.ids('dashboard').find((id) => id.includes('::'));
    if (lookmlId === undefined) throw new Error('the simulator should serve LookML dashboards');
    const item = REGISTRY.dashboard.parseItem(await REGISTRY.dashboard.fetchById(client, lookmlId));
    expect(item).toMatchObject({ ok: true, id: lookmlId });
  });

  it('reports an item with a numeric id or no id instead of failing', async () => {
    const look = REGISTRY.look.parseItem(await REGISTRY.look.fetchById(client, '4'));
    expect(look).toMatchObject({ ok: false, id: '4' });
    const groups = await extractAll('group');
    const invalid = groups.filter((item) => !item.ok);
    expect(invalid).toHaveLength(1);
    expect(invalid[0]).not.toHaveProperty('id');
  });
});
