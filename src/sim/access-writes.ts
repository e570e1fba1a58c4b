/**
 * Writes of user attributes and folder access, with Looker's checks: an attribute's name and
 * label are unique, system attributes are never changed, group values name groups that exist,
 * a folder's own access rows exist only while it does not inherit its parent's, one row per
 * group or user, `view` or `edit`.
 *
 * `create_content_metadata_access` and `set_user_attribute_group_values` take bodies of
 * schemas whose properties the spec marks read-only (the official SDK sends them anyway): their
 * handlers read those properties from the body as Looker does.
 */
import { ACCESS_CAN, GROUP_VALUE_CAN, USER_ATTRIBUTE_CAN } from './data/access.js';
import type { Item } from './data/world.js';
import type { Dataset } from './dataset.js';
import { errorBody } from './looker-errors.js';
import { json, notFound, type Call, type Handler } from './operations.js';
import type { Spec } from './spec.js';
import { validationFailed } from './writes.js';

type Json = Record<string, unknown>;
type FieldError = { field: string; code: string; message: string };

/** Rows written here get ids of their own, far from generated and other written ids. */
const ACCESS_WRITE_ID_BASE = 7_500_000_000;
const ATTRIBUTE_NAME = /^[a-z][a-z0-9_]*$/;
const PERMISSIONS = new Set(['view', 'edit']);

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function createAccessWriteHandlers(dataset: Dataset, spec: Spec): Record<string, Handler> {
  let nextId = ACCESS_WRITE_ID_BASE;
  const newId = (): string => String(++nextId);
  /** Access rows by id → the folder holding them (generated rows are found by their folder). */
  const rowFolders = new Map<string, number>();

  const body = (call: Call): Json => (isObject(call.body) ? call.body : {});
  const writable = (value: Json): Json => {
    const allowed = spec.writableProperties('UserAttribute');
    return Object.fromEntries(Object.entries(value).filter(([key]) => allowed.has(key)));
  };

  function attributeErrors(value: Json, self?: number): FieldError[] {
    const errors: FieldError[] = [];
    const name = str(value.name);
    if (name !== null && !ATTRIBUTE_NAME.test(name)) {
      errors.push({
        field: 'name',
        code: 'invalid',
        message: 'Name may only contain lowercase letters, numbers and underscores.',
      });
    }
    for (const field of ['name', 'label'] as const) {
      const wanted = str(value[field]);
      if (wanted === null) continue;
      const taken = dataset
        .ids('user_attribute')
        .map((id) => dataset.find('user_attribute', id) as number)
        .some(
          (index) =>
            index !== self &&
            String(dataset.item('user_attribute', index, 'detail')[field]).toLowerCase() ===
              wanted.toLowerCase(),
        );
      if (taken) {
        errors.push({
          field,
          code: 'already_exists',
          message: `A user attribute with this ${field} already exists.`,
        });
      }
    }
    return errors;
  }

  /** The folder behind a content metadata id, and its current access. */
  function folderOf(contentMetadataId: unknown): number | undefined {
    return typeof contentMetadataId === 'string'
      ? dataset.folderOfContentMetadata(contentMetadataId)
      : undefined;
  }

  function findRow(rowId: string): { folder: number; row: Item } | undefined {
    const written = rowFolders.get(rowId);
    const generated = Math.floor((Number(rowId) - 9_000_000) / 16);
    for (const folder of [written, generated]) {
      if (folder === undefined || !Number.isInteger(folder) || folder < 0) continue;
      if (folder >= dataset.total('folder') || dataset.state('folder', folder) === 'gone') continue;
      const row = dataset.folderAccess(folder).rows.find((r) => r.id === rowId);
      if (row) return { folder, row };
    }
    return undefined;
  }

  const handlers: Record<string, Handler> = {
    create_user_attribute: (call) => {
      const value = body(call);
      const errors = attributeErrors(value);
      if (errors.length > 0) return validationFailed(errors);
      const index = dataset.insert('user_attribute', (id) => ({
        ...spec.skeleton('UserAttribute'),
        can: USER_ATTRIBUTE_CAN,
        ...writable(value),
        id,
        is_system: false,
        is_permanent: false,
      }));
      return json(200, dataset.item('user_attribute', index, 'detail'));
    },
    update_user_attribute: (call) => {
      const index = dataset.find('user_attribute', call.params.user_attribute_id ?? '');
      if (index === undefined) return notFound();
      const current = dataset.written('user_attribute', index);
      if (current.is_system === true) {
        return validationFailed([
          { field: 'base', code: 'invalid', message: 'System user attributes cannot be changed.' },
        ]);
      }
      const value = body(call);
      const errors = attributeErrors(value, index);
      if (errors.length > 0) return validationFailed(errors);
      dataset.replace('user_attribute', index, { ...current, ...writable(value) });
      return json(200, dataset.item('user_attribute', index, 'detail'));
    },
    set_user_attribute_group_values: (call) => {
      const attributeId = call.params.user_attribute_id ?? '';
      const index = dataset.find('user_attribute', attributeId);
      if (index === undefined) return notFound();
      const rows = Array.isArray(call.body) ? call.body : [];
      const errors: FieldError[] = [];
      const groups = new Set<string>();
      rows.forEach((row, i) => {
        const group = isObject(row) ? str(row.group_id) : null;
        if (group === null || dataset.find('group', group) === undefined) {
          errors.push({
            field: `[${String(i)}].group_id`,
            code: 'invalid',
            message: 'Group not found.',
          });
        } else if (groups.has(group)) {
          errors.push({
            field: `[${String(i)}].group_id`,
            code: 'invalid',
            message: 'A group may give an attribute one value only.',
          });
        }
        if (group !== null) groups.add(group);
      });
      if (errors.length > 0) return validationFailed(errors);
      const ranked = rows
        .filter(isObject)
        .map((row, i) => ({ row, rank: typeof row.rank === 'number' ? row.rank : i + 1 }))
        .sort((a, b) => a.rank - b.rank);
      const written = ranked.map(({ row }, i) => ({
        can: GROUP_VALUE_CAN,
        id: newId(),
        group_id: str(row.group_id),
        user_attribute_id: attributeId,
        value_is_hidden: false,
        rank: i + 1,
        value:
          typeof row.value === 'string' || typeof row.value === 'number' ? String(row.value) : null,
      }));
      dataset.setGroupValues(index, written);
      return json(200, dataset.groupValues(index));
    },

    update_content_metadata: (call) => {
      const folder = folderOf(call.params.content_metadata_id);
      if (folder === undefined) return notFound();
      const value = body(call);
      const access = dataset.folderAccess(folder);
      if (typeof value.inherits === 'boolean' && value.inherits !== access.inherits) {
        const root = dataset.item('folder', folder, 'summary').parent_id == null;
        if (dataset.accessIsFixed(folder) || (root && value.inherits)) {
          return validationFailed([
            {
              field: 'inherits',
              code: 'invalid',
              message: root
                ? 'A root folder has no parent to inherit from.'
                : "The access of a personal folder can't be changed.",
            },
          ]);
        }
        // A folder that stops inheriting starts with no rows of its own (the simulator's rule).
        dataset.setFolderAccess(folder, { inherits: value.inherits, rows: [] });
      }
      return json(200, dataset.folderContentMetadata(folder));
    },
    create_content_metadata_access: (call) => {
      const value = body(call);
      const folder = folderOf(value.content_metadata_id);
      if (folder === undefined) {
        return validationFailed([
          { field: 'content_metadata_id', code: 'invalid', message: 'Content metadata not found.' },
        ]);
      }
      const access = dataset.folderAccess(folder);
      const errors: FieldError[] = [];
      const permission = str(value.permission_type);
      if (permission === null || !PERMISSIONS.has(permission)) {
        errors.push({
          field: 'permission_type',
          code: 'invalid',
          message: 'Must be view or edit.',
        });
      }
      const group = str(value.group_id);
      const user = str(value.user_id);
      if ((group === null) === (user === null)) {
        errors.push({
          field: 'group_id',
          code: 'invalid',
          message: 'Give either a group_id or a user_id.',
        });
      } else if (group !== null && dataset.find('group', group) === undefined) {
        errors.push({ field: 'group_id', code: 'invalid', message: 'Group not found.' });
      } else if (user !== null && dataset.find('user', user) === undefined) {
        errors.push({ field: 'user_id', code: 'invalid', message: 'User not found.' });
      }
      if (access.inherits || dataset.accessIsFixed(folder)) {
        errors.push({
          field: 'content_metadata_id',
          code: 'invalid',
          message: 'This folder inherits its access: set inherits to false first.',
        });
      }
      if (errors.length > 0) return validationFailed(errors);
      if (access.rows.some((row) => row.group_id === group && row.user_id === user)) {
        return json(409, errorBody(409, 'This group or user already has access to this folder.'));
      }
      const row: Item = {
        can: ACCESS_CAN,
        id: newId(),
        content_metadata_id: value.content_metadata_id,
        permission_type: permission,
        group_id: group,
        user_id: user,
      };
      dataset.setFolderAccess(folder, { inherits: false, rows: [...access.rows, row] });
      rowFolders.set(String(row.id), folder);
      return json(200, row);
    },
    update_content_metadata_access: (call) => {
      const found = findRow(call.params.content_metadata_access_id ?? '');
      if (!found) return notFound();
      const permission = str(body(call).permission_type);
      if (permission !== null && !PERMISSIONS.has(permission)) {
        return validationFailed([
          { field: 'permission_type', code: 'invalid', message: 'Must be view or edit.' },
        ]);
      }
      const access = dataset.folderAccess(found.folder);
      const rows = access.rows.map((row) =>
        row.id === found.row.id && permission !== null
          ? { ...row, permission_type: permission }
          : row,
      );
      dataset.setFolderAccess(found.folder, { inherits: access.inherits, rows });
      return json(
        200,
        rows.find((row) => row.id === found.row.id),
      );
    },
  };
  return handlers;
}
