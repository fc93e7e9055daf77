import { countTokens } from "../chunk/tokens.js";
import { RagkitError } from "../errors.js";
import { providerError } from "../provider/openai-errors.js";
import { sha256 } from "../text/hash.js";
import type { EmbedPurpose } from "../types.js";
import type { Embedder } from "./types.js";
import { unitVector } from "./unit-vector.js";

type OpenAIModule = typeof import("openai");

export interface OpenAIEmbedderOptions {
  model: string;
  /** e.g. http://127.0.0.1:11434/v1 for Ollama; default OpenAI's. */
  baseUrl?: string;
  apiKey?: string;
  /** Asked of the server (`dimensions`) when set; otherwise found with one probe request. */
  dimensions?: number;
  /** Texts per request; default 64. */
  batchSize?: number;
  /** Tokens per request (o200k count); a batch is split to stay under it. Default 100,000. */
  maxBatchTokens?: number;
  /** Requests in flight at once; default 4. */
  concurrency?: number;
  /** Characters one input may have; default 24,000 (~8k tokens). */
  maxInputChars?: number;
  queryPrefix?: string;
  documentPrefix?: string;
  timeoutMs?: number;
  /** Retries with backoff on connection errors, 408, 409, 429 (honouring Retry-After) and 5xx. */
  maxRetries?: number;
}

/**
 * Any server with OpenAI's `/v1/embeddings`: OpenAI, Ollama, vLLM, LM Studio, TEI, llama.cpp's
 * server, or ragkit's own `/v1`. What comes back is checked (count, length, finite numbers) and
 * normalised to unit length; failures carry the same codes as generation.
 */
export class OpenAIEmbedder implements Embedder {
  readonly id: string;
  readonly maxBatchSize: number;
  readonly concurrency: number;
  readonly maxInputChars: number;
  private readonly baseUrl: string;
  private readonly maxBatchTokens: number;

  private constructor(
    private readonly sdk: OpenAIModule,
    private readonly client: InstanceType<OpenAIModule["default"]>,
    private readonly options: OpenAIEmbedderOptions,
    readonly dimensions: number,
  ) {
    this.baseUrl = options.baseUrl || "https://api.openai.com/v1";
    this.maxBatchSize = options.batchSize || 64;
    this.concurrency = options.concurrency ?? 4;
    this.maxInputChars = options.maxInputChars || 24_000;
    this.maxBatchTokens = options.maxBatchTokens ?? 100_000;
    // Prefixes change the vectors, so they are part of what the manifest records.
    const prefixes =
      options.queryPrefix || options.documentPrefix
        ? `+${sha256(options.queryPrefix ?? "", options.documentPrefix ?? "").slice(0, 8)}`
        : "";
    this.id = `openai:${options.model}${options.dimensions ? `@${options.dimensions}` : ""}${prefixes}`;
  }

  /** Connects, and finds the output size with one request unless `dimensions` says it. */
  static async create(options: OpenAIEmbedderOptions): Promise<OpenAIEmbedder> {
    if (!options.model)
      throw new RagkitError("INVALID_CONFIG", "The openai embedder needs a model: --embedder openai:<model> or embedder.model");
    const sdk = await import("openai");
    const client = new sdk.default({
      baseURL: options.baseUrl || "https://api.openai.com/v1",
      // Local servers ignore the key but the client insists on one.
      apiKey: options.apiKey || "ragkit-no-key",
      timeout: options.timeoutMs ?? 60_000,
      maxRetries: options.maxRetries ?? 4,
    });
    const probe = new OpenAIEmbedder(sdk, client, options, options.dimensions ?? 0);
    if (options.dimensions) return probe;
    const [vector] = await probe.request(["dimension probe"]);
    return new OpenAIEmbedder(sdk, client, options, (vector as Float32Array).length);
  }

  async embed(texts: string[], purpose: EmbedPurpose): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const prefix = (purpose === "query" ? this.options.queryPrefix : this.options.documentPrefix) ?? "";
    const inputs = texts.map((t) => prefix + t);
    const out: Float32Array[] = [];
    // Split by the token budget too: one request of 64 long chunks can exceed what a server takes.
    let part: string[] = [];
    let tokens = 0;
    for (const input of inputs) {
      const n = countTokens(input);
      if (part.length > 0 && tokens + n > this.maxBatchTokens) {
        out.push(...(await this.request(part)));
        part = [];
        tokens = 0;
      }
      part.push(input);
      tokens += n;
    }
    if (part.length > 0) out.push(...(await this.request(part)));
    return out;
  }

  private async request(inputs: string[]): Promise<Float32Array[]> {
    let response: Awaited<ReturnType<typeof this.client.embeddings.create>>;
    try {
      response = await this.client.embeddings.create({
        model: this.options.model,
        input: inputs,
        encoding_format: "float",
        ...(this.options.dimensions ? { dimensions: this.options.dimensions } : {}),
      });
    } catch (error) {
      throw providerError(this.sdk, error, {
        baseUrl: this.baseUrl,
        model: this.options.model,
        timeoutMs: this.options.timeoutMs ?? 60_000,
        maxRetries: this.options.maxRetries ?? 4,
        settings: {
          timeout: "embedder.timeoutMs (RAGKIT_EMBEDDER_TIMEOUT_MS)",
          baseUrl: "--embedder-base-url (embedder.baseUrl)",
          apiKey: "OPENAI_API_KEY or embedder.apiKey",
          model: "--embedder openai:<model>",
          retries: "embedder.maxRetries",
        },
      });
    }
    return this.vectorsOf(response, inputs.length);
  }

  /** The server's answer, checked: one finite vector of the right size per input, in input order. */
  private vectorsOf(response: unknown, count: number): Float32Array[] {
    const bad = (why: string) =>
      new RagkitError("PROVIDER_BAD_RESPONSE", `${this.baseUrl} (model "${this.options.model}") ${why}; nothing was stored`);
    const data = (response as { data?: unknown })?.data;
    if (!Array.isArray(data)) throw bad("answered without a data list");
    if (data.length !== count) throw bad(`returned ${data.length} vectors for ${count} inputs`);
    const vectors: Float32Array[] = new Array(count);
    for (const [position, item] of data.entries()) {
      const { index, embedding } = (item ?? {}) as { index?: unknown; embedding?: unknown };
      const at = typeof index === "number" ? index : position;
      if (!Number.isInteger(at) || at < 0 || at >= count || vectors[at])
        throw bad(`returned an unknown or repeated index ${String(index)}`);
      if (!Array.isArray(embedding) || embedding.length === 0) throw bad("returned an embedding that is not a list of numbers");
      if (this.dimensions && embedding.length !== this.dimensions) {
        throw bad(`returned ${embedding.length} dimensions where the index has ${this.dimensions}`);
      }
      const vector = unitVector(embedding as number[]);
      if (!vector) throw bad("returned a vector with NaN, infinite or all-zero values");
      vectors[at] = vector;
    }
    return vectors;
  }

  async close(): Promise<void> {}
}
