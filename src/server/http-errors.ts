import type { FastifyError, FastifyInstance } from "fastify";
import { type ErrorCode, RagkitError } from "../errors.js";

const STATUS: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_CONFIG: 400,
  UNSUPPORTED_FORMAT: 415,
  BINARY_FILE: 400,
  EMPTY_DOCUMENT: 400,
  PARSE_FAILED: 400,
  MISSING_FIELD: 400,
  INVALID_ENCODING: 400,
  DUPLICATE_DOCUMENT: 400,
  DATASET_INVALID: 400,
  UNAUTHORIZED: 401,
  DOCUMENT_NOT_FOUND: 404,
  INDEX_NOT_FOUND: 404,
  FILE_NOT_FOUND: 404,
  MODEL_NOT_FOUND: 404,
  NOT_FOUND: 404,
  INDEX_EMBEDDER_MISMATCH: 409,
  INDEX_SCHEMA_MISMATCH: 409,
  FILE_TOO_LARGE: 413,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  ABORTED: 499,
  PROVIDER_UNAVAILABLE: 502,
  PROVIDER_AUTH: 502,
  PROVIDER_RATE_LIMITED: 502,
  PROVIDER_BAD_RESPONSE: 502,
  PROVIDER_ERROR: 502,
  PROVIDER_TIMEOUT: 504,
  INDEX_LOCKED: 503,
  STORE_CONFLICT: 503,
  STORE_UNAVAILABLE: 503,
  SERVER_BUSY: 503,
  INVALID_FILE_NAME: 400,
  LIMIT_EXCEEDED: 400,
};

export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

/** Fastify's own errors (validation, body size, 404) in ragkit's vocabulary. */
function fromFastify(error: FastifyError): RagkitError {
  if (error.validation) return new RagkitError("INVALID_ARGUMENT", `Invalid request: ${error.message}`);
  if (error.statusCode === 413) return new RagkitError("PAYLOAD_TOO_LARGE", "The request body is larger than the server accepts");
  if (error.statusCode === 429) return new RagkitError("RATE_LIMITED", error.message);
  if (error.statusCode === 401) return new RagkitError("UNAUTHORIZED", error.message);
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return new RagkitError("INVALID_ARGUMENT", error.message);
  return new RagkitError("INTERNAL", "Internal server error; see the server log");
}

export function toHttpError(error: unknown): { status: number; body: { error: { code: ErrorCode; message: string } } } {
  const e = RagkitError.isInstance(error) ? error : fromFastify(error as FastifyError);
  return { status: statusOf(e.code), body: { error: { code: e.code, message: e.message } } };
}

/** The one place errors become HTTP: `{error: {code, message}}` with the status for the code. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toHttpError(error);
    if (status >= 500 && status !== 502 && status !== 504) request.log.error({ err: error }, "request failed");
    if ((status === 429 || status === 503) && !reply.getHeader("retry-after")) reply.header("retry-after", status === 503 ? "5" : "1");
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: "NOT_FOUND", message: `No route ${request.method} ${request.url.split("?")[0]}` } });
  });
}
