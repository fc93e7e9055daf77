import { existsSync } from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import multipart from "@fastify/multipart";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import Fastify, { type FastifyHttpOptions, type FastifyInstance } from "fastify";
import type { RagkitConfig } from "../config.js";
import { RagkitError } from "../errors.js";
import type { Rag } from "../rag.js";
import { Gate } from "./admission.js";
import { installAuth, isLoopback, isPublicRoute, keyCheck, PUBLIC_ROUTE } from "./auth.js";
import { installErrorHandling } from "./http-errors.js";
import { installMetrics } from "./metrics.js";
import { registerApi } from "./routes/api.js";
import type { RouteLimits } from "./routes/limits.js";
import { registerMcp } from "./routes/mcp.js";
import { registerOpenAI } from "./routes/openai.js";

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/web");

export interface ServerOptions {
  server: RagkitConfig["server"];
  maxFileBytes: number;
  version: string;
  /** Pino logger options, or false. Authorization headers are always redacted. */
  logger?: boolean | { level: string };
  webDir?: string;
}

/**
 * The HTTP face of a `Rag`: REST under /api, OpenAI-compatible /v1, MCP at /mcp, metrics, OpenAPI
 * and the web UI. It holds no retrieval or model logic of its own.
 */
export async function createServer(rag: Rag, options: ServerOptions): Promise<FastifyInstance> {
  const { server } = options;
  if (!isLoopback(server.host) && server.apiKeys.length === 0) {
    throw new RagkitError(
      "INVALID_CONFIG",
      `Listening on ${server.host} exposes the index beyond this machine: set RAGKIT_API_KEYS, or use --host 127.0.0.1`,
    );
  }
  const app = Fastify(fastifyOptions(options));
  installErrorHandling(app);
  const keys = keyCheck(server.apiKeys);
  installSecurityHeaders(app);
  await app.register(swagger, {
    openapi: { info: { title: "ragkit", version: options.version, description: "Retrieval-augmented generation over your documents" } },
  });
  await installRateLimit(app, server.rateLimit, keys);
  installAuth(app, keys);
  await app.register(multipart, { limits: { fileSize: options.maxFileBytes, files: 200, fieldSize: 1_000_000 } });
  installCors(app, server.corsOrigins);
  const { ingested } = installMetrics(app, rag);
  const limits = routeLimits(server);
  registerApi(app, rag, limits, {
    uploadsDir: path.join(rag.dir, "uploads"),
    maxFileBytes: options.maxFileBytes,
    onIngest: (report) => {
      ingested.inc({ result: "added" }, report.added);
      ingested.inc({ result: "updated" }, report.updated);
      ingested.inc({ result: "unchanged" }, report.unchanged);
      ingested.inc({ result: "failed" }, report.failed.length);
    },
  });
  registerOpenAI(app, rag, limits);
  registerMcp(app, rag, options.version, limits);
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  await registerWeb(app, options.webDir ?? WEB_DIR);
  return app;
}

function fastifyOptions(options: ServerOptions): FastifyHttpOptions<Server> {
  const { server } = options;
  return {
    logger:
      options.logger === false || options.logger === undefined
        ? false
        : {
            ...(typeof options.logger === "object" ? options.logger : {}),
            redact: ["req.headers.authorization", 'req.headers["x-api-key"]'],
          },
    bodyLimit: server.bodyLimit,
    // A number where a string belongs is a client bug to report, not to paper over ("5").
    ajv: { customOptions: { coerceTypes: false } },
    // Slow or idle clients are cut off instead of holding sockets forever: headers, the whole
    // request (slow bodies) and idle kept-alive connections each have a limit, checked every
    // second. No socket-inactivity timeout: it would also cut a request the server is still
    // working on (an upload waiting for another process's ingest).
    requestTimeout: server.requestTimeoutMs,
    keepAliveTimeout: server.idleTimeoutMs,
    http: { headersTimeout: Math.min(server.headersTimeoutMs, server.requestTimeoutMs), connectionsCheckingInterval: 1_000 },
  };
}

function installSecurityHeaders(app: FastifyInstance): void {
  // The UI renders document text; even if something slipped through, inline script cannot run.
  app.addHook("onSend", async (_request, reply) => {
    void reply.header("x-content-type-options", "nosniff");
    void reply.header(
      "content-security-policy",
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
  });
}

async function installRateLimit(app: FastifyInstance, max: number, keys: ReturnType<typeof keyCheck>): Promise<void> {
  await app.register(rateLimit, {
    max,
    timeWindow: 60_000,
    // Only a valid key gets its own bucket: made-up keys share their address's limit.
    keyGenerator: (request) => keys.validKey(request) ?? request.ip,
    allowList: (request) => isPublicRoute(request) && request.routeOptions.url === "/health",
    errorResponseBuilder: (_request, context) => {
      const error = new RagkitError(
        "RATE_LIMITED",
        `Too many requests: at most ${context.max} per minute; retry in ${Math.ceil(context.ttl / 1000)} s`,
      );
      return Object.assign(error, { statusCode: 429 });
    },
  });
}

/** Pages on these origins may call the API from a browser; the API keys are still checked. */
function installCors(app: FastifyInstance, origins: string[]): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  app.addHook("onRequest", async (request, reply) => {
    const origin = request.headers.origin;
    if (origin && allowed.has(origin)) {
      void reply.header("access-control-allow-origin", origin).header("vary", "origin");
      void reply
        .header("access-control-allow-headers", "authorization, content-type")
        .header("access-control-allow-methods", "GET, POST, DELETE");
    }
  });
}

function routeLimits(server: ServerOptions["server"]): RouteLimits {
  const gateLimits = { concurrent: server.maxConcurrent, queued: server.maxQueued };
  return {
    maxQueryChars: server.maxQueryChars,
    maxRequestChars: server.maxRequestChars,
    gates: {
      answer: new Gate("answer", gateLimits),
      embed: new Gate("embedding", gateLimits),
      ingest: new Gate("ingest", gateLimits),
      search: new Gate("search", { concurrent: server.maxConcurrentSearches, queued: server.maxQueuedSearches }),
    },
    lock: { timeoutMs: server.lockWaitMs, command: `ragkit serve (pid ${process.pid})` },
  };
}

async function registerWeb(app: FastifyInstance, webDir: string): Promise<void> {
  if (existsSync(path.join(webDir, "index.html"))) {
    // The static shell is the only public part besides /health: its routes are marked in their own scope.
    await app.register(async (scope) => {
      scope.addHook("onRoute", (route) => {
        route.config = { ...(route.config ?? {}), ...PUBLIC_ROUTE };
      });
      await scope.register(fastifyStatic, { root: webDir, prefix: "/", index: ["index.html"], wildcard: false });
    });
  }
}
