import type { Embedder } from "../embed/types.js";
import type { ChunkRecord, ScoredRef, Store } from "../store/types.js";
import { analyze } from "../text/analyzer.js";
import type { TrainingPair } from "../types.js";
import { dot, normalize } from "./adapter.js";
import type { AdapterExample } from "./train-adapter.js";

/** Everything tuning needs about one training query, fetched once. */
export interface PreparedPair {
  pair: TrainingPair;
  vector: Float32Array;
  /** One per gold document (the chunk closest to the query), best-judged first. */
  examples: AdapterExample[];
  /** BM25's ranking at the depth search uses; fusion is replayed from it offline. */
  lexical: ScoredRef[];
  /** Dense ranking with the untuned query vector. */
  dense: ScoredRef[];
}

export interface PrepareOptions {
  /** Candidates per retriever, as search asks for them. */
  depth: number;
  /** Gold documents per query turned into examples (a query with 40 judged documents would drown the rest). */
  positivesPerQuery: number;
  /** Hard negatives per example: the first BM25 hits outside the gold documents. */
  negatives: number;
  onProgress?: (done: number, total: number) => void;
}

const EMBED_BATCH = 64;

/** Embeds the queries, picks each gold document's best chunk, mines hard negatives and runs both retrievers. */
export async function preparePairs(
  store: Store,
  embedder: Embedder,
  pairs: TrainingPair[],
  options: PrepareOptions,
): Promise<PreparedPair[]> {
  const vectors: Float32Array[] = [];
  for (let i = 0; i < pairs.length; i += EMBED_BATCH) {
    vectors.push(
      ...(await embedder.embed(
        pairs.slice(i, i + EMBED_BATCH).map((p) => p.query),
        "query",
      )),
    );
  }
  const prepared: PreparedPair[] = [];
  for (const [i, pair] of pairs.entries()) {
    const vector = vectors[i] as Float32Array;
    const [lexical, dense] = await Promise.all([
      store.rankLexical(analyze(pair.query), { k: options.depth }),
      store.rankDense(vector, { k: options.depth }),
    ]);
    const examples = await examplesFor(store, pair, vector, lexical, options);
    prepared.push({ pair, vector, examples, lexical, dense });
    options.onProgress?.(i + 1, pairs.length);
  }
  return prepared;
}

async function examplesFor(
  store: Store,
  pair: TrainingPair,
  vector: Float32Array,
  lexical: ScoredRef[],
  options: PrepareOptions,
): Promise<AdapterExample[]> {
  const goldIds = [...pair.gold]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, options.positivesPerQuery)
    .map(([id]) => id);
  const gold = new Set(pair.gold.keys());
  const negativeDocs = [...(pair.negatives ?? []), ...lexical.map((h) => h.chunk.documentId)].filter((id) => !gold.has(id));
  const negativeChunks = new Set(lexical.filter((h) => !gold.has(h.chunk.documentId)).map((h) => h.chunk.id));
  const records = await store.getChunkRecords([...new Set([...goldIds, ...negativeDocs.slice(0, options.negatives * 2)])]);
  const byDocument = new Map<string, ChunkRecord[]>();
  for (const r of records) byDocument.set(r.documentId, [...(byDocument.get(r.documentId) ?? []), r]);

  // Rated-down documents' best chunks first, then BM25's top hits that are not gold.
  const negatives: Float32Array[] = [];
  const rated = new Set(pair.negatives ?? []);
  for (const id of new Set(negativeDocs)) {
    if (negatives.length >= options.negatives) break;
    const chunks = byDocument.get(id) ?? [];
    const pick = rated.has(id) ? closest(chunks, vector) : chunks.find((c) => negativeChunks.has(c.id));
    if (pick) negatives.push(unit(pick.vector));
  }
  const examples: AdapterExample[] = [];
  for (const id of goldIds) {
    const best = closest(byDocument.get(id) ?? [], vector);
    if (best) examples.push({ query: vector, positive: unit(best.vector), positiveDocument: id, gold, negatives });
  }
  return examples;
}

function closest(chunks: ChunkRecord[], vector: Float32Array): ChunkRecord | undefined {
  let best: ChunkRecord | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const c of chunks) {
    const score = dot(c.vector, vector);
    if (score > bestScore) [best, bestScore] = [c, score];
  }
  return best;
}

function unit(vector: Float32Array): Float32Array {
  return normalize(Float32Array.from(vector));
}
