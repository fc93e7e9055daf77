import { availableParallelism } from "node:os";
import { type DownloadProgress, downloadModel, isDownloaded } from "../provider/hub-download.js";
import { type Dtype, importTransformers, loadError, locateModel } from "../provider/transformers.js";
import { startTransformersPool } from "../provider/transformers-pool.js";
import type { EmbedPurpose } from "../types.js";
import { type ModelRecipe, modelRecipe, type Pooling } from "./transformers-models.js";
import type { Embedder } from "./types.js";
import type { WorkerPool } from "./worker-pool.js";

export interface TransformersEmbedderOptions {
  /** A Hugging Face hub id (downloaded once into `cacheDir`) or a local model folder. */
  model: string;
  /** fp32 (default), fp16 or q8: which ONNX file of the folder is used. */
  dtype?: Dtype;
  /** Where hub models are kept; default ~/.cache/ragkit/models/transformers (or RAGKIT_MODELS_DIR). */
  cacheDir?: string;
  batchSize?: number;
  /** Follows the first download of a hub model (otherwise the process-wide `Rag.onModelDownload` listener hears it). */
  onDownload?: (p: DownloadProgress) => void;
  /** Worker processes, each with its own copy of the model; default the cores, at most 4. */
  workers?: number;
  /** Override what the folder and the table of known models say. */
  pooling?: Pooling;
  queryPrefix?: string;
  documentPrefix?: string;
}

type Tokenizer = { encode(text: string): number[] };

/**
 * Sentence-embedding models through transformers.js (ONNX Runtime): MiniLM, bge, e5, gte, nomic,
 * arctic-embed, mxbai… from a local folder or a hub id. The model runs in child processes (see
 * `provider/transformers-pool.ts`); the main thread keeps only the tokenizer, to cut chunks to the
 * model's reach.
 */
export class TransformersEmbedder implements Embedder {
  readonly id: string;
  readonly maxBatchSize: number;
  readonly concurrency: number;
  readonly maxInputChars: number;
  readonly tokenizer: { id: string; maxTokens: number; count(text: string): number };

  private constructor(
    private readonly pool: WorkerPool,
    private readonly recipe: ModelRecipe,
    readonly dimensions: number,
    tokenizer: Tokenizer,
    name: string,
    options: TransformersEmbedderOptions,
  ) {
    this.id = `transformers:${name}${options.dtype && options.dtype !== "fp32" ? `:${options.dtype}` : ""}`;
    this.maxBatchSize = options.batchSize || 32;
    this.concurrency = pool.size;
    // A word piece is ~4 characters of English; the tokenizer truncates exactly at maxTokens anyway.
    this.maxInputChars = recipe.maxTokens * 6;
    this.tokenizer = { id: this.id, maxTokens: recipe.maxTokens, count: (text) => tokenizer.encode(text).length };
  }

  static async create(options: TransformersEmbedderOptions): Promise<TransformersEmbedder> {
    const t = await importTransformers();
    const dtype = options.dtype ?? "fp32";
    const located = locateModel(t, options.model, dtype, options.cacheDir);
    // Downloaded here, once, before the worker processes start (they then load from the cache).
    if (!isDownloaded(located, dtype)) await downloadModel(located, options.model, dtype, options.onDownload);
    let tokenizer: Tokenizer;
    try {
      tokenizer = (await t.AutoTokenizer.from_pretrained(located.name)) as unknown as Tokenizer;
    } catch (error) {
      throw loadError(located, options.model, error);
    }
    const recipe = { ...modelRecipe(options.model, located.folder) };
    if (options.pooling) recipe.pooling = options.pooling;
    if (options.queryPrefix !== undefined) recipe.queryPrefix = options.queryPrefix;
    if (options.documentPrefix !== undefined) recipe.documentPrefix = options.documentPrefix;
    const { pool, probe } = await startTransformersPool({
      task: "embed",
      model: options.model,
      located,
      dtype,
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
      pooling: recipe.pooling,
      workers: Math.max(1, options.workers || Math.min(4, availableParallelism())),
      label: `model ${located.name}`,
      probe: ["probe"],
    });
    return new TransformersEmbedder(pool, recipe, (probe[0] as Float32Array).length, tokenizer, located.name, options);
  }

  async embed(texts: string[], purpose: EmbedPurpose): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const prefix = purpose === "query" ? this.recipe.queryPrefix : this.recipe.documentPrefix;
    return this.pool.run(
      texts.map((t) => prefix + t),
      { urgent: purpose === "query" },
    );
  }

  async warm(): Promise<void> {
    this.pool.warm();
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
