import { describe, expect, it } from '@jest/globals';
import { Spec } from '../../../src/sim/spec.js';

const spec = Spec.load();

describe('request bodies are validated against the operation schema', () => {
  it('every write of the subset declares its body schema', () => {
    const writes = spec.operations.filter(
      (op) => op.method === 'POST' || op.method === 'PATCH' || op.method === 'PUT',
    );
    const withBody = writes.filter((op) => op.bodySchema !== undefined).map((op) => op.operationId);
    expect(withBody).toEqual(
      expect.arrayContaining(['create_dashboard', 'create_query', 'create_folder', 'update_look']),
    );
    expect(spec.operations.length).toBe(105);
  });

  it('required properties, types, null only where nullable', () => {
    expect(spec.validateBody('CreateFolder', { name: 'A', parent_id: '1' })).toEqual([]);
    expect(spec.validateBody('CreateFolder', { name: 'A' })).toEqual([
      { field: 'parent_id', code: 'missing', message: 'This field is required.' },
    ]);
    expect(spec.validateBody('CreateFolder', { name: 5, parent_id: '1' })).toEqual([
      { field: 'name', code: 'invalid', message: 'name must be a string.' },
    ]);
    // Dashboard.hidden is a non-nullable boolean; description is nullable.
    expect(spec.validateBody('Dashboard', { title: 'T', description: null })).toEqual([]);
    expect(spec.validateBody('Dashboard', { hidden: null }).map((e) => e.field)).toEqual([
      'hidden',
    ]);
    expect(spec.validateBody('Dashboard', { hidden: 'yes' }).map((e) => e.field)).toEqual([
      'hidden',
    ]);
  });

  it('nested objects and array items, and a body that is not an object', () => {
    expect(
      spec.validateBody('Query', { model: 'm', view: 'v', fields: ['a', 3] }).map((e) => e.field),
    ).toEqual(['fields[1]']);
    expect(spec.validateBody('CreateFolder', [1, 2]).map((e) => e.field)).toEqual(['body']);
  });

  it('read-only and unknown properties are ignored, as Looker ignores them', () => {
    expect(spec.validateBody('Dashboard', { id: 42, can: 'x', not_a_field: [] })).toEqual([]);
  });

  it('a PATCH body needs none of the required properties; an array body is checked element by element', () => {
    expect(spec.validateBody('UserAttribute', { default_value: 'x' }).map((e) => e.field)).toEqual([
      'name',
      'label',
      'type',
    ]);
    expect(spec.validateBody('UserAttribute', { default_value: 'x' }, { partial: true })).toEqual(
      [],
    );
    expect(
      spec.validateBody('UserAttribute', { label: 5 }, { partial: true }).map((e) => e.field),
    ).toEqual(['label']);
    expect(
      spec
        .validateBody('UserAttribute', [{ name: 'a', label: 'A', type: 'string' }, { name: 'b' }], {
          isArray: true,
        })
        .map((e) => e.field),
    ).toEqual(['[1].label', '[1].type']);
    expect(
      spec.validateBody('UserAttribute', { name: 'a' }, { isArray: true }).map((e) => e.field),
    ).toEqual(['body']);
  });
});
