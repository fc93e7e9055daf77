import type { RagkitConfig } from "../config.js";
import { RagkitError } from "../errors.js";
import type { Generator } from "../generate/types.js";
import type { Reranker } from "./types.js";

export type RerankConfig = RagkitConfig["rerank"];

/**
 * The registry: one factory per provider, chosen by `rerank.provider`; heavy providers are
 * imported only when chosen. `llm` uses the language model the index answers with.
 */
export async function createReranker(config: RerankConfig, generator: () => Promise<Generator | undefined>): Promise<Reranker | undefined> {
  switch (config.provider) {
    case "none":
      return undefined;
    case "cross-encoder": {
      if (!config.model)
        throw new RagkitError("INVALID_CONFIG", "The cross-encoder reranker needs a model: --rerank cross-encoder:<hub id or folder>");
      const { CrossEncoderReranker } = await import("./cross-encoder.js");
      return CrossEncoderReranker.create({ model: config.model, dtype: config.dtype });
    }
    case "http": {
      const { HttpReranker } = await import("./http.js");
      return new HttpReranker({
        model: config.model,
        baseUrl: config.baseUrl,
        timeoutMs: config.timeoutMs,
        ...(config.apiKey ? { apiKey: config.apiKey } : {}),
      });
    }
    case "llm": {
      const model = await generator();
      if (!model) throw new RagkitError("INVALID_CONFIG", "--rerank llm needs a language model: pass --model (or set RAGKIT_MODEL)");
      const { LlmReranker } = await import("./llm.js");
      return new LlmReranker(model);
    }
  }
}
