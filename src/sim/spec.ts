/**
 * The OpenAPI subset the simulator plays: which paths exist, which query parameters each
 * operation declares (and their types), and which properties each schema has. Read once, at
 * start-up, from the copy shipped beside this module (`spec/`, copied to `dist/` on build).
 */
import { readFileSync } from 'node:fs';

export const SPEC_URL = new URL('./spec/looker-4.0-subset.oas.json', import.meta.url);
export const API_PREFIX = '/api/4.0';

export type ParamType = 'string' | 'integer' | 'boolean' | 'array';

export interface Operation {
  operationId: string;
  method: string;
  path: string;
  /** Path split on '/', with `{name}` segments as parameter names. */
  segments: { literal?: string; param?: string }[];
  query: Map<string, ParamType>;
  /** The schema of the request body (writes), if the operation takes one. */
  bodySchema?: string;
  /** The body is an array of `bodySchema` objects (`set_user_attribute_group_values`). */
  bodyIsArray?: boolean;
}

/** One entry of a 422 answer's `errors[]`, as Looker words them. */
export interface BodyError {
  field: string;
  code: 'missing' | 'invalid';
  message: string;
}

interface RawSchema {
  type?: string;
  properties?: Record<string, RawSchema>;
  items?: RawSchema;
  $ref?: string;
  nullable?: boolean;
  readOnly?: boolean;
  required?: string[];
}
interface RawParameter {
  name: string;
  in: string;
  schema?: { type?: string };
}
interface RawOperation {
  operationId?: string;
  parameters?: RawParameter[];
  requestBody?: { content?: Record<string, { schema?: RawSchema }> };
}
interface RawSpec {
  paths: Record<string, Record<string, RawOperation>>;
  components: { schemas: Record<string, RawSchema> };
}

export class Spec {
  readonly operations: Operation[] = [];
  private readonly schemas: Record<string, RawSchema>;
  private readonly scalarCache = new Map<string, Set<string>>();

  constructor(raw: RawSpec) {
    this.schemas = raw.components.schemas;
    for (const [path, methods] of Object.entries(raw.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (!op.operationId) continue;
        const query = new Map<string, ParamType>();
        for (const p of op.parameters ?? []) {
          if (p.in !== 'query') continue;
          const type = p.schema?.type;
          query.set(
            p.name,
            type === 'integer' || type === 'boolean' || type === 'array' ? type : 'string',
          );
        }
        const segments = path
          .split('/')
          .filter((s) => s.length > 0)
          .map((s) =>
            s.startsWith('{') && s.endsWith('}') ? { param: s.slice(1, -1) } : { literal: s },
          );
        const bodySchema = op.requestBody?.content?.['application/json']?.schema;
        const bodyIsArray = bodySchema?.type === 'array';
        const bodyRef = bodyIsArray ? bodySchema.items?.$ref : bodySchema?.$ref;
        this.operations.push({
          operationId: op.operationId,
          method: method.toUpperCase(),
          path,
          segments,
          query,
          ...(bodyRef === undefined ? {} : { bodySchema: refName(bodyRef) }),
          ...(bodyRef !== undefined && bodyIsArray ? { bodyIsArray } : {}),
        });
      }
    }
  }

  static load(): Spec {
    return new Spec(JSON.parse(readFileSync(SPEC_URL, 'utf8')) as RawSpec);
  }

  /**
   * Checks a request body against its schema as Looker does: required properties present,
   * every writable property of the declared type (null only where nullable), nested objects
   * and array items too. Read-only and unknown properties are ignored, as Looker ignores them.
   */
  validateBody(
    schema: string,
    body: unknown,
    { isArray = false, partial = false }: { isArray?: boolean; partial?: boolean } = {},
  ): BodyError[] {
    const errors: BodyError[] = [];
    const raw = this.schemas[schema];
    if (!raw) return errors;
    if (!isArray) {
      // A PATCH sends only what changes (the SDK's `Partial<IWrite…>`): nothing is required.
      this.check(partial ? { ...raw, required: [] } : raw, body, '', errors, true);
      return errors;
    }
    if (!Array.isArray(body)) return [invalid('body', 'must be an array')];
    body.forEach((element, i) => {
      this.check(raw, element, `[${String(i)}]`, errors, false);
    });
    return errors;
  }

