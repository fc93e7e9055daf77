import type { QueryVectorCache } from "../embed/embed-batches.js";
import type { Embedder } from "../embed/types.js";
import type { ScoredRef, Store, StoreSearchOptions } from "../store/types.js";
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
  const wantsDense = options.mode !== "lexical" && query.trim().length > 0;
  // Narrowed while the query is embedded (and only for a ranking that awaits it, so a failure is
  // never left unheard); rankings first, chunks after: only the hits kept are read.
  const narrowed = deps.store.narrowSearch && (wantsLexical || wantsDense) ? deps.store.narrowSearch(search) : Promise.resolve(search);
  const [lexical, dense] = await Promise.all([
    wantsLexical ? narrowed.then((scope) => deps.store.rankLexical(analyze(query), scope)) : Promise.resolve<ScoredRef[]>([]),
    wantsDense
      ? Promise.all([deps.queryCache.get(deps.embedder, query), narrowed]).then(([vector, scope]) =>
          deps.store.rankDense(deps.adapt ? deps.adapt(vector) : vector, scope),
        )
      : Promise.resolve<ScoredRef[]>([]),
  ]);
  const fused = fuse(lexical, dense, { denseWeight: options.denseWeight, fusion: options.fusion ?? "convex" });
  const kept = (options.collapse ? collapseToDocuments(fused) : fused).slice(0, options.k);
  const chunks = new Map((await deps.store.readChunks(kept.map((hit) => hit.chunk))).map((chunk) => [chunk.id, chunk]));
  // A chunk deleted between the ranking and the read is left out, as if the search had come after.
  return kept.flatMap((hit) => {
    const chunk = chunks.get(hit.chunk.id);
    return chunk ? [{ ...hit, chunk }] : [];
  });
}
