import path from "node:path";
import picomatch from "picomatch";
import { metadataMatches } from "../store/document-index.js";
import type { DocumentSummary } from "../store/types.js";
import type { SearchFilter } from "../types.js";

export function hasConditions(filter: SearchFilter | undefined): filter is SearchFilter {
  return !!filter && (filter.source !== undefined || filter.documentId !== undefined || Object.keys(filter.metadata ?? {}).length > 0);
}

/**
 * The documents a filter allows. Resolving against the document list (far shorter than the chunk
 * list) lets every store apply the filter as an exact pre-filter on document ids.
 */
export function matchingDocumentIds(documents: readonly DocumentSummary[], filter: SearchFilter, cwd = process.cwd()): string[] {
  const glob = filter.source ? picomatch(filter.source, { dot: true }) : undefined;
  const ids =
    filter.documentId === undefined ? undefined : new Set(Array.isArray(filter.documentId) ? filter.documentId : [filter.documentId]);
  return documents
    .filter((document) => {
      if (ids && !ids.has(document.id)) return false;
      if (glob) {
        const relative = path.relative(cwd, document.source).split(path.sep).join("/");
        if (!glob(document.source) && !glob(relative)) return false;
      }
      return !filter.metadata || metadataMatches(document.metadata, filter.metadata);
    })
    .map((document) => document.id);
}
