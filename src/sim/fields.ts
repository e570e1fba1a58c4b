/**
 * The `fields` query parameter: a comma-separated list of properties to return, with nested
 * selections in parentheses (`id,title,dashboard_elements(id,query(id,model))`). Properties the
 * item does not have are left out, as Looker does.
 */

/** name → nested selection, or `true` for the whole value. */
export type FieldTree = Map<string, FieldTree | true>;

export class FieldsSyntaxError extends Error {}

export function parseFields(text: string): FieldTree {
  let pos = 0;
  function parseList(nested: boolean): FieldTree {
    const tree: FieldTree = new Map();
    for (;;) {
      let name = '';
      while (pos < text.length && !',()'.includes(text.charAt(pos))) name += text.charAt(pos++);
      name = name.trim();
      let child: FieldTree | true = true;
      if (text.charAt(pos) === '(') {
        pos++;
        child = parseList(true);
        if (text.charAt(pos) !== ')') throw new FieldsSyntaxError(`unbalanced "(" in fields`);
        pos++;
        while (text.charAt(pos) === ' ') pos++;
      }
      if (name.length > 0) {
        const existing = tree.get(name);
        tree.set(
          name,
          existing instanceof Map && child instanceof Map
            ? merge(existing, child)
            : child === true || existing === true
              ? true
              : child,
        );
      } else if (child !== true) {
        throw new FieldsSyntaxError('a nested selection in fields needs a property name');
      }
      if (pos >= text.length) {
        if (nested) throw new FieldsSyntaxError(`unbalanced "(" in fields`);
        return tree;
      }
      const c = text.charAt(pos);
      if (c === ',') {
        pos++;
        continue;
      }
      if (c === ')') {
        if (!nested) throw new FieldsSyntaxError(`unbalanced ")" in fields`);
        return tree;
      }
      throw new FieldsSyntaxError(`expected "," after ")" in fields`);
    }
  }
  return parseList(false);
}

function merge(a: FieldTree, b: FieldTree): FieldTree {
  const out: FieldTree = new Map(a);
  for (const [k, v] of b) {
    const existing = out.get(k);
    out.set(k, existing instanceof Map && v instanceof Map ? merge(existing, v) : true);
  }
  return out;
}

/** Applies a selection to a value: objects keep the selected properties, arrays map. */
export function project(value: unknown, tree: FieldTree): unknown {
  if (Array.isArray(value)) return value.map((v) => project(v, tree));
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, child] of tree) {
    if (!Object.hasOwn(source, name)) continue;
    const v = source[name];
    out[name] = child === true ? v : project(v, child);
  }
  return out;
}
