/**
 * A second-stage ranker: a query and the first stage's passages in, one relevance score per passage
 * out (higher is more relevant), in input order. `undefined` marks a passage it could not score.
 * Cutting to k, ordering, fallbacks and warnings are written once in `rerank.ts`.
 */
export interface Reranker {
  /** e.g. `cross-encoder:Xenova/ms-marco-MiniLM-L-6-v2`. */
  readonly id: string;
  /** Passages worth scoring in one call. */
  readonly maxBatchSize: number;
  /** Batches worth scoring at once (e.g. worker threads); default 1. */
  readonly concurrency?: number;
  score(query: string, passages: string[], options?: { signal?: AbortSignal }): Promise<RerankScores>;
  close(): Promise<void>;
}

export interface RerankScores {
  scores: Array<number | undefined>;
  /** What went partly wrong (e.g. a model's output that could not be read for some passages). */
  warnings?: string[];
}
