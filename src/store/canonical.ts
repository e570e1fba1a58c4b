import { createHash } from 'node:crypto';
import type { ItemWrite } from './types.js';

/**
 * Canonical JSON: object keys sorted (by UTF-16 code units, as RFC 8785 does) at every depth,
 * no whitespace, arrays in order, strings and numbers exactly as `JSON.stringify` writes them.
 * The same data gives the same string whatever key order the server used, so its hash tells
 * real changes from reordering. Like `JSON.stringify`, `toJSON` is honoured, `undefined` and
 * functions are dropped from objects (and become `null` in arrays), non-finite numbers become
 * `null`. A cycle or a BigInt throws a TypeError.
 *
 * Speed matters (every item of a backup goes through here, in the writer thread): the fast
 * path writes the text directly, sorting each object's few keys by insertion and reusing the
 * quoted form of keys it has seen (an API's vocabulary is small). That is about 2× faster
 * than copying the value with sorted keys for `JSON.stringify` (150 against 335 µs for a
 * 17 KB dashboard). Deeper than any API response, it assumes a cycle and lets the exact
 * (slower) writer report it.
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = writeFast(value, 0);
  } catch (error) {
    if (error !== NEEDS_EXACT_WRITER) throw error;
    return exactCanonicalJson(value);
  }
  if (text === undefined) throw new TypeError('canonicalJson: value has no JSON representation');
  return text;
}

/** SHA-256 of the canonical JSON (its UTF-8 bytes, or the text), as 64 lowercase hex digits. */
export function contentHash(canonical: string | Uint8Array): string {
  const hash = createHash('sha256');
  return (
    typeof canonical === 'string' ? hash.update(canonical, 'utf8') : hash.update(canonical)
  ).digest('hex');
}

/**
 * Builds the `ItemWrite` for one item from its raw value and the metadata the registry reads
 * from it: canonical JSON, its hash and its size in one place.
 */
export function makeItemWrite(
  value: unknown,
  metadata: Omit<ItemWrite, 'json' | 'hash' | 'size'>,
): ItemWrite {
  const json = canonicalJson(value);
  return { ...metadata, json, hash: contentHash(json), size: Buffer.byteLength(json, 'utf8') };
}

/** Thrown inside the fast path when only the exact writer can produce the right output. */
const NEEDS_EXACT_WRITER = new Error('canonicalJson: needs the exact writer');

/** Deeper than this, assume a cycle and let the exact writer report it. */
const MAX_FAST_DEPTH = 256;

/** `"key":` for keys seen before; bounded, since keys of arbitrary maps may never repeat. */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 10_000;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = `${JSON.stringify(key)}:`;
    if (quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** Objects up to this many keys are sorted by insertion (faster than `sort` for few keys). */
const INSERTION_SORT_MAX = 24;

/** Sorts in place by UTF-16 code units, as the default `Array.prototype.sort` does. */
function sortKeys(keys: string[]): string[] {
  if (keys.length > INSERTION_SORT_MAX) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/** Marks a value that is an object (arrays included), for the writers to descend into. */
const OBJECT = Symbol('object');

/**
 * The JSON of a value that is not an object, as `JSON.stringify` writes it: `undefined` for
 * undefined, functions and symbols (omitted from objects, null in arrays), `OBJECT` for objects.
 */
function scalarJson(value: unknown): string | undefined | typeof OBJECT {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonicalJson: BigInt values have no JSON representation');
    case 'object':
      return value === null ? 'null' : OBJECT;
    default:
      return undefined;
  }
}

function writeFast(value: unknown, depth: number): string | undefined {
  const scalar = scalarJson(value);
  if (scalar !== OBJECT) return scalar;
  if (depth > MAX_FAST_DEPTH) throw NEEDS_EXACT_WRITER;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return writeFast((value as { toJSON: () => unknown }).toJSON(), depth + 1);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += writeFast(value[i] as unknown, depth + 1) ?? 'null';
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = sortKeys(Object.keys(record));
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = writeFast(record[key], depth + 1);
    if (member === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += quotedKey(key) + member;
  }
  return `${out}}`;
}

/** The reference implementation: writes the canonical form directly. Exported for tests. */
export function exactCanonicalJson(value: unknown): string {
  const text = write(value, new Set());
  if (text === undefined) throw new TypeError('canonicalJson: value has no JSON representation');
  return text;
}

function write(value: unknown, ancestors: Set<object>): string | undefined {
  const scalar = scalarJson(value);
  if (scalar !== OBJECT) return scalar;
  const object = value as object;
  const withToJson = object as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') {
    return write((withToJson.toJSON as () => unknown)(), ancestors);
  }
  if (ancestors.has(object)) throw new TypeError('canonicalJson: value contains a cycle');
  ancestors.add(object);
  const parts: string[] = [];
  let out: string;
  if (Array.isArray(value)) {
    for (const element of value as unknown[]) parts.push(write(element, ancestors) ?? 'null');
    out = `[${parts.join(',')}]`;
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record).sort()) {
      const member = write(record[key], ancestors);
      if (member !== undefined) parts.push(`${JSON.stringify(key)}:${member}`);
    }
    out = `{${parts.join(',')}}`;
  }
  ancestors.delete(object);
  return out;
}
