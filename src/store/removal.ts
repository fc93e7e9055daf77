import path from "node:path";
import type { DocumentSummary } from "./types.js";

/**
 * What `remove` arguments name: a document id, a file path (its documents), or a directory (every
 * document under it). Arguments that name nothing are returned as `notFound`.
 */
export function resolveRemovals(documents: DocumentSummary[], idsOrPaths: string[]): { ids: string[]; notFound: string[] } {
  const byId = new Set(documents.map((d) => d.id));
  const ids = new Set<string>();
  const notFound: string[] = [];
  for (const item of idsOrPaths) {
    if (byId.has(item)) {
      ids.add(item);
      continue;
    }
    const absolute = path.resolve(item);
    const matches = documents.filter((d) => d.source === absolute || d.source.startsWith(absolute + path.sep));
    if (matches.length === 0) notFound.push(item);
    for (const d of matches) ids.add(d.id);
  }
  return { ids: [...ids], notFound };
}
