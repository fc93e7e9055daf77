import Fastify, { type FastifyInstance } from "fastify";
import { installErrorHandling } from "../server/http-errors.js";
import { REVIEW_PAGE } from "./page.js";
import type { ReviewStore } from "./store.js";

/** The human review server: a queue of one run's answers, ratings saved as they are given. */
export function createReviewServer(store: ReviewStore, run: string): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 100_000 });
  installErrorHandling(app);
  app.get("/", async (_request, reply) => reply.type("text/html; charset=utf-8").send(REVIEW_PAGE));
  app.get<{ Querystring: { reviewer?: string } }>("/api/review/next", async (request) => {
    const next = store.next(run, request.query.reviewer ?? "");
    return next ? next : { item: null, remaining: 0 };
  });
  app.post<{
    Body: { reviewer: string; itemId: string; correctness: number; grounded: boolean; citationsCorrect: boolean; comment?: string };
  }>(
    "/api/review/rate",
    {
      schema: {
        body: {
          type: "object",
          required: ["reviewer", "itemId", "correctness", "grounded", "citationsCorrect"],
          properties: {
            reviewer: { type: "string", minLength: 1, maxLength: 100 },
            itemId: { type: "string" },
            correctness: { type: "integer", minimum: 1, maximum: 5 },
            grounded: { type: "boolean" },
            citationsCorrect: { type: "boolean" },
            comment: { type: "string", maxLength: 5000 },
          },
        },
      },
    },
    async (request) => {
      const b = request.body;
      store.rate({
        run,
        itemId: b.itemId,
        reviewer: b.reviewer,
        correctness: b.correctness,
        grounded: b.grounded,
        citationsCorrect: b.citationsCorrect,
        comment: b.comment ?? "",
      });
      return { saved: true };
    },
  );
  app.get("/api/review/stats", async () => ({ run, ratings: store.ratings(run).length, agreement: store.agreement(run) }));
  return app;
}
