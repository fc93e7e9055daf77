import { RagkitError } from "../errors.js";
import type { Hit } from "../types.js";
import type { Reranker } from "./types.js";

export interface RerankOptions {
  k: number;
  /** Throw instead of falling back to the first-stage order when the reranker fails. */
  strict?: boolean;
  signal?: AbortSignal;
}

export interface Reranked {
  hits: Hit[];
  warnings: string[];
}

/**
 * Reorders first-stage hits by a reranker's scores and cuts to k. Scored hits come first, by score;
 * hits it could not score keep their first-stage order after them. A failing reranker never loses
 * the first-stage hits (unless `strict`): they come back in their order, with a warning.
 */
export async function rerankHits(reranker: Reranker, query: string, hits: Hit[], options: RerankOptions): Promise<Reranked> {
  if (hits.length === 0) return { hits: [], warnings: [] };
  const scores: Array<number | undefined> = new Array(hits.length).fill(undefined);
  const warnings: string[] = [];
  const starts = Array.from({ length: Math.ceil(hits.length / reranker.maxBatchSize) }, (_, b) => b * reranker.maxBatchSize);
  const scoreBatch = async (i: number) => {
    const part = hits.slice(i, i + reranker.maxBatchSize);
    const result = await reranker.score(
      query,
      part.map((h) => h.chunk.text),
      options.signal ? { signal: options.signal } : {},
    );
    if (result.scores.length !== part.length) {
      throw new RagkitError("PROVIDER_BAD_RESPONSE", `${reranker.id} returned ${result.scores.length} scores for ${part.length} passages`);
    }
    result.scores.forEach((score, j) => {
      scores[i + j] = score;
    });
    warnings.push(...(result.warnings ?? []));
  };
  try {
    // Batches run `concurrency` at a time (a cross-encoder's workers); scores land at their offsets.
    let next = 0;
    const lanes = Math.max(1, Math.min(reranker.concurrency ?? 1, starts.length));
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (next < starts.length) await scoreBatch(starts[next++] as number);
      }),
    );
  } catch (error) {
    if (options.strict || (RagkitError.isInstance(error) && error.code === "ABORTED")) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    return { hits: hits.slice(0, options.k), warnings: [`${reranker.id} failed, first-stage order kept: ${reason}`] };
  }
  const ranked = hits.map((hit, i) => ({ hit, score: scores[i], i }));
  const scored = ranked.filter((r): r is { hit: Hit; score: number; i: number } => typeof r.score === "number" && Number.isFinite(r.score));
  const unscored = ranked.filter((r) => !(typeof r.score === "number" && Number.isFinite(r.score)));
  if (unscored.length > 0)
    warnings.push(`${reranker.id} could not score ${unscored.length} of ${hits.length} passages; they keep their first-stage order`);
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  const out = [
    ...scored.map((r) => ({ ...r.hit, score: r.score, scores: { ...r.hit.scores, rerank: r.score } })),
    ...unscored.map((r) => r.hit),
  ];
  return { hits: out.slice(0, options.k), warnings };
}
