import { RagkitError } from "../../errors.js";
import type { LockOptions } from "../../types.js";
import type { Gate } from "../admission.js";

/** What every route group is bounded by; built once from `server.*` in the config. */
export interface RouteLimits {
  maxQueryChars: number;
  maxRequestChars: number;
  gates: { answer: Gate; embed: Gate; ingest: Gate; search: Gate };
  /** How uploads wait for another process's write lock. */
  lock: LockOptions;
}

/** Refuses a request whose texts add up to more than the per-request limit, naming the limit. */
export function checkRequestChars(texts: Iterable<string>, limits: RouteLimits, what: string): void {
  let total = 0;
  for (const text of texts) total += text.length;
  if (total > limits.maxRequestChars) {
    throw new RagkitError(
      "LIMIT_EXCEEDED",
      `${what} hold ${total} characters; one request may send at most ${limits.maxRequestChars} (server.maxRequestChars)`,
    );
  }
}
