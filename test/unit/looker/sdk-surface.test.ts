import { describe, expect, it } from '@jest/globals';
import { Looker40SDK } from '@looker/sdk';
import { CONTENT_TYPES } from '../../../src/content-types.js';
import { LookerClient, type ApiCaller } from '../../../src/looker/client.js';
import { explicitSettings } from '../../../src/looker/settings.js';
import { REGISTRY } from '../../../src/looker/registry.js';

/**
 * lookervault depends on the official SDK only through its public surface: `Looker40SDK`'s
 * typed methods on top of our own `ITransport` and `IAuthSession`. This test fails when an SDK
 * upgrade removes or renames a method the registry calls, before any request is sent.
 */

/**
 * An ApiCaller that records every SDK method the registry invokes, on the real Looker40SDK our
 * client builds over its own transport and session (no request is sent).
 */
function recordingApi(sdk: Looker40SDK): { api: ApiCaller; called: Set<string> } {
  const called = new Set<string>();
  const api: ApiCaller = {
    async call(operation, invoke) {
      const recorder = new Proxy(sdk, {
        get(target, name: string) {
          called.add(name);
          const member = (target as unknown as Record<string, unknown>)[name];
          if (typeof member !== 'function') {
            throw new Error(`Looker40SDK has no method ${name} (called for ${operation})`);
          }
          // Single objects where the registry reads one; lists elsewhere.
          const value =
            operation === 'lookml_model' || operation === 'content_metadata'
              ? {}
              : operation === 'folder'
                ? { content_metadata_id: '1' }
                : [];
          return () => Promise.resolve({ ok: true, value });
        },
      });
      const response = await invoke(recorder, { operation });
      if (!response.ok) throw new Error('unexpected failure');
      return response.value;
    },
  };
  return { api, called };
}

describe('the official SDK surface lookervault relies on', () => {
  it('has every Looker40SDK method the registry calls', async () => {
    const client = LookerClient.create(
      explicitSettings(
        { baseUrl: 'https://looker.invalid', clientId: 'id', clientSecret: 'secret' },
        'test',
      ),
      { poolSize: 1 },
    );
    expect(client.sdk).toBeInstanceOf(Looker40SDK);
    const { api, called } = recordingApi(client.sdk);
    for (const type of CONTENT_TYPES) {
      const spec = REGISTRY[type];
      if (spec.listing.kind === 'paged') await spec.listing.fetchPage(api, { offset: 0, limit: 1 });
      await spec.listIds(api);
      const id = type === 'explore' ? 'model::explore' : '1';
      await spec.fetchById(api, id);
      await spec.fetchItem(api, id);
    }
    expect([...called].sort()).toEqual(
      [
        'all_boards',
        'all_content_metadata_accesses',
        'all_dashboards',
        'all_folders',
        'all_lookml_models',
        'all_looks',
        'all_model_sets',
        'all_permission_sets',
        'all_roles',
        'all_scheduled_plans',
        'all_user_attribute_group_values',
        'all_user_attributes',
        'board',
        'content_metadata',
        'dashboard',
        'folder',
        'group',
        'look',
        'lookml_model',
        'lookml_model_explore',
        'model_set',
        'permission_set',
        'role',
        'scheduled_plan',
        'search_boards',
        'search_dashboards',
        'search_folders',
        'search_groups',
        'search_looks',
        'search_model_sets',
        'search_permission_sets',
        'search_roles',
        'search_scheduled_plans',
        'search_users',
        'user',
        'user_attribute',
      ].sort(),
    );
    await client.close();
  });
});
