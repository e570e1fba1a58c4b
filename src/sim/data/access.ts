/**
 * User attributes (with the values groups give them) and who may see or edit each folder
 * (`content_metadata` with its `inherits` flag, and `content_metadata_access` rows naming a
 * group or a user with `view` or `edit`). Generated from (seed, index) like everything else.
 */
import { numericIndex, numericKey, type Collection } from './collection.js';
import { Stream, type Item, type World } from './world.js';

export const USER_ATTRIBUTE_CAN = Object.freeze({
  show: true,
  index: true,
  create: true,
  update: true,
  destroy: true,
  set_value: true,
});
export const GROUP_VALUE_CAN = Object.freeze({ show: true, index: true });
export const CONTENT_META_CAN = Object.freeze({ index: true, show: true, update: true });
export const ACCESS_CAN = Object.freeze({ index: true, show: true, update: true, destroy: true });

/** Looker's own attributes: every instance has them, none can be changed. */
const SYSTEM_ATTRIBUTES: readonly { name: string; type: string; permanent: boolean }[] = [
  { name: 'email', type: 'string', permanent: true },
  { name: 'first_name', type: 'string', permanent: true },
  { name: 'last_name', type: 'string', permanent: true },
  { name: 'name', type: 'string', permanent: true },
  { name: 'id', type: 'number', permanent: true },
  { name: 'locale', type: 'string', permanent: false },
  { name: 'number_format', type: 'string', permanent: false },
  { name: 'landing_page', type: 'relative_url', permanent: false },
];

const CUSTOM_NAMES = [
  'region',
  'brand',
  'cost_center',
  'sales_territory',
  'department',
  'country',
  'business_unit',
  'warehouse',
  'access_level',
  'customer_id',
  'team',
  'market',
];
const CUSTOM_TYPES = ['string', 'number', 'yesno', 'advanced_filter_string'] as const;
const VALUE_WORDS = ['north', 'south', 'east', 'west', 'emea', 'apac', 'retail', 'wholesale'];

/** Ids of generated rows live in their own ranges, far from items' and written parts' ids. */
const GROUP_VALUE_ID_BASE = 4_000_000;
const ACCESS_ID_BASE = 9_000_000;
const ROWS_PER_OWNER = 16;

function labelOf(name: string): string {
  return name
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

function customName(index: number): string {
  const k = index - SYSTEM_ATTRIBUTES.length;
  const base = CUSTOM_NAMES[k % CUSTOM_NAMES.length] as string;
  return k < CUSTOM_NAMES.length ? base : `${base}_${String(Math.floor(k / CUSTOM_NAMES.length))}`;
}

function isSystem(index: number): boolean {
  return index < SYSTEM_ATTRIBUTES.length;
}

function sampleValue(type: string, rng: ReturnType<World['rng']>): string {
  if (type === 'number') return String(rng.range(1, 500));
  if (type === 'yesno') return rng.chance(0.5) ? 'Yes' : 'No';
  return VALUE_WORDS[rng.int(VALUE_WORDS.length)] as string;
}

export function createUserAttributeCollection(world: World): Collection {
  const count = world.counts.user_attribute;
  function attribute(index: number): Item {
    const id = numericKey(index);
    const system = SYSTEM_ATTRIBUTES[index];
    const rng = world.rng(Stream.userAttribute, index);
    const name = system?.name ?? customName(index);
    const type = attributeType(world, index);
    return {
      can: USER_ATTRIBUTE_CAN,
      id,
      name,
      label: labelOf(name),
      type,
      default_value: system || rng.chance(0.3) ? null : sampleValue(type, rng),
      is_system: system !== undefined,
      is_permanent: system?.permanent ?? false,
      value_is_hidden: false,
      user_can_view: true,
      user_can_edit: system !== undefined ? !system.permanent : rng.chance(0.2),
      hidden_value_domain_whitelist: null,
    };
  }
  return {
    name: 'user_attribute',
    listSchema: 'UserAttribute',
    count,
    keyField: 'id',
    key: numericKey,
    index: numericIndex,
    summary: attribute,
    detail: attribute,
    initiallyDeleted: () => false,
    softDelete: false,
    titleField: 'name',
    hasUpdatedAt: false,
  };
}

/** The values groups give a generated attribute, in precedence order (none for system ones). */
export function generatedGroupValues(world: World, index: number): Item[] {
  if (isSystem(index) || world.counts.group === 0) return [];
  const rng = world.rng(Stream.userAttribute + 50, index);
  const type = attributeType(world, index);
  const rows: Item[] = [];
  const groups = new Set<number>();
  const wanted = rng.int(4);
  for (let j = 0; j < wanted; j++) {
    const group = rng.int(world.counts.group);
    if (groups.has(group)) continue;
    groups.add(group);
    rows.push({
      can: GROUP_VALUE_CAN,
      id: String(GROUP_VALUE_ID_BASE + index * ROWS_PER_OWNER + j),
      group_id: numericKey(group),
      user_attribute_id: numericKey(index),
      value_is_hidden: false,
      rank: rows.length + 1,
      value: sampleValue(type, rng),
    });
  }
  return rows;
}

function attributeType(world: World, index: number): string {
  return (
    SYSTEM_ATTRIBUTES[index]?.type ??
    (CUSTOM_TYPES[world.rng(Stream.userAttribute, index).int(CUSTOM_TYPES.length)] as string)
  );
}

export interface FolderAccess {
  inherits: boolean;
  rows: Item[];
}

/**
 * Who may see or edit a generated folder: the roots open to All Users; a personal folder its
 * owner's alone; about one shared folder in five with access of its own (1–3 groups or users),
 * the rest inheriting their parent's.
 */
export function generatedFolderAccess(world: World, folder: number): FolderAccess {
  const cm = contentMetadataIdOf(folder);
  const row = (j: number, permission: 'view' | 'edit', principal: Item): Item => ({
    can: ACCESS_CAN,
    id: String(ACCESS_ID_BASE + folder * ROWS_PER_OWNER + j),
    content_metadata_id: cm,
    permission_type: permission,
    group_id: null,
    user_id: null,
    ...principal,
  });
  const allUsers = world.counts.group > 0 ? [row(0, 'view', { group_id: '1' })] : [];
  switch (world.folderKind(folder)) {
    case 'shared-root':
    case 'users-root':
      return { inherits: false, rows: allUsers };
    case 'personal':
      return {
        inherits: false,
        rows: [row(0, 'edit', { user_id: world.userId(world.folderOwner(folder)) })],
      };
    case 'shared': {
      const rng = world.rng(Stream.userAttribute + 100, folder);
      if (world.folderIsPersonalDescendant(folder) || !rng.chance(0.2)) {
        return { inherits: true, rows: [] };
      }
      const rows: Item[] = [];
      const seen = new Set<string>();
      const wanted = 1 + rng.int(3);
      for (let j = 0; j < wanted; j++) {
        const byUser = world.counts.group === 0 || rng.chance(0.25);
        const principal = byUser
          ? { user_id: world.userId(rng.int(world.counts.user)) }
          : { group_id: numericKey(rng.int(world.counts.group)) };
        const who = JSON.stringify(principal);
        if (seen.has(who)) continue;
        seen.add(who);
        rows.push(row(j, rng.chance(0.4) ? 'edit' : 'view', principal));
      }
      return { inherits: false, rows };
    }
  }
}

/** Generated folders' content metadata ids (as World's FolderBase gives them). */
function contentMetadataIdOf(folder: number): string {
  return String(100_000 + folder);
}
