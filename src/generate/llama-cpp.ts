import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { RagkitError, toRagkitError } from "../errors.js";
import { AsyncQueue } from "./async-queue.js";
import type { ChatMessage, GenerateOptions, Generator } from "./types.js";

type NodeLlamaCpp = typeof import("node-llama-cpp");
type Llama = Awaited<ReturnType<NodeLlamaCpp["getLlama"]>>;
type LlamaModel = Awaited<ReturnType<Llama["loadModel"]>>;
type LlamaContext = Awaited<ReturnType<LlamaModel["createContext"]>>;
type ChatHistoryItem = import("node-llama-cpp").ChatHistoryItem;

export interface LlamaCppGeneratorOptions {
  /** A .gguf path, or `hf:<user>/<repo>/<file>` already pulled into `modelsDir`. */
  model: string;
  modelsDir?: string;
  /** Tokens of context; defaults to the model's training context, at most 8192. */
  contextSize?: number;
  /** CPU threads. The default oversubscribes small machines badly, so it is set explicitly. */
  threads?: number;
}

export function defaultModelsDir(): string {
  return process.env.RAGKIT_MODELS_DIR ?? path.join(homedir(), ".cache", "ragkit", "models");
}

/** Loaded lazily: node-llama-cpp is an optional dependency of several hundred MB. */
export async function importLlamaCpp(): Promise<NodeLlamaCpp> {
  try {
    return await import("node-llama-cpp");
  } catch (error) {
    throw new RagkitError(
      "PROVIDER_UNAVAILABLE",
      "Local GGUF models need the optional package node-llama-cpp: run `npm install node-llama-cpp`",
      { cause: error },
    );
  }
}

/** A local path for a model spec: a file path as is, an `hf:` URI inside the models directory. */
export async function resolveModelPath(
  model: string,
  modelsDir = defaultModelsDir(),
  download = false,
  onProgress?: (done: number, total: number) => void,
): Promise<string> {
  if (!model.startsWith("hf:")) {
    const absolute = path.resolve(model);
    if (!existsSync(absolute))
      throw new RagkitError("MODEL_NOT_FOUND", `Model file ${absolute} does not exist; check --model (RAGKIT_MODEL)`);
    return absolute;
  }
  const { resolveModelFile } = await importLlamaCpp();
  try {
    return await resolveModelFile(model, {
      directory: modelsDir,
      download: download ? "auto" : false,
      cli: false,
      ...(onProgress
        ? {
            onProgress: ({ downloadedSize, totalSize }: { downloadedSize: number; totalSize: number }) =>
              onProgress(downloadedSize, totalSize),
          }
        : {}),
    });
  } catch (error) {
    if (!download) {
      throw new RagkitError("MODEL_NOT_FOUND", `${model} is not in ${modelsDir}; download it first with \`ragkit models pull ${model}\``, {
        cause: error,
      });
    }
    throw toRagkitError(error, "PROVIDER_UNAVAILABLE", `Could not download ${model}`);
  }
}

function toHistory(messages: ChatMessage[]): { history: ChatHistoryItem[]; prompt: string } {
  const last = messages[messages.length - 1];
  if (last?.role !== "user") throw new RagkitError("INVALID_ARGUMENT", "The last message must be the user's");
  const history: ChatHistoryItem[] = [];
  const system = messages.filter((m) => m.role === "system").map((m) => m.content);
  if (system.length > 0) history.push({ type: "system", text: system.join("\n\n") });
  for (const m of messages.slice(0, -1)) {
    if (m.role === "user") history.push({ type: "user", text: m.content });
    else if (m.role === "assistant") history.push({ type: "model", response: [m.content] });
  }
  return { history, prompt: last.content };
}

/**
 * A GGUF model run in-process by llama.cpp (node-llama-cpp), with the chat template the model
 * declares. One generation at a time per loaded model; calls queue up.
 */
export class LlamaCppGenerator implements Generator {
  readonly contextWindow: number;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly model: string,
    private readonly sdk: NodeLlamaCpp,
    private readonly llama: Llama,
    private readonly loaded: LlamaModel,
    private readonly context: LlamaContext,
  ) {
    this.contextWindow = context.contextSize;
  }

  static async load(options: LlamaCppGeneratorOptions): Promise<LlamaCppGenerator> {
    const sdk = await importLlamaCpp();
    const modelPath = await resolveModelPath(options.model, options.modelsDir);
    const threads = options.threads ?? 2;
    try {
      // build "never": a missing prebuilt binary should fail now, not compile llama.cpp for minutes.
      const llama = await sdk.getLlama({ build: "never", gpu: false, maxThreads: threads, logLevel: sdk.LlamaLogLevel.error });
      const loaded = await llama.loadModel({ modelPath });
      const train = loaded.trainContextSize || 4096;
      const context = await loaded.createContext({ contextSize: Math.min(options.contextSize ?? Math.min(train, 8192), train), threads });
      return new LlamaCppGenerator(path.basename(modelPath), sdk, llama, loaded, context);
    } catch (error) {
      throw toRagkitError(error, "PROVIDER_UNAVAILABLE", `Could not load ${modelPath} with node-llama-cpp`);
    }
  }

  async countTokens(text: string): Promise<number> {
    return this.loaded.tokenize(text).length;
  }

  stream(messages: ChatMessage[], options: GenerateOptions = {}): AsyncIterable<string> {
    const out = new AsyncQueue<string>();
    const { history, prompt } = toHistory(messages);
    const run = async () => {
      const sequence = this.context.getSequence();
      const session = new this.sdk.LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
      let completionTokens = 0;
      try {
        session.setChatHistory(history);
        const before = sequence.tokenMeter.usedInputTokens;
        await session.prompt(prompt, {
          ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
          ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
          ...(options.stop?.length ? { customStopTriggers: options.stop } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          onTextChunk: (text) => out.push(text),
          onToken: (tokens) => {
            completionTokens += tokens.length;
          },
        });
        options.onUsage?.({ promptTokens: sequence.tokenMeter.usedInputTokens - before, completionTokens });
        out.end();
      } catch (error) {
        out.fail(
          options.signal?.aborted
            ? new RagkitError("ABORTED", "The answer was aborted", { cause: error })
            : toRagkitError(error, "PROVIDER_ERROR", `${this.model} failed while generating`),
        );
      } finally {
        session.dispose({ disposeSequence: false });
        sequence.dispose();
      }
    };
    this.queue = this.queue.then(run, run);
    return out;
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.context.dispose();
    await this.loaded.dispose();
    await this.llama.dispose();
  }
}
