import { countTokens } from "../chunk/tokens.js";
import { RagkitError } from "../errors.js";
import { providerError } from "../provider/openai-errors.js";
import type { ChatMessage, GenerateOptions, Generator } from "./types.js";

type OpenAIModule = typeof import("openai");
type OpenAIClient = InstanceType<OpenAIModule["default"]>;

export interface OpenAIGeneratorOptions {
  model: string;
  /** e.g. http://127.0.0.1:11434/v1 for Ollama; default is OpenAI's. */
  baseUrl?: string;
  apiKey?: string;
  /** Milliseconds for a response to start, and the longest silence allowed inside a stream. */
  timeoutMs?: number;
  /** Retries with exponential backoff on connection errors, 408, 409, 429 and 5xx. */
  maxRetries?: number;
  contextWindow?: number;
}

/**
 * Any server that speaks OpenAI's chat completions: OpenAI, Ollama, vLLM, llama.cpp's server,
 * LM Studio, or ragkit's own `/v1`. Streams by SSE; every failure becomes a RagkitError whose message
 * names the setting to fix.
 */
export class OpenAIGenerator implements Generator {
  readonly model: string;
  readonly contextWindow: number;
  private readonly timeoutMs: number;
  private readonly baseUrl: string;
  private client: Promise<{ sdk: OpenAIModule; client: OpenAIClient }> | undefined;

  constructor(private readonly options: OpenAIGeneratorOptions) {
    this.model = options.model;
    this.contextWindow = options.contextWindow ?? 8192;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.baseUrl = options.baseUrl ?? "https://api.openai.com/v1";
  }

  private connect() {
    this.client ??= import("openai").then((sdk) => ({
      sdk,
      client: new sdk.default({
        baseURL: this.baseUrl,
        // Local servers ignore the key but the client insists on one.
        apiKey: this.options.apiKey ?? "ragkit-no-key",
        timeout: this.timeoutMs,
        maxRetries: this.options.maxRetries ?? 2,
      }),
    }));
    return this.client;
  }

  async countTokens(text: string): Promise<number> {
    return countTokens(text);
  }

  async *stream(messages: ChatMessage[], options: GenerateOptions = {}): AsyncIterable<string> {
    const { sdk, client } = await this.connect();
    const controller = new AbortController();
    const abort = () => controller.abort();
    options.signal?.addEventListener("abort", abort, { once: true });
    let idle: NodeJS.Timeout | undefined;
    let timedOut = false;
    // The client's timeout covers the wait for headers; a stream that stalls later needs its own.
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.timeoutMs);
    };
    try {
      arm();
      const request = {
        model: this.model,
        messages,
        ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        ...(options.stop?.length ? { stop: options.stop } : {}),
      };
      if (options.stream === false) {
        const content = await this.completeOnce(client, request, controller.signal, options);
        if (content) yield content;
        return;
      }
      const stream = await client.chat.completions.create(
        { ...request, stream: true, stream_options: { include_usage: true } },
        { signal: controller.signal },
      );
      for await (const chunk of stream) {
        arm();
        if (!chunk || typeof chunk !== "object" || !Array.isArray(chunk.choices)) {
          throw new RagkitError("PROVIDER_BAD_RESPONSE", `${this.baseUrl} sent a stream event that is not a chat completion chunk`);
        }
        const delta = chunk.choices[0]?.delta?.content;
        if (delta) yield delta;
        if (chunk.usage) options.onUsage?.({ promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens });
      }
      // An aborted stream can end quietly instead of throwing: the reason still has to surface.
      if (timedOut || options.signal?.aborted) throw new Error("stream ended by abort");
    } catch (error) {
      throw this.failure(sdk, error, timedOut, options.signal);
    } finally {
      clearTimeout(idle);
      options.signal?.removeEventListener("abort", abort);
    }
  }

  /** One request without streaming (for servers that cannot stream): the whole message. */
  private async completeOnce(
    client: OpenAIClient,
    request: { model: string; messages: ChatMessage[] },
    signal: AbortSignal,
    options: GenerateOptions,
  ): Promise<string> {
    const completion = await client.chat.completions.create({ ...request, stream: false }, { signal });
    const content = completion?.choices?.[0]?.message?.content;
    if (typeof content !== "string") throw new RagkitError("PROVIDER_BAD_RESPONSE", `${this.baseUrl} answered without a message`);
    if (completion.usage)
      options.onUsage?.({ promptTokens: completion.usage.prompt_tokens, completionTokens: completion.usage.completion_tokens });
    return content;
  }

  /** What went wrong, as the error a user can act on: a stalled stream, an abort, or the provider's failure. */
  private failure(sdk: OpenAIModule, error: unknown, timedOut: boolean, signal: AbortSignal | undefined): RagkitError {
    if (timedOut) {
      return new RagkitError(
        "PROVIDER_TIMEOUT",
        `${this.baseUrl} sent nothing for ${this.timeoutMs} ms; raise generate.timeoutMs or check the server`,
      );
    }
    if (signal?.aborted) return new RagkitError("ABORTED", "The answer was aborted");
    return providerError(sdk, error, {
      baseUrl: this.baseUrl,
      model: this.model,
      timeoutMs: this.timeoutMs,
      maxRetries: this.options.maxRetries ?? 2,
      settings: {
        timeout: "generate.timeoutMs (RAGKIT_GENERATE_TIMEOUT_MS)",
        baseUrl: "--base-url (OPENAI_BASE_URL)",
        apiKey: "OPENAI_API_KEY or generate.apiKey",
        model: "--model (RAGKIT_MODEL)",
        retries: "generate.maxRetries",
      },
    });
  }

  async close(): Promise<void> {}
}
