import type { FastifyInstance } from "fastify";
import type { Rag } from "../../rag.js";
import { registerAnswerRoutes } from "./answers.js";
import { registerDocumentRoutes } from "./documents.js";
import { registerFeedbackRoutes } from "./feedback.js";
import { type IngestRouteOptions, registerIngestRoute } from "./ingest.js";
import type { RouteLimits } from "./limits.js";
import { registerReviewRoutes } from "./review.js";

export type ApiOptions = IngestRouteOptions;

/** The REST API under /api (and /health), one file per route group. */
export function registerApi(app: FastifyInstance, rag: Rag, limits: RouteLimits, options: ApiOptions): void {
  registerDocumentRoutes(app, rag, limits, options.uploadsDir);
  registerAnswerRoutes(app, rag, limits);
  registerIngestRoute(app, rag, limits, options);
  registerFeedbackRoutes(app, rag, limits);
  registerReviewRoutes(app, rag, limits);
}
