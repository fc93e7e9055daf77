import { RagkitError, toRagkitError } from "../errors.js";

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EPIPE"]);

/**
 * A Postgres failure as what a user can act on: the server unreachable or refusing the login
 * (STORE_UNAVAILABLE, naming the server), pgvector missing (how to enable it), anything else
 * STORE_FAILED with the server's own message. `where` is the URL without its password.
 */
export function pgError(error: unknown, where: string, context: string): RagkitError {
  if (RagkitError.isInstance(error)) return error;
  const e = error as { code?: string; message?: string; errors?: Array<{ code?: string }> };
  const code = e.code ?? e.errors?.[0]?.code;
  const message = e.message ?? String(error);
  if (
    (code && UNREACHABLE.has(code)) ||
    /Connection terminated|timeout expired|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(message)
  ) {
    return new RagkitError(
      "STORE_UNAVAILABLE",
      `${context}: cannot reach PostgreSQL at ${where} (${code ?? message}); is the server up and the URL right?`,
      {
        cause: error,
      },
    );
  }
  if (code === "28P01" || code === "28000") {
    return new RagkitError(
      "STORE_UNAVAILABLE",
      `${context}: PostgreSQL at ${where} refused the login (${message}); check the user and password in the URL`,
      {
        cause: error,
      },
    );
  }
  if (code === "3D000") {
    return new RagkitError("STORE_UNAVAILABLE", `${context}: ${message} at ${where}; create it (CREATE DATABASE …) or fix the URL`, {
      cause: error,
    });
  }
  if (/extension "vector"|type "vector" does not exist|vector\.control/i.test(message)) {
    return new RagkitError(
      "STORE_FAILED",
      `${context}: the database at ${where} has no pgvector (${message}). Install it (e.g. apt install postgresql-16-pgvector; on Supabase, Neon and RDS it is built in) and run CREATE EXTENSION vector; as a user allowed to, once per database.`,
      { cause: error },
    );
  }
  return toRagkitError(error, "STORE_FAILED", `${context} (${where})`);
}
