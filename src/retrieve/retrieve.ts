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

/** A filter allowing at least this many documents is applied after the search, not before. */
const BROAD_FILTER = 1_000;
/** How many candidates an after-search filter reads (before keeping the allowed ones). */
const OVERFETCH = 5;

interface Candidates {
  lexical: ScoredChunk[];
  dense: ScoredChunk[];
}

async function candidatesFor(deps: RetrieveDeps, query: string, mode: SearchMode, search: StoreSearchOptions): Promise<Candidates> {
  const [lexical, dense] = await Promise.all([
    mode !== "dense" ? deps.store.searchLexical(analyze(query), search) : Promise.resolve<ScoredChunk[]>([]),
    mode !== "lexical" && query.trim().length > 0
      ? deps.queryCache.get(deps.embedder, query).then((vector) => deps.store.searchDense(deps.adapt ? deps.adapt(vector) : vector, search))
      : Promise.resolve<ScoredChunk[]>([]),
  ]);
  return { lexical, dense };
}

/**
 * A broad filter (thousands of documents) costs the store more as a pre-filter than it saves: the
 * search runs unfiltered over a few times more candidates and keeps the allowed ones. When too few
 * survive (the filter is narrower than it looked), the exact pre-filtered search runs instead.
 */
async function filteredCandidates(deps: RetrieveDeps, query: string, mode: SearchMode, k: number, candidates: number, ids: string[]) {
  if (ids.length >= BROAD_FILTER) {
    const allowed = new Set(ids);
    const wide = await candidatesFor(deps, query, mode, { k: candidates * OVERFETCH });
    const keep = (list: ScoredChunk[]) => list.filter((c) => allowed.has(c.chunk.documentId)).slice(0, candidates);
    const kept = { lexical: keep(wide.lexical), dense: keep(wide.dense) };
    const enough = (list: ScoredChunk[], all: ScoredChunk[]) => list.length >= k || all.length < candidates * OVERFETCH;
    if (enough(kept.lexical, wide.lexical) && enough(kept.dense, wide.dense)) return kept;
  }
  return candidatesFor(deps, query, mode, { k: candidates, documentIds: ids });
}

/** Dense, lexical (BM25) or hybrid retrieval with exact metadata filtering. */
export async function retrieve(deps: RetrieveDeps, query: string, options: RetrieveOptions): Promise<Hit[]> {
  let documentIds: string[] | undefined;
  if (hasConditions(options.filter)) {
    const candidates = deps.store.narrowDocuments ? await deps.store.narrowDocuments(options.filter) : await deps.store.listDocuments();
    documentIds = matchingDocumentIds(candidates, options.filter);
    if (documentIds.length === 0) return [];
  }
  // Collapsing needs room: several candidates may come from the same document.
  const candidates = Math.max(options.candidates, options.collapse ? options.k * 3 : options.k);
  const { lexical, dense } = documentIds
    ? await filteredCandidates(deps, query, options.mode, options.k, candidates, documentIds)
    : await candidatesFor(deps, query, options.mode, { k: candidates });
  const hits = fuse(lexical, dense, { denseWeight: options.denseWeight, fusion: options.fusion ?? "convex" });
  return (options.collapse ? collapseToDocuments(hits) : hits).slice(0, options.k);
}
