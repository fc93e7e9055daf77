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
export interface KeyCheck {
  readonly enabled: boolean;
  /** The request's key when it is one of the configured keys. */
  validKey(request: FastifyRequest): string | undefined;
}

export function keyCheck(keys: string[]): KeyCheck {
  const wanted = keys.map(digest);
  return {
    enabled: keys.length > 0,
    validKey: (request) => {
      const key = presentedKey(request);
      if (!key) return undefined;
      const given = digest(key);
      let ok = false;
      for (const w of wanted) ok = timingSafeEqual(w, given) || ok;
      return ok ? key : undefined;
    },
  };
}

/** Installed after the rate limiter, so guessing keys is rate-limited per address too. */
export function installAuth(app: FastifyInstance, check: KeyCheck): void {
  if (!check.enabled) return;
  const hook = async (request: FastifyRequest) => {
    if (!PROTECTED.test(request.url)) return;
    if (!check.validKey(request)) {
      throw new RagkitError(
        "UNAUTHORIZED",
        "A valid API key is required: send `Authorization: Bearer <key>` (keys come from RAGKIT_API_KEYS)",
      );
    }
  };
  // The rate limiter hooks into each route, and root hooks run before route hooks: appending this
  // one per route, after the limiter's, keeps key guessing rate-limited.
  app.addHook("onRoute", (route) => {
    const existing = route.onRequest ? (Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]) : [];
    route.onRequest = [...existing, hook];
  });
}
