/** Users, groups, roles, permission sets, model sets and the folder tree. */
import { NO_SHORTCUT, numericIndex, numericKey, type Collection } from './collection.js';
import {
  EPOCH_MS,
  HISTORY_MS,
  INSTANCE_HOST,
  Stream,
  isoTime,
  type Item,
  type World,
} from './world.js';
import { FOLDER_WORDS, PERMISSIONS } from './words.js';

const USER_CAN = Object.freeze({
  show: true,
  index: true,
  show_details: true,
  index_details: true,
  sudo: false,
});
export const GROUP_CAN = Object.freeze({
  show: true,
  create: true,
  index: true,
  update: true,
  delete: true,
  edit_in_ui: true,
  add_to_content_metadata: true,
});
export const ROLE_CAN = Object.freeze({ show: true, index: true, update: true });
export const SET_CAN = Object.freeze({ show: true, index: true, update: true });

const BUILT_IN_PERMISSION_SETS = ['Admin', 'Developer', 'User', 'Viewer'];

export interface PeopleCollections {
  users: Collection;
  groups: Collection;
  roles: Collection;
  permissionSets: Collection;
  modelSets: Collection;
  folders: Collection;
}

export function createPeopleCollections(world: World, apiClientId: string): PeopleCollections {
  const { counts } = world;

  // ── permission sets ────────────────────────────────────────────────────────────────────────
  function permissionSet(index: number): Item {
    const rng = world.rng(Stream.permissionSet, index);
    const id = numericKey(index);
    const builtIn = index < BUILT_IN_PERMISSION_SETS.length;
    const allAccess = index === 0;
    let permissions: string[];
    if (allAccess) {
      permissions = [...PERMISSIONS];
    } else {
      const keep = builtIn ? 1 - index * 0.2 : 0.2 + rng.float() * 0.6;
      permissions = PERMISSIONS.filter(() => rng.float() < keep);
    }
    return {
      can: SET_CAN,
      all_access: allAccess,
      built_in: builtIn,
      id,
      name: builtIn ? BUILT_IN_PERMISSION_SETS[index] : `Custom Permissions ${id}`,
      permissions,
      url: `https://${INSTANCE_HOST}/api/4.0/permission_sets/${id}`,
    };
  }

  // ── model sets ────────────────────────────────────────────────────────────────────────────
  function modelSet(index: number): Item {
    const rng = world.rng(Stream.modelSet, index);
    const id = numericKey(index);
    const allAccess = index === 0;
    const models = allAccess
      ? [...world.modelNames]
      : world.modelNames.filter(() => rng.chance(0.4));
    return {
      can: SET_CAN,
      all_access: allAccess,
      built_in: allAccess,
      id,
      models,
      name: allAccess
        ? 'All'
        : `${FOLDER_WORDS[index % FOLDER_WORDS.length] as string} Models ${id}`,
      url: `https://${INSTANCE_HOST}/api/4.0/model_sets/${id}`,
    };
  }

  // ── roles ──────────────────────────────────────────────────────────────────────────────────
  function role(index: number): Item {
    const rng = world.rng(Stream.role, index);
    const id = numericKey(index);
    const item: Item = {
      can: ROLE_CAN,
      id,
      name:
        index === 0
          ? 'Admin'
          : `${FOLDER_WORDS[rng.int(FOLDER_WORDS.length)] as string} Role ${id}`,
    };
    if (counts.permission_set > 0) {
      const ps = index === 0 ? 0 : rng.int(counts.permission_set);
      item.permission_set = permissionSet(ps);
      item.permission_set_id = numericKey(ps);
    } else {
      item.permission_set_id = null;
    }
    if (counts.model_set > 0) {
      const ms = index === 0 ? 0 : rng.int(counts.model_set);
      item.model_set = modelSet(ms);
      item.model_set_id = numericKey(ms);
    } else {
      item.model_set_id = null;
    }
    item.internal = false;
    item.url = `https://${INSTANCE_HOST}/api/4.0/roles/${id}`;
    item.users_url = `https://${INSTANCE_HOST}/api/4.0/roles/${id}/users`;
    return item;
  }

  // ── groups ─────────────────────────────────────────────────────────────────────────────────
  function group(index: number): Item {
    const rng = world.rng(Stream.group, index);
    const id = numericKey(index);
    return {
      can: GROUP_CAN,
      can_add_to_content_metadata: true,
      contains_current_user: false,
      external_group_id: null,
      externally_managed: false,
      id,
      include_by_default: index === 0,
      name:
        index === 0
          ? 'All Users'
          : `${FOLDER_WORDS[rng.int(FOLDER_WORDS.length)] as string} Team ${id}`,
      user_count:
        index === 0 ? counts.user : rng.range(1, Math.max(1, Math.floor(counts.user / 4))),
    };
  }

  // ── users ──────────────────────────────────────────────────────────────────────────────────
  function user(index: number): Item {
    const rng = world.rng(Stream.user, index);
    const id = world.userId(index);
    const names = world.userNames(index);
    const created = EPOCH_MS - HISTORY_MS + Math.floor(rng.float() * HISTORY_MS * 0.9);
    const loggedIn = created + Math.floor(rng.float() * (EPOCH_MS - created));
    const groupIds: string[] = [];
    if (counts.group > 0) {
      groupIds.push('1');
      const extra = rng.int(3);
      for (let g = 0; g < extra; g++) {
        const gid = numericKey(rng.int(counts.group));
        if (!groupIds.includes(gid)) groupIds.push(gid);
      }
    }
    const roleIds = counts.role === 0 ? [] : [index === 0 ? '1' : numericKey(rng.int(counts.role))];
    const personal = world.folderId(world.personalFolderOf(index));
    const avatar = `https://www.gravatar.com/avatar/${String(rng.next())}`;
    return {
      can: USER_CAN,
      avatar_url: `${avatar}?s=156&d=blank`,
      avatar_url_without_sizing: avatar,
      credentials_api3:
        index === 0
          ? [
              {
                can: {},
                id: '1',
                client_id: apiClientId,
                created_at: isoTime(created),
                is_disabled: false,
                type: 'api3',
                purpose: 'lookervault simulator',
                url: `https://${INSTANCE_HOST}/api/4.0/users/1/credentials_api3/1`,
              },
            ]
          : [],
      credentials_email: {
        can: {},
        created_at: isoTime(created),
        email: names.email,
        forced_password_reset_at_next_login: false,
        user_id: id,
        is_disabled: false,
        logged_in_at: isoTime(loggedIn),
        password_reset_url: null,
        account_setup_url: null,
        password_reset_url_expired: false,
        account_setup_url_expired: false,
        type: 'email',
        url: `https://${INSTANCE_HOST}/api/4.0/users/${id}/credentials_email`,
        user_url: `https://${INSTANCE_HOST}/api/4.0/users/${id}`,
      },
      credentials_embed: [],
      display_name: names.display,
      email: names.email,
      embed_group_space_id: null,
      first_name: names.first,
      group_ids: groupIds,
      home_folder_id: rng.chance(0.5) ? personal : '1',
      id,
      is_disabled: index !== 0 && rng.chance(0.03),
      last_name: names.last,
      locale: rng.pick(['en', 'en', 'en', 'de', 'fr', 'ja', 'es']),
      looker_versions: [],
      models_dir_validated: null,
      personal_folder_id: personal,
      presumed_looker_employee: false,
      role_ids: roleIds,
      sessions: [],
      ui_state: null,
      verified_looker_employee: false,
      roles_externally_managed: false,
      allow_direct_roles: true,
      allow_normal_group_membership: true,
      allow_roles_from_normal_groups: true,
      embed_group_folder_id: null,
      is_iam_admin: false,
      can_manage_api3_creds: index === 0,
      is_service_account: index === 0,
      service_account_name: index === 0 ? 'lookervault' : null,
      url: `https://${INSTANCE_HOST}/api/4.0/users/${id}`,
    };
  }

  // ── folders (the tree's layout lives in World) ────────────────────────────────────────────
  const folderSummary = (index: number): Item => ({ ...world.folderBase(index) });

  const numeric = (
    name: Collection['name'],
    listSchema: string,
    count: number,
    build: (index: number) => Item,
    titleField: 'title' | 'name',
  ): Collection => ({
    name,
    listSchema,
    count,
    keyField: 'id',
    key: numericKey,
    index: numericIndex,
    summary: build,
    detail: build,
    initiallyDeleted: () => false,
    softDelete: false,
    titleField,
    hasUpdatedAt: false,
  });

  return {
    users: numeric('user', 'User', counts.user, user, 'name'),
    groups: numeric('group', 'Group', counts.group, group, 'name'),
    roles: numeric('role', 'Role', counts.role, role, 'name'),
    permissionSets: numeric(
      'permission_set',
      'PermissionSet',
      counts.permission_set,
      permissionSet,
      'name',
    ),
    modelSets: numeric('model_set', 'ModelSet', counts.model_set, modelSet, 'name'),
    folders: {
      ...numeric('folder', 'Folder', world.folderCount, folderSummary, 'name'),
      fast(index, field) {
        if (field === 'parent_id') {
          const parent = world.folderParent(index);
          return parent < 0 ? null : world.folderId(parent);
        }
        return NO_SHORTCUT;
      },
    },
  };
}
