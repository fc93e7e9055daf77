import { setTimeout as sleep } from "node:timers/promises";
import { RagkitError } from "../errors.js";
import type { Reranker, RerankScores } from "./types.js";

export interface HttpRerankerOptions {
  model: string;
  /** The API root; `/rerank` is appended (e.g. https://api.cohere.com/v2, http://127.0.0.1:8080). */
  baseUrl: string;
  apiKey?: string;
  timeoutMs?: number;
  maxRetries?: number;
  batchSize?: number;
}

interface Result {
  index?: unknown;
  relevance_score?: unknown;
  score?: unknown;
}

/**
 * Any `/rerank` endpoint of the Cohere/Jina shape — Cohere, Jina, Voyage, llama.cpp's server,
 * vLLM, TEI, Infinity: `{model, query, documents}` in, `{results: [{index, relevance_score}]}` out
 * (TEI's bare `[{index, score}]` too).
 */
export class HttpReranker implements Reranker {
  readonly id: string;
  readonly maxBatchSize: number;
  private readonly url: string;

  constructor(private readonly options: HttpRerankerOptions) {
    if (!options.baseUrl)
      throw new RagkitError("INVALID_CONFIG", "The http reranker needs --rerank-base-url (rerank.baseUrl), e.g. https://api.cohere.com/v2");
    this.id = `http:${options.model}`;
    this.url = `${options.baseUrl.replace(/\/+$/, "")}/rerank`;
    this.maxBatchSize = options.batchSize ?? 100;
  }

  async score(query: string, passages: string[], options: { signal?: AbortSignal } = {}): Promise<RerankScores> {
    if (passages.length === 0) return { scores: [] };
    const body = JSON.stringify({ model: this.options.model, query, documents: passages, top_n: passages.length, return_documents: false });
    const retries = this.options.maxRetries ?? 2;
    for (let attempt = 0; ; attempt++) {
      const response = await this.post(body, options.signal);
      if ((response.status === 429 || response.status >= 500) && attempt < retries) {
        const after = Number(response.headers.get("retry-after"));
        await sleep(Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 30_000) : 250 * 2 ** attempt);
        continue;
      }
      if (!response.ok) throw this.httpError(response.status, await response.text().catch(() => ""));
      return this.scoresOf(await response.json().catch(() => undefined), passages.length);
    }
  }

  private async post(body: string, signal?: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    try {
      return await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) },
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw new RagkitError("ABORTED", "Reranking was aborted");
      if (timeout.aborted)
        throw new RagkitError("PROVIDER_TIMEOUT", `${this.url} did not answer within ${this.options.timeoutMs ?? 30_000} ms`);
      throw new RagkitError("PROVIDER_UNAVAILABLE", `Could not reach ${this.url}; check --rerank-base-url and that the server is running`, {
        cause: error,
      });
    }
  }

  private httpError(status: number, text: string): RagkitError {
    if (status === 401 || status === 403)
      return new RagkitError(
        "PROVIDER_AUTH",
        `${this.url} refused the API key (HTTP ${status}); set rerank.apiKey (RAGKIT_RERANK_API_KEY)`,
      );
    if (status === 404)
      return new RagkitError("MODEL_NOT_FOUND", `${this.url} answered 404: check the model and that the base URL is the API root`);
    if (status === 429) return new RagkitError("PROVIDER_RATE_LIMITED", `${this.url} is rate limiting (HTTP 429)`);
    return new RagkitError("PROVIDER_ERROR", `${this.url} failed with HTTP ${status}: ${text.slice(0, 200)}`);
  }

  /** One score per passage; an index the request did not have is a broken response, not a score. */
  private scoresOf(json: unknown, count: number): RerankScores {
    const results = (Array.isArray(json) ? json : (json as { results?: unknown } | undefined)?.results) as Result[] | undefined;
    if (!Array.isArray(results)) throw new RagkitError("PROVIDER_BAD_RESPONSE", `${this.url} answered without a results list`);
    const scores: Array<number | undefined> = new Array(count).fill(undefined);
    for (const result of results) {
      const index = result?.index;
      const score = result?.relevance_score ?? result?.score;
      if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= count) {
        throw new RagkitError("PROVIDER_BAD_RESPONSE", `${this.url} returned a result for passage ${String(index)}, which was not sent`);
      }
      if (typeof score !== "number" || !Number.isFinite(score))
        throw new RagkitError("PROVIDER_BAD_RESPONSE", `${this.url} returned a score that is not a number`);
      scores[index] = score;
    }
    return { scores };
  }

  async close(): Promise<void> {}
}
