import { availableParallelism } from "node:os";
import { WorkerPool } from "../embed/worker-pool.js";
import { RagkitError } from "../errors.js";
import { type Dtype, importTransformers, locateModel } from "../provider/transformers.js";
import type { TransformersWorkerData } from "../provider/transformers-worker.js";
import type { Reranker, RerankScores } from "./types.js";

const workerUrl = new URL(`../provider/transformers-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url);

export interface CrossEncoderOptions {
  /** A hub id (e.g. Xenova/ms-marco-MiniLM-L-6-v2, Xenova/bge-reranker-base) or a local folder. */
  model: string;
  dtype?: Dtype;
  cacheDir?: string;
  batchSize?: number;
  /** Worker threads, each with its own copy of the model; default 2 (a search reranks ~30 passages). */
  workers?: number;
}

/**
 * A cross-encoder (query and passage read together) through transformers.js sequence
 * classification, in worker threads so a search's reranking never holds the main thread. One
 * logit is the relevance (ms-marco MiniLM, bge-reranker); with several labels the last one's
 * log-odds is.
 */
export class CrossEncoderReranker implements Reranker {
  readonly id: string;
  readonly maxBatchSize: number;
  readonly concurrency: number;

  private constructor(
    private readonly pool: WorkerPool,
    name: string,
    options: CrossEncoderOptions,
  ) {
    this.id = `cross-encoder:${name}`;
    this.maxBatchSize = options.batchSize ?? 16;
    this.concurrency = pool.size;
  }

  static async create(options: CrossEncoderOptions): Promise<CrossEncoderReranker> {
    const t = await importTransformers();
    const dtype = options.dtype ?? "fp32";
    const located = locateModel(t, options.model, dtype, options.cacheDir);
    const cores = availableParallelism();
    const workers = Math.max(1, options.workers || Math.min(2, cores));
    const workerData: TransformersWorkerData = {
      task: "classify",
      model: located.local ? (located.folder as string) : options.model,
      dtype,
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
      threads: Math.max(1, Math.floor(cores / workers)),
    };
    const pool = new WorkerPool(workerUrl, workers, { workerData, label: `cross-encoder ${located.name}`, isolation: "process" });
    // Loads (or downloads) the model now, so a bad folder fails at open rather than at the first search.
    await pool.run(["probe", "probe"], { urgent: true }).catch(async (error) => {
      await pool.close();
      throw error;
    });
    return new CrossEncoderReranker(pool, located.name, options);
  }

  async score(query: string, passages: string[], options: { signal?: AbortSignal } = {}): Promise<RerankScores> {
    if (passages.length === 0) return { scores: [] };
    if (options.signal?.aborted) throw new RagkitError("ABORTED", "Reranking was aborted");
    const rows = await this.pool.run([query, ...passages], { urgent: true });
    return {
      scores: rows.map((row) => {
        if (row.length === 1) return row[0] as number;
        const last = row[row.length - 1] as number;
        const others = Math.log(Array.from(row.subarray(0, -1)).reduce((s, x) => s + Math.exp(x), 0));
        return last - others;
      }),
    };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
