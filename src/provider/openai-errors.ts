import { RagkitError } from "../errors.js";

type OpenAIModule = typeof import("openai");

/** Where a failing call went, and which settings a user changes to fix it. */
export interface ProviderContext {
  baseUrl: string;
  model: string;
  timeoutMs: number;
  maxRetries: number;
  /** The settings to name in messages, e.g. `generate.timeoutMs (RAGKIT_GENERATE_TIMEOUT_MS)`. */
  settings: { timeout: string; baseUrl: string; apiKey: string; model: string; retries: string };
}

/**
 * The one place where an OpenAI-compatible server's failures become ragkit codes, for chat and
 * embeddings alike, each with the setting to fix.
 */
export function providerError(sdk: OpenAIModule, error: unknown, context: ProviderContext): RagkitError {
  if (RagkitError.isInstance(error)) return error;
  const { baseUrl, model, settings } = context;
  const where = `${baseUrl} (model "${model}")`;
  const cause = { cause: error };
  if (error instanceof sdk.APIConnectionTimeoutError) {
    return new RagkitError("PROVIDER_TIMEOUT", `${where} did not answer within ${context.timeoutMs} ms; raise ${settings.timeout}`, cause);
  }
  if (error instanceof sdk.APIConnectionError) {
    return new RagkitError(
      "PROVIDER_UNAVAILABLE",
      `Could not reach ${baseUrl}; check ${settings.baseUrl} and that the server is running`,
      cause,
    );
  }
  if (error instanceof sdk.AuthenticationError || error instanceof sdk.PermissionDeniedError) {
    return new RagkitError("PROVIDER_AUTH", `${where} refused the API key (HTTP ${error.status}); set ${settings.apiKey}`, cause);
  }
  if (error instanceof sdk.RateLimitError) {
    return new RagkitError(
      "PROVIDER_RATE_LIMITED",
      `${where} is rate limiting (HTTP 429) after ${context.maxRetries} retries; wait, or raise ${settings.retries}`,
      cause,
    );
  }
  if (error instanceof sdk.NotFoundError) {
    return new RagkitError("MODEL_NOT_FOUND", `${where} answered 404: check ${settings.model} and that the base URL ends in /v1`, cause);
  }
  if (error instanceof sdk.APIError) {
    return new RagkitError("PROVIDER_ERROR", `${where} failed with HTTP ${error.status ?? "?"}: ${error.message}`, cause);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new RagkitError("PROVIDER_BAD_RESPONSE", `${where} sent a response ragkit could not read: ${message}`, cause);
}
