import { InvalidResponseError } from './errors.js';
import type { LookerRawResponse } from './http-types.js';
import { isCompleteJsonValue } from './json-scan.js';
import { describeBody } from './response-errors.js';

/**
 * JSON bodies of successful responses: parsed (remembering the text each object came from), or
 * left as bytes for the store's writer thread to parse, once a bracket scan shows they are
 * complete.
 */

/**
 * The JSON text (as UTF-8 bytes, outside the JS heap) each parsed response object came from.
 * The extractor hands it to the store's writer, which canonicalizes it in its own thread
 * instead of re-serializing the object on the event loop. Weak: forgotten with the object.
 */
const rawBodies = new WeakMap<object, string | Uint8Array>();

/** The JSON text a response value was parsed from, when it came from this transport. */
export function rawJsonOf(value: unknown): string | Uint8Array | undefined {
  return typeof value === 'object' && value !== null ? rawBodies.get(value) : undefined;
}

/**
 * A successful JSON body left unparsed (see `LookerRequestOptions.deferParse`): the UTF-8
 * bytes of one complete JSON object or array. Complete means its brackets balance and close
 * at its last byte, so a truncated body is caught here (and retried like any garbled
 * response); a body that is complete but not valid JSON is caught where it is parsed.
 */
export class UnparsedJson {
  constructor(readonly bytes: Uint8Array) {}
}

export function utf8Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function isJsonContentType(contentType: string): boolean {
  return /^application\/([\w.+-]*\+)?json\b/i.test(contentType);
}

/** The deferred form of {@link parseJsonBody}: same checks, short of parsing. */
export function unparsedJsonBody(raw: LookerRawResponse, operation: string): UnparsedJson {
  const bytes = raw.bytes ?? new Uint8Array(Buffer.from(raw.body, 'utf8'));
  const decoded = (): LookerRawResponse => ({ ...raw, body: raw.body || utf8Text(bytes) });
  if (!isJsonContentType(raw.contentType)) {
    // Throws the same error a parsed body would.
    parseJsonBody(decoded(), operation);
  }
  if (!isCompleteJsonValue(bytes)) {
    throw new InvalidResponseError(
      `${operation}: the response is not valid JSON (${bytes.byteLength} bytes, HTTP ${raw.statusCode}).`,
      { operation, status: raw.statusCode },
    );
  }
  return new UnparsedJson(bytes);
}

/** Parses a successful body: JSON when the server says JSON, '' when empty (204). */
export function parseJsonBody(raw: LookerRawResponse, operation: string): unknown {
  if (raw.body === '' && (raw.statusCode === 204 || raw.contentType === '')) return '';
  if (!isJsonContentType(raw.contentType)) {
    throw new InvalidResponseError(
      `${operation}: expected JSON from the Looker API, got ${describeBody(raw)} (HTTP ${raw.statusCode}).`,
      {
        operation,
        status: raw.statusCode,
        hint: 'Check that base_url is the Looker API URL (e.g. https://mycompany.looker.com or :19999), not a proxy or login page.',
      },
    );
  }
  try {
    const value = JSON.parse(raw.body) as unknown;
    if (typeof value === 'object' && value !== null) rawBodies.set(value, raw.bytes ?? raw.body);
    return value;
  } catch (error) {
    throw new InvalidResponseError(
      `${operation}: the response is not valid JSON (${raw.body.length} bytes, HTTP ${raw.statusCode}).`,
      { operation, status: raw.statusCode, cause: error },
    );
  }
}
