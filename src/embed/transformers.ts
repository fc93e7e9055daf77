import { RagkitError } from "../errors.js";
import { type Dtype, importTransformers, loadError, locateModel, type Transformers } from "../provider/transformers.js";
import type { EmbedPurpose } from "../types.js";
import { type ModelRecipe, modelRecipe, type Pooling } from "./transformers-models.js";
import type { Embedder } from "./types.js";

type Extractor = Awaited<ReturnType<Transformers["pipeline"]>>;

export interface TransformersEmbedderOptions {
  /** A Hugging Face hub id (downloaded once into `cacheDir`) or a local model folder. */
  model: string;
  /** fp32 (default), fp16 or q8: which ONNX file of the folder is used. */
  dtype?: Dtype;
  /** Where hub models are kept; default ~/.cache/ragkit/models/transformers (or RAGKIT_MODELS_DIR). */
  cacheDir?: string;
  batchSize?: number;
  /** Override what the folder and the table of known models say. */
  pooling?: Pooling;
  queryPrefix?: string;
  documentPrefix?: string;
}

/**
 * Sentence-embedding models through transformers.js (ONNX Runtime): MiniLM, bge, e5, gte, nomic,
 * arctic-embed, mxbai… from a local folder or a hub id. ONNX Runtime runs each batch on its own
 * thread pool, so one model uses every core without blocking the event loop.
 */
export class TransformersEmbedder implements Embedder {
  readonly id: string;
  readonly maxBatchSize: number;
  // One model, and ORT already parallelises inside a batch: more lanes would only contend.
  readonly concurrency = 1;
  readonly maxInputChars: number;
  readonly tokenizer: { id: string; maxTokens: number; count(text: string): number };

  private constructor(
    private readonly extractor: Extractor,
    private readonly recipe: ModelRecipe,
    readonly dimensions: number,
    name: string,
    options: TransformersEmbedderOptions,
  ) {
    this.id = `transformers:${name}${options.dtype && options.dtype !== "fp32" ? `:${options.dtype}` : ""}`;
    this.maxBatchSize = options.batchSize || 32;
    // A word piece is ~4 characters of English; the tokenizer truncates exactly at maxTokens anyway.
    this.maxInputChars = recipe.maxTokens * 6;
    const tokenizer = (extractor as unknown as { tokenizer: { encode(text: string): number[] } }).tokenizer;
    this.tokenizer = { id: this.id, maxTokens: recipe.maxTokens, count: (text) => tokenizer.encode(text).length };
  }

  static async create(options: TransformersEmbedderOptions): Promise<TransformersEmbedder> {
    const t = await importTransformers();
    const located = locateModel(t, options.model, options.dtype ?? "fp32", options.cacheDir);
    let extractor: Extractor;
    try {
      extractor = await t.pipeline("feature-extraction", located.name, { dtype: options.dtype ?? "fp32" });
    } catch (error) {
      throw loadError(located, options.model, error);
    }
    const name = located.name;
    const recipe = { ...modelRecipe(options.model, located.folder) };
    if (options.pooling) recipe.pooling = options.pooling;
    if (options.queryPrefix !== undefined) recipe.queryPrefix = options.queryPrefix;
    if (options.documentPrefix !== undefined) recipe.documentPrefix = options.documentPrefix;
    const probe = await run(extractor, ["probe"], recipe.pooling);
    return new TransformersEmbedder(extractor, recipe, (probe[0] as Float32Array).length, name, options);
  }

  async embed(texts: string[], purpose: EmbedPurpose): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const prefix = purpose === "query" ? this.recipe.queryPrefix : this.recipe.documentPrefix;
    return run(
      this.extractor,
      texts.map((t) => prefix + t),
      this.recipe.pooling,
    );
  }

  async close(): Promise<void> {
    await (this.extractor as { dispose?: () => Promise<void> }).dispose?.();
  }
}

async function run(extractor: Extractor, texts: string[], pooling: Pooling): Promise<Float32Array[]> {
  try {
    const output = (await (extractor as (t: string[], o: object) => Promise<{ data: Float32Array; dims: number[] }>)(texts, {
      pooling,
      normalize: true,
    })) as { data: Float32Array; dims: number[] };
    const dims = output.dims[1] as number;
    return texts.map((_, i) => Float32Array.from(output.data.subarray(i * dims, (i + 1) * dims)));
  } catch (error) {
    throw new RagkitError("EMBEDDING_FAILED", `The transformers model failed: ${(error as Error).message}`, { cause: error });
  }
}
