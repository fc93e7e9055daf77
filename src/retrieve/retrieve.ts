import type { QueryVectorCache } from "../embed/embed-batches.js";
import type { Embedder } from "../embed/types.js";
import type { ScoredChunk, Store, StoreSearchOptions } from "../store/types.js";
import { analyze } from "../text/analyzer.js";
import type { Hit, SearchFilter, SearchMode } from "../types.js";
import { hasConditions, matchingDocumentIds } from "./filter.js";
import { collapseToDocuments, type Fusion, fuse } from "./fuse.js";

export interface RetrieveOptions {
  k: number;
  mode: SearchMode;
  denseWeight: number;
  candidates: number;
  fusion?: Fusion;
  filter?: SearchFilter;
  /** One hit per document (the best chunk), e.g. for document-level evaluation. */
  collapse?: boolean;
}

export interface RetrieveDeps {
  store: Store;
  embedder: Embedder;
  queryCache: QueryVectorCache;
  /** A tuned map applied to the query vector (after the cache: the embedder's vector is what is cached). */
  adapt?: (vector: Float32Array) => Float32Array;
}

/** Dense, lexical (BM25) or hybrid retrieval with exact metadata pre-filtering. */
export async function retrieve(deps: RetrieveDeps, query: string, options: RetrieveOptions): Promise<Hit[]> {
  // Collapsing needs room: several candidates may come from the same document.
  const candidates = Math.max(options.candidates, options.collapse ? options.k * 3 : options.k);
  const search: StoreSearchOptions = { k: candidates };
  const filter = options.filter;
  if (hasConditions(filter)) {
    if (filter.source === undefined && filter.documentId === undefined) {
      // Metadata alone: the store applies it itself (LanceDB through an index on the chunks).
      search.metadata = filter.metadata;
    } else {
      const documents = deps.store.narrowDocuments ? await deps.store.narrowDocuments(filter) : await deps.store.listDocuments();
      search.documentIds = matchingDocumentIds(documents, filter);
      if (search.documentIds.length === 0) return [];
    }
  }
  const wantsLexical = options.mode !== "dense";
  const wantsDense = options.mode !== "lexical";
  const [lexical, dense] = await Promise.all([
    wantsLexical ? deps.store.searchLexical(analyze(query), search) : Promise.resolve<ScoredChunk[]>([]),
    wantsDense && query.trim().length > 0
      ? deps.queryCache.get(deps.embedder, query).then((vector) => deps.store.searchDense(deps.adapt ? deps.adapt(vector) : vector, search))
      : Promise.resolve<ScoredChunk[]>([]),
  ]);
  const hits = fuse(lexical, dense, { denseWeight: options.denseWeight, fusion: options.fusion ?? "convex" });
  return (options.collapse ? collapseToDocuments(hits) : hits).slice(0, options.k);
}
