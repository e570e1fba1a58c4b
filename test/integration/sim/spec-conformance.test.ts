import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { SimClient } from './http.js';

/**
 * Every operation of the spec subset, sampled over the real HTTP API and validated against the
 * subset's own response schemas (ajv, OpenAPI `nullable` understood; formats not checked).
 */

interface RawOperation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
}
interface RawSpec {
  paths: Record<string, Record<string, RawOperation>>;
}

const specText = readFileSync(
  new URL('../../../src/sim/spec/looker-4.0-subset.oas.json', import.meta.url),
  'utf8',
);
const spec = JSON.parse(specText) as RawSpec;

/**
 * Two quirks of the official spec's generator, corrected before validating (the simulator sends
 * what Looker sends): an `enum` on an array property lists the allowed items (ajv would compare
 * the whole array to each string), and `nullable: true` admits null also when an `enum` is
 * present (OpenAPI 3.0.0's reading; ajv requires null in the enum).
 */
function correctSpecQuirks(node: unknown): void {
  if (Array.isArray(node)) {
    for (const child of node) correctSpecQuirks(child);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const schema = node as Record<string, unknown>;
  if (Array.isArray(schema.enum)) {
    if (schema.type === 'array' && schema.items && typeof schema.items === 'object') {
      (schema.items as Record<string, unknown>).enum = schema.enum;
      delete schema.enum;
    } else if (schema.nullable === true && !schema.enum.includes(null)) {
      schema.enum = [...(schema.enum as unknown[]), null];
    }
  }
  for (const child of Object.values(schema)) correctSpecQuirks(child);
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const corrected = JSON.parse(specText) as object;
correctSpecQuirks(corrected);
ajv.addSchema(corrected, 'spec');

/** Rewrites local refs so they point into the schema registered as "spec". */
function anchored(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"spec#/components/'));
}

const operations = new Map<string, { schema: unknown; status: string }>();
for (const methods of Object.values(spec.paths)) {
  for (const op of Object.values(methods)) {
    const [status, response] = Object.entries(op.responses).find(([code]) =>
      code.startsWith('2'),
    ) ?? ['', undefined];
    operations.set(op.operationId, {
      schema: response?.content?.['application/json']?.schema,
      status,
    });
  }
}
const validators = new Map<string, ValidateFunction>();
function validatorFor(operationId: string): ValidateFunction {
  let validate = validators.get(operationId);
  if (!validate) {
    validate = ajv.compile(anchored(operations.get(operationId)?.schema) as object);
    validators.set(operationId, validate);
  }
  return validate;
}
/** Operations of the subset the simulator leaves to a real Looker (see docs/sim.md). */
const UNPLAYED: readonly (readonly [string, string, string])[] = [
  ['import_lookml_dashboard', 'POST', '/dashboards/a::b/import/1'],
  ['search_lookml_dashboards', 'GET', '/dashboards/lookml/search'],
  ['dashboard_lookml', 'GET', '/dashboards/lookml/1'],
  ['create_dashboard_from_lookml', 'POST', '/dashboards/from_lookml'],
  ['search_alerts', 'GET', '/alerts/search'],
  ['get_alert', 'GET', '/alerts/1'],
  ['update_alert', 'PUT', '/alerts/1'],
  ['create_alert', 'POST', '/alerts'],
  ['all_content_metadatas', 'GET', '/content_metadata'],
];

const errorSchema = ajv.compile({ $ref: 'spec#/components/schemas/Error' });

let sim: RunningSimulator;
let client: SimClient;
const seen = new Set<string>();

beforeAll(async () => {
  sim = await startSimulator({
    seed: 7,
    counts: { dashboard: 150, look: 200, user: 40, folder: 30, scheduled_plan: 120 },
  });
  client = new SimClient(sim);
});

afterAll(async () => {
  await client.close();
  await sim.close();
});

async function expectValid(operationId: string, path: string): Promise<unknown> {
  const answer = await client.get(path);
  expect({ path, status: answer.status }).toEqual({ path, status: 200 });
  const body = JSON.parse(answer.text) as unknown;
  const validate = validatorFor(operationId);
  const valid = validate(body);
  if (!valid)
    throw new Error(`${operationId} ${path}: ${ajv.errorsText(validate.errors?.slice(0, 5))}`);
  seen.add(operationId);
  return body;
}

const enc = encodeURIComponent;

describe('every simulated operation answers as the spec declares', () => {
  it('login returns an AccessToken and logout answers 204', async () => {
    const login = await client.login();
    expect(login.status).toBe(200);
    expect(validatorFor('login')(JSON.parse(login.text))).toBe(true);
    const token = (JSON.parse(login.text) as { access_token: string }).access_token;
    const logout = await client.send('DELETE', '/logout', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(logout.status).toBe(204);
    seen.add('login').add('logout');
  });

  it('versions and me', async () => {
    await expectValid('versions', '/versions');
    const me = (await expectValid('me', '/user')) as { id: string };
    expect(me.id).toBe('1');
  });

  it('dashboards: list, search (live and trash), every detail including LookML ones and outliers', async () => {
    const all = (await expectValid('all_dashboards', '/dashboards')) as { id: string }[];
    expect(all.some((d) => d.id.includes('::'))).toBe(true);
    await expectValid('search_dashboards', '/dashboards/search?limit=100&offset=50');
    const trash = (await expectValid(
      'search_dashboards',
      '/dashboards/search?deleted=true',
    )) as unknown[];
    expect(trash.length).toBeGreaterThan(0);
    let largest = 0;
    for (const id of [...sim.dataset.ids('dashboard'), ...sim.dataset.deletedIds('dashboard')]) {
      const body = await expectValid('dashboard', `/dashboards/${enc(id)}`);
      largest = Math.max(largest, JSON.stringify(body).length);
    }
    expect(largest).toBeGreaterThan(150_000);
  });

  it('looks: list, search, every detail', async () => {
    await expectValid('all_looks', '/looks');
    await expectValid('search_looks', '/looks/search?limit=50&deleted=false');
    for (const id of sim.dataset.ids('look').slice(0, 60))
      await expectValid('look', `/looks/${id}`);
  });

  it('folders: tree operations on roots, personal and nested shared folders', async () => {
    await expectValid('all_folders', '/folders');
    await expectValid('search_folders', '/folders/search?limit=100');
    for (const id of ['1', '2', '3', sim.dataset.ids('folder').at(-1) ?? '1']) {
      await expectValid('folder', `/folders/${id}`);
      await expectValid('folder_children', `/folders/${id}/children?limit=20`);
      await expectValid('folder_ancestors', `/folders/${id}/ancestors`);
      await expectValid('folder_looks', `/folders/${id}/looks`);
      await expectValid('folder_dashboards', `/folders/${id}/dashboards`);
    }
  });

  it('boards, groups, users, roles, permission sets, model sets', async () => {
    await expectValid('all_boards', '/boards');
    await expectValid('search_boards', '/boards/search?limit=10');
    await expectValid('board', '/boards/1');
    await expectValid('all_groups', '/groups?limit=10');
    await expectValid('search_groups', '/groups/search?limit=10');
    await expectValid('group', '/groups/2');
    await expectValid('all_users', '/users?per_page=10&page=2');
    await expectValid('search_users', '/users/search?limit=10');
    await expectValid('user', '/users/1');
    await expectValid('user', '/users/7');
    await expectValid('all_roles', '/roles');
    await expectValid('search_roles', '/roles/search?limit=5');
    await expectValid('role', '/roles/1');
    await expectValid('role', '/roles/3');
    await expectValid('all_permission_sets', '/permission_sets');
    await expectValid('search_permission_sets', '/permission_sets/search?limit=5');
    await expectValid('permission_set', '/permission_sets/1');
    await expectValid('all_model_sets', '/model_sets');
    await expectValid('search_model_sets', '/model_sets/search?limit=5');
    await expectValid('model_set', '/model_sets/2');
  });

  it('LookML models and every explore', async () => {
    const models = (await expectValid('all_lookml_models', '/lookml_models?limit=50')) as {
      name: string;
      explores: { name: string }[];
    }[];
    expect(models.length).toBeGreaterThan(0);
    for (const model of models) {
      await expectValid('lookml_model', `/lookml_models/${model.name}`);
      for (const explore of model.explores) {
        await expectValid(
          'lookml_model_explore',
          `/lookml_models/${model.name}/explores/${explore.name}`,
        );
      }
    }
  });

  it('scheduled plans: all, search, detail, for a look and for a dashboard', async () => {
    const plans = (await expectValid('all_scheduled_plans', '/scheduled_plans?all_users=true')) as {
      id: string;
      look_id: string | null;
      dashboard_id: string | null;
    }[];
    await expectValid('search_scheduled_plans', '/scheduled_plans/search?all_users=true&limit=30');
    await expectValid('scheduled_plan', `/scheduled_plans/${plans[0]?.id ?? '1'}`);
    const forLook = plans.find(
      (p) => p.look_id !== null && sim.dataset.get('look', p.look_id) !== undefined,
    );
    const forDashboard = plans.find(
      (p) => p.dashboard_id !== null && sim.dataset.get('dashboard', p.dashboard_id) !== undefined,
    );
    const lookPlans = (await expectValid(
      'scheduled_plans_for_look',
      `/scheduled_plans/look/${forLook?.look_id ?? '1'}?all_users=true`,
    )) as unknown[];
    expect(lookPlans.length).toBeGreaterThan(0);
    await expectValid(
      'scheduled_plans_for_dashboard',
      `/scheduled_plans/dashboard/${forDashboard?.dashboard_id ?? '1'}?all_users=true`,
    );
  });

  it('error answers carry Looker’s error body', async () => {
    const unknown = await client.get('/dashboards/999999');
    expect(unknown.status).toBe(404);
    expect(errorSchema(JSON.parse(unknown.text))).toBe(true);
    const badLimit = await client.get('/dashboards/search?limit=ten');
    expect(badLimit.status).toBe(400);
    expect(errorSchema(JSON.parse(badLimit.text))).toBe(true);
    const anonymous = await client.send('GET', '/dashboards/1');
    expect(anonymous.status).toBe(401);
    expect(errorSchema(JSON.parse(anonymous.text))).toBe(true);
  });

  it('writes: every write a restore makes, answered as the spec declares, and kept', async () => {
    const valid = async (
      operationId: string,
      method: string,
      path: string,
      body?: unknown,
    ): Promise<Record<string, unknown>> => {
      const answer = await client.write(method, path, body);
      expect({
        operationId,
        status: answer.status,
        text: answer.status === 200 ? '' : answer.text,
      }).toEqual({
        operationId,
        status: 200,
        text: '',
      });
      const parsed = JSON.parse(answer.text) as Record<string, unknown>;
      const validate = validatorFor(operationId);
      if (!validate(parsed)) {
        throw new Error(`${operationId}: ${ajv.errorsText(validate.errors?.slice(0, 5))}`);
      }
      seen.add(operationId);
      return parsed;
    };
    const folder = await valid('create_folder', 'POST', '/folders', {
      name: 'Restored',
      parent_id: '1',
    });
    await valid('update_folder', 'PATCH', `/folders/${String(folder.id)}`, { name: 'Restored 2' });
    const query = await valid('create_query', 'POST', '/queries', {
      model: 'thelook',
      view: 'orders',
      fields: ['orders.count'],
    });
    await expectValid('query', `/queries/${String(query.id)}`);
    const merge = await valid('create_merge_query', 'POST', '/merge_queries', {
      source_queries: [{ query_id: query.id, name: 'a', merge_fields: [] }],
    });
    await expectValid('merge_query', `/merge_queries/${String(merge.id)}`);
    const look = await valid('create_look', 'POST', '/looks', {
      title: 'Look',
      folder_id: folder.id,
      query_id: query.id,
    });
    await valid('update_look', 'PATCH', `/looks/${String(look.id)}`, { deleted: true });
    await valid('move_look', 'PATCH', `/looks/${String(look.id)}/move?folder_id=1`);
    const dashboard = await valid('create_dashboard', 'POST', '/dashboards', {
      title: 'Dashboard',
      folder_id: folder.id,
    });
    const dashboardId = String(dashboard.id);
    await valid('update_dashboard', 'PATCH', `/dashboards/${dashboardId}`, { description: 'd' });
    await valid('move_dashboard', 'PATCH', `/dashboards/${dashboardId}/move?folder_id=1`);
    const filter = await valid('create_dashboard_filter', 'POST', '/dashboard_filters', {
      dashboard_id: dashboardId,
      name: 'Date',
      title: 'Date',
      type: 'date_filter',
    });
    await valid('update_dashboard_filter', 'PATCH', `/dashboard_filters/${String(filter.id)}`, {
      title: 'When',
    });
    const element = await valid('create_dashboard_element', 'POST', '/dashboard_elements', {
      dashboard_id: dashboardId,
      type: 'vis',
      query_id: query.id,
    });
    await valid('update_dashboard_element', 'PATCH', `/dashboard_elements/${String(element.id)}`, {
      title: 'Tile',
    });
    const layouts = (await expectValid(
      'dashboard_dashboard_layouts',
      `/dashboards/${dashboardId}/dashboard_layouts`,
    )) as { id: string }[];
    const layoutId = layouts[0]?.id ?? '';
    await expectValid('dashboard_layout', `/dashboard_layouts/${layoutId}`);
    const components = (await expectValid(
      'dashboard_layout_dashboard_layout_components',
      `/dashboard_layouts/${layoutId}/dashboard_layout_components`,
    )) as { id: string }[];
    await valid(
      'update_dashboard_layout_component',
      'PATCH',
      `/dashboard_layout_components/${components[0]?.id ?? ''}`,
      { row: 2, column: 4, width: 8, height: 6 },
    );
    await valid('update_dashboard_layout', 'PATCH', `/dashboard_layouts/${layoutId}`, { width: 1 });
    await valid('create_dashboard_layout', 'POST', '/dashboard_layouts', {
      dashboard_id: dashboardId,
      type: 'static',
    });
    const board = await valid('create_board', 'POST', '/boards', { title: 'Board' });
    await valid('update_board', 'PATCH', `/boards/${String(board.id)}`, { description: 'b' });
    const section = await valid('create_board_section', 'POST', '/board_sections', {
      board_id: board.id,
      title: 'Section',
    });
    await valid('create_board_item', 'POST', '/board_items', {
      board_section_id: section.id,
      dashboard_id: dashboardId,
    });
    await expectValid('all_board_sections', '/board_sections');
    await expectValid('all_board_items', `/board_items?board_section_id=${String(section.id)}`);
    const plan = await valid('create_scheduled_plan', 'POST', '/scheduled_plans', {
      name: 'Plan',
      dashboard_id: dashboardId,
      crontab: '0 6 * * *',
      scheduled_plan_destination: [
        { type: 'email', format: 'wysiwyg_pdf', address: 'a@example.com' },
      ],
    });
    await valid('update_scheduled_plan', 'PATCH', `/scheduled_plans/${String(plan.id)}`, {
      enabled: false,
    });
    const group = await valid('create_group', 'POST', '/groups', { name: 'Restored group' });
    await valid('update_group', 'PATCH', `/groups/${String(group.id)}`, {
      name: 'Restored group 2',
    });
    const permissionSet = await valid('create_permission_set', 'POST', '/permission_sets', {
      name: 'Restored permissions',
      permissions: ['access_data', 'see_looks'],
    });
    await valid('update_permission_set', 'PATCH', `/permission_sets/${String(permissionSet.id)}`, {
      permissions: ['access_data'],
    });
    const modelSet = await valid('create_model_set', 'POST', '/model_sets', {
      name: 'Restored models',
      models: ['thelook'],
    });
    await valid('update_model_set', 'PATCH', `/model_sets/${String(modelSet.id)}`, {
      models: ['thelook', 'finance'],
    });
    const role = await valid('create_role', 'POST', '/roles', {
      name: 'Restored role',
      permission_set_id: permissionSet.id,
      model_set_id: modelSet.id,
    });
    await valid('update_role', 'PATCH', `/roles/${String(role.id)}`, { name: 'Restored role 2' });
    // What was written is what later reads serve.
    const read = (await expectValid('dashboard', `/dashboards/${dashboardId}`)) as {
      dashboard_elements: { title: string }[];
      dashboard_filters: { title: string }[];
      folder_id: string;
    };
    expect(read.dashboard_elements.map((e) => e.title)).toEqual(['Tile']);
    expect(read.dashboard_filters.map((f) => f.title)).toEqual(['When']);
    expect(read.folder_id).toBe('1');
    for (const [operationId, path] of [
      ['delete_dashboard_element', `/dashboard_elements/${String(element.id)}`],
      ['delete_dashboard_filter', `/dashboard_filters/${String(filter.id)}`],
      ['delete_look', `/looks/${String(look.id)}`],
      ['delete_dashboard', `/dashboards/${dashboardId}`],
    ] as const) {
      const answer = await client.write('DELETE', path);
      expect({ operationId, status: answer.status }).toEqual({ operationId, status: 204 });
      seen.add(operationId);
    }
    expect((await client.get(`/dashboards/${dashboardId}`)).status).toBe(404);
  });

  it('user attributes and folder access: reads and writes, answered as the spec declares, and kept', async () => {
    const attributes = (await expectValid('all_user_attributes', '/user_attributes')) as {
      id: string;
      is_system: boolean;
    }[];
    const custom = attributes.find((a) => !a.is_system);
    if (!custom) throw new Error('no custom user attribute');
    await expectValid('user_attribute', `/user_attributes/${custom.id}`);
    await expectValid(
      'all_user_attribute_group_values',
      `/user_attributes/${custom.id}/group_values`,
    );
    const root = (await expectValid('content_metadata', '/content_metadata/100000')) as {
      inherits: boolean;
    };
    expect(root.inherits).toBe(false);
    await expectValid(
      'all_content_metadata_accesses',
      '/content_metadata_access?content_metadata_id=100000',
    );

    const written = async (
      operationId: string,
      method: string,
      path: string,
      body: unknown,
    ): Promise<unknown> => {
      const answer = await client.write(method, path, body);
      expect({ operationId, status: answer.status }).toEqual({ operationId, status: 200 });
      const parsed = JSON.parse(answer.text) as unknown;
      const validate = validatorFor(operationId);
      if (!validate(parsed)) {
        throw new Error(`${operationId}: ${ajv.errorsText(validate.errors?.slice(0, 5))}`);
      }
      seen.add(operationId);
      return parsed;
    };
    const attribute = (await written('create_user_attribute', 'POST', '/user_attributes', {
      name: 'restored_region',
      label: 'Restored Region',
      type: 'string',
    })) as { id: string };
    await written('update_user_attribute', 'PATCH', `/user_attributes/${attribute.id}`, {
      default_value: 'north',
    });
    await written(
      'set_user_attribute_group_values',
      'POST',
      `/user_attributes/${attribute.id}/group_values`,
      [
        { group_id: '2', value: 'south' },
        { group_id: '1', value: 'east' },
      ],
    );
    const folder = JSON.parse(
      (await client.write('POST', '/folders', { name: 'Access', parent_id: '1' })).text,
    ) as { content_metadata_id: string };
    const cm = folder.content_metadata_id;
    await written('update_content_metadata', 'PATCH', `/content_metadata/${cm}`, {
      inherits: false,
    });
    const row = (await written(
      'create_content_metadata_access',
      'POST',
      '/content_metadata_access',
      {
        content_metadata_id: cm,
        permission_type: 'view',
        group_id: '2',
      },
    )) as { id: string };
    await written('update_content_metadata_access', 'PUT', `/content_metadata_access/${row.id}`, {
      permission_type: 'edit',
    });
    // What was written is what later reads serve.
    expect(
      (await expectValid('user_attribute', `/user_attributes/${attribute.id}`)) as Record<
        string,
        unknown
      >,
    ).toMatchObject({ name: 'restored_region', default_value: 'north', is_system: false });
    expect(
      await expectValid(
        'all_user_attribute_group_values',
        `/user_attributes/${attribute.id}/group_values`,
      ),
    ).toMatchObject([
      { group_id: '2', value: 'south', rank: 1 },
      { group_id: '1', value: 'east', rank: 2 },
    ]);
    expect(await expectValid('content_metadata', `/content_metadata/${cm}`)).toMatchObject({
      inherits: false,
    });
    expect(
      await expectValid(
        'all_content_metadata_accesses',
        `/content_metadata_access?content_metadata_id=${cm}`,
      ),
    ).toMatchObject([{ id: row.id, permission_type: 'edit', group_id: '2', user_id: null }]);
  });

  it('user attributes and folder access: what Looker refuses is refused', async () => {
    const refused = async (method: string, path: string, body: unknown): Promise<number> =>
      (await client.write(method, path, body)).status;
    // A duplicate name, a name Looker does not allow, a system attribute changed.
    expect(
      await refused('POST', '/user_attributes', { name: 'email', label: 'Mail 2', type: 'string' }),
    ).toBe(422);
    expect(
      await refused('POST', '/user_attributes', { name: 'Bad Name', label: 'Bad', type: 'string' }),
    ).toBe(422);
    expect(await refused('PATCH', '/user_attributes/1', { label: 'E-mail' })).toBe(422);
    expect(
      await refused('POST', '/user_attributes/9/group_values', [{ group_id: '999', value: 'x' }]),
    ).toBe(422);
    const folder = JSON.parse(
      (await client.write('POST', '/folders', { name: 'Refusals', parent_id: '1' })).text,
    ) as { content_metadata_id: string };
    const cm = folder.content_metadata_id;
    // A folder that inherits has no rows of its own; a root has no parent to inherit from.
    expect(
      await refused('POST', '/content_metadata_access', {
        content_metadata_id: cm,
        permission_type: 'view',
        group_id: '2',
      }),
    ).toBe(422);
    expect(await refused('PATCH', '/content_metadata/100000', { inherits: true })).toBe(422);
    await client.write('PATCH', `/content_metadata/${cm}`, { inherits: false });
    // In order: no such permission; a group and a user at once; fine; that group again.
    const rows: [Record<string, string>, number][] = [
      [{ permission_type: 'own', group_id: '2' }, 422],
      [{ permission_type: 'view', group_id: '2', user_id: '1' }, 422],
      [{ permission_type: 'view', group_id: '2' }, 200],
      [{ permission_type: 'edit', group_id: '2' }, 409],
    ];
    for (const [row, status] of rows) {
      const body = { content_metadata_id: cm, ...row };
      expect({ body, status: await refused('POST', '/content_metadata_access', body) }).toEqual({
        body,
        status,
      });
    }
    expect(await refused('PUT', '/content_metadata_access/123', { permission_type: 'edit' })).toBe(
      404,
    );
  });

  it('operations the simulator does not play answer 501, loudly', async () => {
    for (const [operationId, method, path] of UNPLAYED) {
      const answer = await client.write(method, path, method === 'GET' ? undefined : {});
      expect({ operationId, status: answer.status }).toEqual({ operationId, status: 501 });
      seen.add(operationId);
    }
  });

  it('covers every operation of the spec subset', () => {
    expect([...operations.keys()].filter((id) => !seen.has(id))).toEqual([]);
    expect(operations.size).toBe(105);
  });
});
