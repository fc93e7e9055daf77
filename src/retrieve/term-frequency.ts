import type { Store } from "../store/types.js";

/**
 * How many chunks of the index hold each term, counted up to `cap` (one small full-text query per
 * term): enough to tell a question's specific terms from its common ones without a term table.
 */
export async function countTermChunks(
  store: Pick<Store, "rankLexical">,
  terms: Iterable<string>,
  cap: number,
): Promise<Map<string, number>> {
  const unique = [...new Set(terms)];
  const counts = await Promise.all(unique.map((t) => store.rankLexical([t], { k: cap }).then((hits) => hits.length)));
  return new Map(unique.map((t, i) => [t, counts[i] ?? 0]));
}
