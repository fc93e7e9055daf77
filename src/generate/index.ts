import type { RagkitConfig } from "../config.js";
import { RagkitError } from "../errors.js";
import { LlamaCppGenerator } from "./llama-cpp.js";
import { OpenAIGenerator } from "./openai.js";
import type { Generator } from "./types.js";

export { LlamaCppGenerator } from "./llama-cpp.js";
export { OpenAIGenerator } from "./openai.js";
export type { ChatMessage, GenerateOptions, Generator } from "./types.js";

export function isLocalModel(model: string): boolean {
  return model.startsWith("hf:") || model.toLowerCase().endsWith(".gguf");
}

/** The generator the config asks for, or undefined for the extractive answerer. */
export async function createGenerator(config: RagkitConfig["generate"]): Promise<Generator | undefined> {
  const provider =
    config.provider !== "auto"
      ? config.provider
      : config.model && isLocalModel(config.model)
        ? "llama-cpp"
        : config.model || config.baseUrl
          ? "openai"
          : "extractive";
  if (provider === "extractive") return undefined;
  if (!config.model) {
    throw new RagkitError("INVALID_CONFIG", `generate.provider "${provider}" needs a model: pass --model or set RAGKIT_MODEL`);
  }
  if (provider === "llama-cpp") {
    return LlamaCppGenerator.load({
      model: config.model,
      threads: config.threads,
      ...(config.contextSize > 0 ? { contextSize: config.contextSize } : {}),
      ...(config.modelsDir ? { modelsDir: config.modelsDir } : {}),
    });
  }
  return new OpenAIGenerator({
    model: config.model,
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
  });
}
