import { availableParallelism } from "node:os";
import type { WorkerPool } from "../embed/worker-pool.js";
import { RagkitError } from "../errors.js";
import { type DownloadProgress, downloadModel, isDownloaded } from "../provider/hub-download.js";
import { type Dtype, importTransformers, locateModel } from "../provider/transformers.js";
import { startTransformersPool } from "../provider/transformers-pool.js";
import type { Reranker, RerankScores } from "./types.js";

export interface CrossEncoderOptions {
  /** A hub id (e.g. Xenova/ms-marco-MiniLM-L-6-v2, Xenova/bge-reranker-base) or a local folder. */
  model: string;
  dtype?: Dtype;
  cacheDir?: string;
  batchSize?: number;
  /** Follows the first download of a hub model (otherwise the process-wide `Rag.onModelDownload` listener hears it). */
  onDownload?: (p: DownloadProgress) => void;
  /** Worker processes, each with its own copy of the model; default 2 (a search reranks ~30 passages). */
  workers?: number;
}

/**
 * A cross-encoder (query and passage read together) through transformers.js sequence
 * classification, in child processes so a search's reranking never holds the main thread. One
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
    // Downloaded here, once, before the worker processes start (they then load from the cache).
    if (!isDownloaded(located, dtype)) await downloadModel(located, options.model, dtype, options.onDownload);
    const { pool } = await startTransformersPool({
      task: "classify",
      model: options.model,
      located,
      dtype,
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
      workers: Math.max(1, options.workers || Math.min(2, availableParallelism())),
      label: `cross-encoder ${located.name}`,
      probe: ["probe", "probe"],
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
