import path from "node:path";
import { RagkitError, toRagkitError } from "../errors.js";
import { importLlamaCpp, resolveModelPath } from "../generate/llama-cpp.js";
import type { EmbedPurpose } from "../types.js";
import type { Embedder } from "./types.js";

type NodeLlamaCpp = typeof import("node-llama-cpp");
type EmbeddingContext = Awaited<
  ReturnType<Awaited<ReturnType<Awaited<ReturnType<NodeLlamaCpp["getLlama"]>>["loadModel"]>>["createEmbeddingContext"]>
>;

export interface GgufEmbedderOptions {
  /** A .gguf path or hf:<user>/<repo>/<file> (pulled with `ragkit models pull`). */
  model: string;
  modelsDir?: string;
  threads?: number;
  queryPrefix?: string;
  documentPrefix?: string;
}

/**
 * A GGUF embedding model (nomic-embed-text, bge, e5 … in llama.cpp's format) through
 * node-llama-cpp's embedding context, imported lazily (an optional dependency). llama.cpp
 * runs one text at a time on its own threads; vectors are normalised here.
 */
export class GgufEmbedder implements Embedder {
  readonly id: string;
  readonly maxBatchSize = 16;
  readonly concurrency = 1;
  readonly maxInputChars: number;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly context: EmbeddingContext,
    private readonly dispose: () => Promise<void>,
    readonly dimensions: number,
    name: string,
    trainContext: number,
    private readonly options: GgufEmbedderOptions,
  ) {
    this.id = `gguf:${name}`;
    this.maxInputChars = Math.max(512, trainContext * 3);
  }

  static async create(options: GgufEmbedderOptions): Promise<GgufEmbedder> {
    const sdk = await importLlamaCpp();
    const modelPath = await resolveModelPath(options.model, options.modelsDir);
    const threads = options.threads ?? 2;
    try {
      const llama = await sdk.getLlama({ build: "never", gpu: false, maxThreads: threads, logLevel: sdk.LlamaLogLevel.error });
      const model = await llama.loadModel({ modelPath });
      const context = await model.createEmbeddingContext({ threads, contextSize: Math.min(model.trainContextSize || 2048, 8192) });
      const probe = await context.getEmbeddingFor("probe");
      return new GgufEmbedder(
        context,
        async () => {
          await context.dispose();
          await model.dispose();
        },
        probe.vector.length,
        path.basename(modelPath),
        model.trainContextSize || 2048,
        options,
      );
    } catch (error) {
      throw toRagkitError(error, "PROVIDER_UNAVAILABLE", `Could not load ${modelPath} as an embedding model with node-llama-cpp`);
    }
  }

  embed(texts: string[], purpose: EmbedPurpose): Promise<Float32Array[]> {
    const prefix = (purpose === "query" ? this.options.queryPrefix : this.options.documentPrefix) ?? "";
    // One context, one sequence: calls take turns.
    const run = this.queue.then(async () => {
      const out: Float32Array[] = [];
      for (const text of texts) {
        try {
          const { vector } = await this.context.getEmbeddingFor(prefix + text);
          out.push(normalised(vector));
        } catch (error) {
          throw new RagkitError("EMBEDDING_FAILED", `${this.id} failed: ${(error as Error).message}`, { cause: error });
        }
      }
      return out;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): Promise<void> {
    return this.dispose();
  }
}

function normalised(vector: readonly number[]): Float32Array {
  const out = Float32Array.from(vector);
  let norm = 0;
  for (const x of out) norm += x * x;
  if (!Number.isFinite(norm) || norm === 0) throw new RagkitError("EMBEDDING_FAILED", "The model returned an empty or non-finite vector");
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) * scale;
  return out;
}
