import type { ScoredRef, Store, StoreSearchOptions } from "../../src/store/types.js";
import type { StoredChunk } from "../../src/types.js";

export interface SearchedChunk {
  chunk: StoredChunk;
  score: number;
}

/** A store's ranking with its chunks read back, as a search shows it. */
async function read(store: Store, ranked: ScoredRef[]): Promise<SearchedChunk[]> {
  const chunks = new Map((await store.readChunks(ranked.map((r) => r.chunk))).map((c) => [c.id, c]));
  return ranked.flatMap((r) => {
    const chunk = chunks.get(r.chunk.id);
    return chunk ? [{ chunk, score: r.score }] : [];
  });
}

export async function searchDense(store: Store, vector: Float32Array, options: StoreSearchOptions): Promise<SearchedChunk[]> {
  return read(store, await store.rankDense(vector, options));
}

export async function searchLexical(store: Store, terms: string[], options: StoreSearchOptions): Promise<SearchedChunk[]> {
  return read(store, await store.rankLexical(terms, options));
}
