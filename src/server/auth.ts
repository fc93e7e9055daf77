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

/**
 * Route config of a route anyone may call without a key: `/health` and the web UI's static shell
 * (it holds no data, and must load so a user can enter a key). Every other route needs a key.
 */
export const PUBLIC_ROUTE = { public: true } as const;

export function isPublicRoute(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { public?: boolean } | undefined)?.public === true;
}

/**
 * Keys are compared as SHA-256 digests with timingSafeEqual, so neither a key's content nor its
 * length leaks by timing.
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

/**
 * Deny by default: the decision is made on the route the router matched (its config), never on the
 * raw URL, which the router decodes and normalises differently (`/%61pi/stats` is `/api/stats`).
 * Installed after the rate limiter, so guessing keys is rate-limited per address too.
 */
export function installAuth(app: FastifyInstance, check: KeyCheck): void {
  if (!check.enabled) return;
  const hook = async (request: FastifyRequest) => {
    if (isPublicRoute(request)) return;
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
  // Unmatched URLs have no route hooks: they answer 404 without data, but must not tell a caller
  // without a key which routes exist either.
  app.addHook("onRequest", async (request) => {
    if (request.is404) await hook(request);
  });
}
