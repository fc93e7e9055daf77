import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { RagkitError } from "../errors.js";

const digest = (value: string) => createHash("sha256").update(value).digest();

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

/** The bearer key of a request, if any (also `x-api-key`, which some clients send). */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.toLowerCase().startsWith("bearer ")) return header.slice(7).trim();
  const alt = request.headers["x-api-key"];
  return typeof alt === "string" ? alt : undefined;
}

const PROTECTED = /^\/(api|v1|mcp|metrics|openapi\.json)(\/|\?|$)/;

/**
 * Every API route (not `/health`, and not the web UI's static shell, which holds no data and must
 * load so a user can enter a key) needs one of the keys when keys are configured. Keys are compared as
 * SHA-256 digests with timingSafeEqual, so neither a key's content nor its length leaks by timing.
 */
export function installAuth(app: FastifyInstance, keys: string[]): void {
  if (keys.length === 0) return;
  const wanted = keys.map(digest);
  app.addHook("onRequest", async (request) => {
    if (!PROTECTED.test(request.url)) return;
    const key = presentedKey(request);
    const given = digest(key ?? "");
    let ok = false;
    for (const w of wanted) ok = timingSafeEqual(w, given) || ok;
    if (!key || !ok)
      throw new RagkitError(
        "UNAUTHORIZED",
        "A valid API key is required: send `Authorization: Bearer <key>` (keys come from RAGKIT_API_KEYS)",
      );
  });
}
