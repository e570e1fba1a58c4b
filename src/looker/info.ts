import { RequestAbortedError } from '../errors.js';
import pLimit from 'p-limit';
import { CONTENT_TYPES, type ContentType } from '../content-types.js';
import { AuthError, toLookervaultError } from '../errors.js';
import type { LookerClient } from './client.js';
import { REGISTRY } from './registry.js';

/**
 * `lookervault info`: the instance, its Looker and API versions, and how many items of each
 * type it holds, counted cheaply with the registry's id-only listings (`listIds`: one
 * `fields=id` request per type where the API allows, id pages otherwise), a few at a time.
 */

export interface InstanceInfo {
  url: string;
  lookerVersion: string;
  apiVersions: string[];
  /** Items per type; null when the type could not be counted (see `errors`). */
  counts: Record<ContentType, number | null>;
  /** Why a type could not be counted, by type. Empty when every count succeeded. */
  errors: Partial<Record<ContentType, string>>;
}

export interface GatherInfoOptions {
  /** Types counted at once. Minimum 1. @default 4 */
  concurrency?: number;
  signal?: AbortSignal;
}

/**
 * Throws for failures that concern the whole instance (unreachable, not Looker, login
 * refused, cancelled); a type that cannot be counted is reported in `errors` instead.
 */
export async function gatherInfo(
  client: LookerClient,
  options: GatherInfoOptions = {},
): Promise<InstanceInfo> {
  const { signal } = options;
  const versions = await client.versions(signal);
  await client.login();
  const limit = pLimit(Math.max(1, options.concurrency ?? 4));
  const counts = {} as Record<ContentType, number | null>;
  const errors: Partial<Record<ContentType, string>> = {};
  await Promise.all(
    CONTENT_TYPES.map((type) =>
      limit(async () => {
        try {
          counts[type] = new Set(await REGISTRY[type].listIds(client, signal)).size;
        } catch (error) {
          if (error instanceof AuthError || error instanceof RequestAbortedError) throw error;
          counts[type] = null;
          errors[type] = toLookervaultError(error).message;
        }
      }),
    ),
  );
  return {
    url: client.baseUrl,
    lookerVersion: versions.lookerVersion,
    apiVersions: versions.apiVersions,
    // In the table's order, whatever order the counts finished in.
    counts: Object.fromEntries(CONTENT_TYPES.map((type) => [type, counts[type]])) as Record<
      ContentType,
      number | null
    >,
    errors,
  };
}
