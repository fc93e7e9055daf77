/** Stable codes: scripts and the HTTP layer switch on them, so never rename one. */
export const ERROR_CODES = [
  "UNSUPPORTED_FORMAT",
  "BINARY_FILE",
  "EMPTY_DOCUMENT",
  "FILE_TOO_LARGE",
  "FILE_NOT_FOUND",
  "READ_FAILED",
  "INVALID_ENCODING",
  "PARSE_FAILED",
  "MISSING_FIELD",
  "DUPLICATE_DOCUMENT",
  "INVALID_CONFIG",
  "INVALID_ARGUMENT",
  "INDEX_EMBEDDER_MISMATCH",
  "INDEX_SCHEMA_MISMATCH",
  "INDEX_NOT_FOUND",
  "DOCUMENT_NOT_FOUND",
  "DATASET_INVALID",
  "EMBEDDING_FAILED",
  "STORE_FAILED",
  "PROVIDER_UNAVAILABLE",
  "PROVIDER_AUTH",
  "PROVIDER_RATE_LIMITED",
  "PROVIDER_TIMEOUT",
  "PROVIDER_BAD_RESPONSE",
  "PROVIDER_ERROR",
  "MODEL_NOT_FOUND",
  "ABORTED",
  "UNAUTHORIZED",
  "RATE_LIMITED",
  "NOT_FOUND",
  "PAYLOAD_TOO_LARGE",
  "INTERNAL",
  "INDEX_LOCKED",
  "STORE_CONFLICT",
  "INVALID_FILE_NAME",
  "SERVER_BUSY",
  "LIMIT_EXCEEDED",
  "STORE_UNAVAILABLE",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const MARK = Symbol.for("ragkit.error");

/** The one error class of ragkit. `message` says what happened and what to do about it. */
export class RagkitError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly [MARK] = true;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, { cause: options.cause });
    this.name = "RagkitError";
    this.code = code;
    this.details = options.details ?? {};
  }

  /** Works across realms and duplicate installs, where `instanceof` does not. */
  static isInstance(value: unknown): value is RagkitError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARK] === true;
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** Wraps anything thrown into a RagkitError, keeping an existing code. */
export function toRagkitError(error: unknown, code: ErrorCode, context: string): RagkitError {
  if (RagkitError.isInstance(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new RagkitError(code, `${context}: ${reason}`, { cause: error });
}
