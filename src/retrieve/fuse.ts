import type { ChunkRef } from "../store/types.js";
import type { HitScores } from "../types.js";

export type Fusion = "convex" | "rrf";

export interface FuseOptions {
  /** Weight of the dense list; the lexical list gets 1 - denseWeight. */
  denseWeight: number;
  fusion: Fusion;
  /** The `k` of reciprocal-rank fusion. */
  rrfK?: number;
}

/** A ranked chunk, read (a `StoredChunk`) or not yet (a `ChunkRef`). */
interface Scored<C extends ChunkRef> {
  chunk: C;
  score: number;
}

/** A fused hit: a `Hit` once its chunk is read. */
export interface Fused<C extends ChunkRef> extends Scored<C> {
  scores: HitScores;
}

function minMax(list: Array<Scored<ChunkRef>>): Map<string, number> {
  const out = new Map<string, number>();
  if (list.length === 0) return out;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const { score } of list) {
    min = Math.min(min, score);
    max = Math.max(max, score);
  }
  const range = max - min;
  for (const { chunk, score } of list) out.set(chunk.id, range > 0 ? (score - min) / range : 1);
  return out;
}

function reciprocalRanks(list: Array<Scored<ChunkRef>>, k: number): Map<string, number> {
  return new Map(list.map(({ chunk }, rank) => [chunk.id, 1 / (k + rank + 1)]));
}

/**
 * Merges a lexical and a dense ranking into one. Convex fusion of min-max normalised scores keeps
 * how far apart the scores are, so a weak retriever with a small weight only breaks near-ties of a
 * strong one; rank fusion throws that away. When one list is empty the other is returned as is.
 */
export function fuse<C extends ChunkRef>(lexical: Array<Scored<C>>, dense: Array<Scored<C>>, options: FuseOptions): Array<Fused<C>> {
  const chunks = new Map<string, C>();
  for (const { chunk } of [...lexical, ...dense]) if (!chunks.has(chunk.id)) chunks.set(chunk.id, chunk);
  const rawLexical = new Map(lexical.map((s) => [s.chunk.id, s.score]));
  const rawDense = new Map(dense.map((s) => [s.chunk.id, s.score]));
  const weightDense = lexical.length === 0 ? 1 : dense.length === 0 ? 0 : options.denseWeight;
  const normLexical = options.fusion === "rrf" ? reciprocalRanks(lexical, options.rrfK ?? 60) : minMax(lexical);
  const normDense = options.fusion === "rrf" ? reciprocalRanks(dense, options.rrfK ?? 60) : minMax(dense);
  const hits: Array<Fused<C>> = [];
  for (const [id, chunk] of chunks) {
    const fused = (1 - weightDense) * (normLexical.get(id) ?? 0) + weightDense * (normDense.get(id) ?? 0);
    const lexicalScore = rawLexical.get(id);
    const denseScore = rawDense.get(id);
    hits.push({
      chunk,
      score: fused,
      scores: {
        ...(lexicalScore !== undefined ? { lexical: lexicalScore } : {}),
        ...(denseScore !== undefined ? { dense: denseScore } : {}),
        fused,
      },
    });
  }
  // Ties broken by id so results are reproducible run to run.
  return hits.sort((a, b) => b.score - a.score || (a.chunk.id < b.chunk.id ? -1 : 1));
}

/** Keeps the best hit of each document, in order. */
export function collapseToDocuments<H extends { chunk: ChunkRef }>(hits: H[]): H[] {
  const seen = new Set<string>();
  return hits.filter((hit) => {
    if (seen.has(hit.chunk.documentId)) return false;
    seen.add(hit.chunk.documentId);
    return true;
  });
}
