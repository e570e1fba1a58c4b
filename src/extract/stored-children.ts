import type { ChildListing } from '../looker/registry.js';
import type { RunContext } from './run-context.js';

/**
 * The ids of the children a stored parent names (a model's explores, a folder's access): none
 * when the backup does not hold the parent or cannot read it.
 */
export function storedChildIds(
  ctx: Pick<RunContext, 'ledger' | 'registry'>,
  listing: ChildListing,
  parentId: string,
): string[] {
  const parsed = ctx.registry[listing.parent].parseItem(
    ctx.ledger.storedJson(listing.parent, parentId),
  );
  return parsed.ok ? listing.childIds(parsed) : [];
}
