import type { IRawResponse, ITransportSettings } from '@looker/sdk-rtl';

/** What lookervault's transport adds to the SDK's request options and raw responses. */

/** Extra request options lookervault passes through the SDK's `options` argument. */
export interface LookerRequestOptions extends Partial<ITransportSettings> {
  /** The SDK operation name (`search_dashboards`), for error messages. */
  operation?: string;
  /** Overrides the transport's timeout for this request. */
  timeoutMs?: number;
  /**
   * Resolve a JSON body as {@link UnparsedJson} (its bytes, checked to be complete) instead
   * of parsing it: for large items that only the store's writer thread needs to parse.
   */
  deferParse?: boolean;
  /** Called with the response's headers (lower-case names) when the request succeeded. */
  onHeaders?: (headers: Readonly<Record<string, string>>) => void;
}

/** The raw response, with the body already read as text. */
export interface LookerRawResponse extends IRawResponse {
  body: string;
  /** The body as received (UTF-8 bytes), kept for the JSON text of parsed responses. */
  bytes?: Uint8Array;
  /** The `Authorization` header the request was sent with (to match a 401 to its token). */
  sentAuthorization?: string;
}
