/**
 * The Looker content types lookervault backs up: the shared vocabulary of the registry, the
 * store, progress and the CLI. How each type is listed and fetched lives in the registry
 * (src/looker/registry.ts); this file only names them.
 */
export const CONTENT_TYPES = [
  'dashboard',
  'look',
  'folder',
  'folder_access',
  'board',
  'user',
  'group',
  'role',
  'permission_set',
  'model_set',
  'user_attribute',
  'lookml_model',
  'explore',
  'scheduled_plan',
] as const;

export type ContentType = (typeof CONTENT_TYPES)[number];

export function isContentType(value: string): value is ContentType {
  return (CONTENT_TYPES as readonly string[]).includes(value);
}

/** The plural form users type (`--types dashboards,looks`) and see in tables. */
export const CONTENT_TYPE_PLURALS: Record<ContentType, string> = {
  dashboard: 'dashboards',
  look: 'looks',
  folder: 'folders',
  // Uncountable: "folder access" is one folder's settings as much as all of them.
  folder_access: 'folder_access',
  board: 'boards',
  user: 'users',
  group: 'groups',
  role: 'roles',
  permission_set: 'permission_sets',
  model_set: 'model_sets',
  user_attribute: 'user_attributes',
  lookml_model: 'lookml_models',
  explore: 'explores',
  scheduled_plan: 'scheduled_plans',
};

/** Accepts singular or plural, any case, `-` or `_`: "Dashboards", "permission-set". */
export function parseContentType(input: string): ContentType | undefined {
  const normalized = input.trim().toLowerCase().replace(/-/g, '_');
  if (isContentType(normalized)) return normalized;
  return CONTENT_TYPES.find((type) => CONTENT_TYPE_PLURALS[type] === normalized);
}

/** Orders Looker ids: numeric ids numerically, before the others ("model::name") in text order. */
export function compareIds(a: string, b: string): number {
  const na = /^\d+$/.test(a) ? Number(a) : Number.NaN;
  const nb = /^\d+$/.test(b) ? Number(b) : Number.NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  if (!Number.isNaN(na)) return -1;
  if (!Number.isNaN(nb)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
