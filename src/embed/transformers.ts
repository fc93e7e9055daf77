import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { RagkitError } from "../errors.js";
import type { EmbedPurpose } from "../types.js";
import { type ModelRecipe, modelRecipe, type Pooling } from "./transformers-models.js";
import type { Embedder } from "./types.js";

type Transformers = typeof import("@huggingface/transformers");
type Extractor = Awaited<ReturnType<Transformers["pipeline"]>>;

export interface TransformersEmbedderOptions {
  /** A Hugging Face hub id (downloaded once into `cacheDir`) or a local model folder. */
  model: string;
  /** fp32 (default), fp16 or q8: which ONNX file of the folder is used. */
  dtype?: "fp32" | "fp16" | "q8";
  /** Where hub models are kept; default ~/.cache/ragkit/models/transformers (or RAGKIT_MODELS_DIR). */
  cacheDir?: string;
  batchSize?: number;
  /** Override what the folder and the table of known models say. */
  pooling?: Pooling;
  queryPrefix?: string;
  documentPrefix?: string;
}

export function isLocalModel(model: string): boolean {
  return model.startsWith(".") || path.isAbsolute(model) || existsSync(model);
}

/** transformers.js, imported only when this provider is chosen (it is an optional dependency). */
async function importTransformers(): Promise<Transformers> {
  try {
    return await import("@huggingface/transformers");
  } catch (error) {
    throw new RagkitError(
      "MODEL_NOT_FOUND",
      "The transformers embedder needs @huggingface/transformers: npm install @huggingface/transformers",
      { cause: error },
    );
  }
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
  }

  static async create(options: TransformersEmbedderOptions): Promise<TransformersEmbedder> {
    const t = await importTransformers();
    const local = isLocalModel(options.model);
    const folder = local ? path.resolve(options.model) : undefined;
    if (
      folder &&
      !existsSync(
        path.join(
          folder,
          "onnx",
          options.dtype === "q8" ? "model_quantized.onnx" : options.dtype === "fp16" ? "model_fp16.onnx" : "model.onnx",
        ),
      )
    ) {
      throw new RagkitError(
        "MODEL_NOT_FOUND",
        `${folder} is not a transformers.js model folder: it needs config.json, tokenizer.json and onnx/model.onnx (export one with optimum-cli export onnx)`,
      );
    }
    const name = folder ? path.basename(folder) : options.model;
    // transformers.js finds models by a root and a name; a local folder is its own root's child.
    t.env.allowRemoteModels = !local;
    t.env.allowLocalModels = true;
    if (folder) t.env.localModelPath = path.dirname(folder);
    t.env.cacheDir =
      options.cacheDir ?? path.join(process.env.RAGKIT_MODELS_DIR ?? path.join(homedir(), ".cache", "ragkit", "models"), "transformers");
    let extractor: Extractor;
    try {
      extractor = await t.pipeline("feature-extraction", name, { dtype: options.dtype ?? "fp32" });
    } catch (error) {
      throw new RagkitError(
        "MODEL_NOT_FOUND",
        local
          ? `${folder} could not be loaded as a model: ${(error as Error).message}`
          : `${options.model} is not in ${t.env.cacheDir} and could not be downloaded (${(error as Error).message}); run once with internet access, or pass a local model folder`,
        { cause: error },
      );
    }
    const recipe = { ...modelRecipe(options.model, folder ?? path.join(t.env.cacheDir, options.model)) };
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