  private check(
    schema: RawSchema,
    value: unknown,
    field: string,
    errors: BodyError[],
    top: boolean,
  ): void {
    const resolved = schema.$ref ? this.schemas[refName(schema.$ref)] : schema;
    if (!resolved) return;
    const nullable = schema.nullable === true || resolved.nullable === true;
    if (value === null) {
      if (!nullable && !top) errors.push(invalid(field, 'must not be null'));
      if (top) errors.push(invalid('body', 'must be a JSON object'));
      return;
    }
    const type = resolved.type ?? (resolved.properties ? 'object' : undefined);
    switch (type) {
      case 'string':
        if (typeof value !== 'string') errors.push(invalid(field, 'must be a string'));
        return;
      case 'integer':
        if (!Number.isInteger(value)) errors.push(invalid(field, 'must be an integer'));
        return;
      case 'number':
        if (typeof value !== 'number') errors.push(invalid(field, 'must be a number'));
        return;
      case 'boolean':
        if (typeof value !== 'boolean') errors.push(invalid(field, 'must be true or false'));
        return;
      case 'array':
        if (!Array.isArray(value)) {
          errors.push(invalid(field, 'must be an array'));
          return;
        }
        if (resolved.items) {
          value.forEach((element, i) => {
            this.check(
              resolved.items as RawSchema,
              element,
              `${field}[${String(i)}]`,
              errors,
              false,
            );
          });
        }
        return;
      case 'object': {
        if (typeof value !== 'object' || Array.isArray(value)) {
          errors.push(invalid(top ? 'body' : field, 'must be an object'));
          return;
        }
        const object = value as Record<string, unknown>;
        for (const name of resolved.required ?? []) {
          if (object[name] === undefined || object[name] === null) {
            errors.push({
              field: join(field, name),
              code: 'missing',
              message: 'This field is required.',
            });
          }
        }
        for (const [name, property] of Object.entries(resolved.properties ?? {})) {
          if (property.readOnly === true || !Object.hasOwn(object, name)) continue;
          const child = object[name];
          if (child === undefined) continue;
          if (child === null && (resolved.required ?? []).includes(name)) continue;
          this.check(property, child, join(field, name), errors, false);
        }
        return;
      }
      default:
        return;
    }
  }

  /**
   * Every property of a schema with the value Looker serializes for an unset one: null where
   * nullable, else false, 0, '', [] or {} by type (a reference to another schema: null).
   */
  skeleton(schema: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, property] of Object.entries(this.schemas[schema]?.properties ?? {})) {
      if (property.nullable === true || property.$ref !== undefined) out[name] = null;
      else if (property.type === 'boolean') out[name] = false;
      else if (property.type === 'integer' || property.type === 'number') out[name] = 0;
      else if (property.type === 'string') out[name] = '';
      else if (property.type === 'array') out[name] = [];
      else if (property.type === 'object') out[name] = {};
      else out[name] = null;
    }
    return out;
  }

  /** Properties a request body may set (those not marked read-only). */
  writableProperties(schema: string): Set<string> {
    return new Set(
      Object.entries(this.schemas[schema]?.properties ?? {})
        .filter(([, p]) => p.readOnly !== true)
        .map(([name]) => name),
    );
  }

  /** All property names of a schema, in declaration order. */
  properties(schema: string): string[] {
    return Object.keys(this.schemas[schema]?.properties ?? {});
  }

  /** Properties of a schema that hold scalars (string, number, boolean): sortable, filterable. */
  scalarProperties(schema: string): Set<string> {
    let cached = this.scalarCache.get(schema);
    if (!cached) {
      cached = new Set(
        Object.entries(this.schemas[schema]?.properties ?? {})
          .filter(
            ([, p]) => !p.$ref && p.type !== 'array' && p.type !== 'object' && p.type !== undefined,
          )
          .map(([name]) => name),
      );
      this.scalarCache.set(schema, cached);
    }
    return cached;
  }
}

function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

function join(parent: string, name: string): string {
  return parent === '' ? name : `${parent}.${name}`;
}

function invalid(field: string, why: string): BodyError {
  return { field, code: 'invalid', message: `${field} ${why}.` };
}
