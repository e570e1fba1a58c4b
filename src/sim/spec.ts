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
}

interface RawSchema {
  type?: string;
  properties?: Record<string, RawSchema>;
  items?: RawSchema;
  $ref?: string;
}
interface RawParameter {
  name: string;
  in: string;
  schema?: { type?: string };
}
interface RawOperation {
  operationId?: string;
  parameters?: RawParameter[];
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
        this.operations.push({
          operationId: op.operationId,
          method: method.toUpperCase(),
          path,
          segments,
          query,
        });
      }
    }
  }

  static load(): Spec {
    return new Spec(JSON.parse(readFileSync(SPEC_URL, 'utf8')) as RawSpec);
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
