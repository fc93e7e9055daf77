import path from "node:path";
import { configSchema, type RagkitConfig } from "../config.js";
import { isLocalModel } from "../provider/transformers.js";
import { BundledEmbedder } from "./bundled.js";
import type { Embedder } from "./types.js";

export type EmbedderConfig = RagkitConfig["embedder"];

/**
 * The registry: one factory per provider, chosen by `embedder.provider`. Providers with heavy
 * or remote dependencies are imported only when chosen.
 */
const PROVIDERS: Record<EmbedderConfig["provider"], (config: EmbedderConfig) => Promise<Embedder>> = {
  bundled: async (config) => new BundledEmbedder({ ...(config.workers > 0 ? { workers: config.workers } : {}) }),
  transformers: async (config) => {
    const { TransformersEmbedder } = await import("./transformers.js");
    return TransformersEmbedder.create({
      model: config.model,
      dtype: config.dtype,
      ...(config.batchSize ? { batchSize: config.batchSize } : {}),
      ...(config.workers > 0 ? { workers: config.workers } : {}),
      ...(config.queryPrefix ? { queryPrefix: config.queryPrefix } : {}),
      ...(config.documentPrefix ? { documentPrefix: config.documentPrefix } : {}),
    });
  },
  gguf: async (config) => {
    const { GgufEmbedder } = await import("./gguf.js");
    return GgufEmbedder.create({
      model: config.model,
      ...(config.workers > 0 ? { threads: config.workers } : {}),
      ...(config.queryPrefix ? { queryPrefix: config.queryPrefix } : {}),
      ...(config.documentPrefix ? { documentPrefix: config.documentPrefix } : {}),
    });
  },
  openai: async (config) => {
    const { OpenAIEmbedder } = await import("./openai.js");
    return OpenAIEmbedder.create({
      model: config.model,
      ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
      ...(config.apiKey ? { apiKey: config.apiKey } : {}),
      ...(config.dimensions ? { dimensions: config.dimensions } : {}),
      ...(config.batchSize ? { batchSize: config.batchSize } : {}),
      ...(config.maxInputChars ? { maxInputChars: config.maxInputChars } : {}),
      ...(config.queryPrefix ? { queryPrefix: config.queryPrefix } : {}),
      ...(config.documentPrefix ? { documentPrefix: config.documentPrefix } : {}),
      concurrency: config.concurrency,
      timeoutMs: config.timeoutMs,
      maxRetries: config.maxRetries,
    });
  },
};

export function createEmbedder(config: EmbedderConfig): Promise<Embedder> {
  return PROVIDERS[config.provider](config);
}

let defaults: EmbedderConfig | undefined;

/** The embedder config nobody chose (parsed once): what tells a chosen embedder from the default. */
function defaultEmbedderConfig(): EmbedderConfig {
  defaults ??= configSchema.parse({}).embedder;
  return defaults;
}

// What identifies the vectors an embedder makes; the rest (keys, workers, timeouts) is how to run it.
const IDENTITY = ["provider", "model", "dtype", "dimensions", "queryPrefix", "documentPrefix", "baseUrl"] as const;

/** The settings a manifest records, so a later run rebuilds the same embedder without flags. */
export function embedderSettings(config: EmbedderConfig): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const key of IDENTITY) if (config[key] !== "" && config[key] !== 0) out[key] = config[key];
  // A model folder named relatively must still be found from another working directory.
  if ((config.provider === "transformers" || config.provider === "gguf") && isLocalModel(config.model))
    out.model = path.resolve(config.model);
  return out;
}

/**
 * The embedder an index uses: the one its manifest recorded, unless this run asks for another
 * (which the manifest check then refuses). Keys, workers and timeouts always come from this run.
 */
export function embedderFor(config: EmbedderConfig, recorded?: Record<string, string | number>): EmbedderConfig {
  if (!recorded) return config;
  const defaults = defaultEmbedderConfig();
  const chosen = IDENTITY.some((key) => key !== "baseUrl" && config[key] !== defaults[key]);
  if (chosen) return config;
  const identity: Partial<EmbedderConfig> = {};
  for (const key of IDENTITY) {
    if (key === "baseUrl" && config.baseUrl) continue;
    (identity as Record<string, unknown>)[key] = recorded[key] ?? defaults[key];
  }
  return { ...config, ...identity };
}
