import type { EmbedPurpose } from "../types.js";

/**
 * One batch in, one vector per text out, unit length. Batching across a corpus, caching and
 * concurrency live once in `embed-batches.ts`; an embedder only embeds what it is given.
 */
export interface Embedder {
  /** Recorded in the index manifest: vectors from different ids are never mixed. */
  readonly id: string;
  readonly dimensions: number;
  /** Largest batch worth sending in one call. */
  readonly maxBatchSize: number;
  /** How many batches may be in flight at once (e.g. worker threads). */
  readonly concurrency: number;
  /**
   * Longest input the model reads, in characters; longer texts are cut to it before embedding
   * (the model would ignore or choke on the rest). Undefined: no limit.
   */
  readonly maxInputChars?: number;
  /**
   * The model's own tokenizer and how many tokens it reads, when the runtime exposes them: chunks
   * are then cut to fit in its tokens instead of being truncated silently.
   */
  readonly tokenizer?: { id: string; maxTokens: number; count(text: string): number };
  embed(texts: string[], purpose: EmbedPurpose): Promise<Float32Array[]>;
  /** Start expensive resources ahead of a large job so they overlap with file loading. */
  warm?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An embedder of the caller's own (`Rag.open({ embedder })`, `reindex({ embedder })`): an id, the
 * dimensions and `embed`, which may return plain arrays; batch size, concurrency and close default.
 */
export type CallerEmbedder = Pick<Embedder, "id" | "dimensions"> & {
  embed(texts: string[], purpose: EmbedPurpose): Promise<ArrayLike<number>[]>;
} & Partial<Omit<Embedder, "id" | "dimensions" | "embed">>;
