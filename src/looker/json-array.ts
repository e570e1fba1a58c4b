/**
 * Splits a JSON array of objects into its items' bytes without parsing them: a page of whole
 * dashboards (megabytes) goes to the store's writer thread as bytes, and the event loop only
 * scans it. For each item the scan also reads its top-level `id` (when a string without
 * escapes) and which of some top-level keys it has.
 */

export interface ArrayItem {
  /** The item's bytes (a view into the page's buffer). */
  bytes: Uint8Array;
  /** Its top-level `id` when that is a plain string, else undefined. */
  id: string | undefined;
  /** Which of the keys asked about it has at its top level. */
  has: Set<string>;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** The latin1 text of `bytes[from, to)`: exact for the ASCII keys and ids it is used on. */
function ascii(bytes: Uint8Array, from: number, to: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
}

/**
 * The objects of a JSON array, or undefined when `bytes` is not an array whose elements are all
 * objects (the caller then parses it and reports what it is). Assumes valid JSON (a truncated
 * body was refused before); tokens between brackets are not checked.
 */
export function splitJsonArray(
  bytes: Uint8Array,
  keys: readonly string[],
): ArrayItem[] | undefined {
  const wanted = new Set(keys);
  let i = 0;
  const end = bytes.length;
  while (i < end && isWhitespace(bytes[i] as number)) i++;
  if (bytes[i] !== OPEN_BRACKET) return undefined;
  i++;
  const items: ArrayItem[] = [];
  let depth = 1;
  let start = -1;
  let current: ArrayItem | undefined;
  /** Inside an item at depth 2, whether the next string is a key. */
  let expectKey = false;
  let lastKey: string | undefined;
  for (; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte === QUOTE) {
      const from = i + 1;
      let escaped = false;
      i++;
      while (i < end && bytes[i] !== QUOTE) {
        if (bytes[i] === BACKSLASH) {
          escaped = true;
          i++;
        }
        i++;
      }
      if (depth === 2 && current) {
        if (expectKey) {
          lastKey = escaped ? undefined : ascii(bytes, from, i);
          if (lastKey !== undefined && wanted.has(lastKey)) current.has.add(lastKey);
          expectKey = false;
        } else if (lastKey === 'id' && !escaped) {
          current.id = Buffer.from(bytes.buffer, bytes.byteOffset + from, i - from).toString(
            'utf8',
          );
        }
      }
      continue;
    }
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (depth === 1) {
        if (byte !== OPEN_BRACE) return undefined;
        start = i;
        current = { bytes: bytes.subarray(0, 0), id: undefined, has: new Set() };
        expectKey = true;
      }
      depth++;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
      if (depth === 1 && current) {
        current.bytes = bytes.subarray(start, i + 1);
        items.push(current);
        current = undefined;
      } else if (depth === 0) {
        return items;
      }
    } else if (depth === 2 && current) {
      if (byte === 0x2c) {
        expectKey = true;
        lastKey = undefined;
      } else if (byte === COLON) {
        expectKey = false;
      } else if (!isWhitespace(byte) && lastKey === 'id') {
        lastKey = undefined; // a non-string id
      }
    } else if (depth === 1 && !isWhitespace(byte) && byte !== 0x2c) {
      return undefined; // a scalar element
    }
  }
  return undefined;
}
