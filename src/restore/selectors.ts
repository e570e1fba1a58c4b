import { UsageError } from '../errors.js';
import { RESTORE_TYPES, type RestoreType } from './types.js';

/** `dashboard:42`, `folder:12` (a folder, its subfolders and their content), … */
export interface Selector {
  type: RestoreType;
  id: string;
}

const ALIASES: Record<string, RestoreType> = {
  folder: 'folder',
  folders: 'folder',
  space: 'folder',
  look: 'look',
  looks: 'look',
  dashboard: 'dashboard',
  dashboards: 'dashboard',
  board: 'board',
  boards: 'board',
  scheduled_plan: 'scheduled_plan',
  scheduled_plans: 'scheduled_plan',
  'scheduled-plan': 'scheduled_plan',
  'scheduled-plans': 'scheduled_plan',
  schedule: 'scheduled_plan',
  group: 'group',
  groups: 'group',
  role: 'role',
  roles: 'role',
  permission_set: 'permission_set',
  permission_sets: 'permission_set',
  'permission-set': 'permission_set',
  'permission-sets': 'permission_set',
  model_set: 'model_set',
  model_sets: 'model_set',
  'model-set': 'model_set',
  'model-sets': 'model_set',
  user_attribute: 'user_attribute',
  user_attributes: 'user_attribute',
  'user-attribute': 'user_attribute',
  'user-attributes': 'user_attribute',
  folder_access: 'folder_access',
  'folder-access': 'folder_access',
};

/** A restorable type by any of its names (`dashboards`, `scheduled-plan`, …). */
export function restoreTypeNamed(name: string): RestoreType | undefined {
  return ALIASES[name.trim().toLowerCase()];
}

const SYNTAX_HINT = `Write TYPE:ID, e.g. dashboard:42, look:17, folder:12, board:3, scheduled_plan:9 (types: ${RESTORE_TYPES.join(', ')}).`;

export function parseSelector(text: string): Selector {
  const match = /^([a-z_-]+):(.+)$/i.exec(text.trim());
  if (!match) {
    throw new UsageError(`"${text}" is not a selector`, { hint: SYNTAX_HINT });
  }
  const typeText = (match[1] as string).toLowerCase();
  const id = (match[2] as string).trim();
  const type = ALIASES[typeText];
  if (type === undefined) {
    throw new UsageError(`"${typeText}" in "${text}" is not a restorable content type`, {
      hint: SYNTAX_HINT,
    });
  }
  if (id === '' || /\s/.test(id)) {
    throw new UsageError(`"${text}" has no usable id after the colon`, { hint: SYNTAX_HINT });
  }
  return { type, id };
}
