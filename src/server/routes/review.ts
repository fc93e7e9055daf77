import type { FastifyInstance } from "fastify";
import { RagkitError } from "../../errors.js";
import type { Rag } from "../../rag.js";
import type { ReviewItem, ReviewRating } from "../../types.js";
import type { RouteLimits } from "./limits.js";

const runName = { type: "string", minLength: 1, maxLength: 200 } as const;
const reviewer = { type: "string", minLength: 1, maxLength: 100 } as const;

const runBody = {
  type: "object",
  required: ["name", "results"],
  properties: {
    name: runName,
    results: {
      type: "array",
      maxItems: 20_000,
      items: {
        type: "object",
        required: ["id"],
        properties: {
          id: { type: "string", minLength: 1, maxLength: 1024 },
          question: { type: "string", maxLength: 10_000 },
          answer: { type: "string", maxLength: 50_000 },
          gold: { type: "array", maxItems: 100, items: { type: "string", maxLength: 10_000 } },
          citations: {
            type: "array",
            maxItems: 100,
            items: {
              type: "object",
              required: ["marker", "documentId", "quote"],
              properties: { marker: { type: "integer" }, documentId: { type: "string" }, quote: { type: "string", maxLength: 20_000 } },
            },
          },
        },
      },
    },
  },
} as const;

const rateBody = {
  type: "object",
  additionalProperties: false,
  required: ["run", "reviewer", "itemId", "correctness", "grounded", "citationsCorrect"],
  properties: {
    run: runName,
    reviewer,
    itemId: { type: "string", minLength: 1, maxLength: 1024 },
    correctness: { type: "integer", minimum: 1, maximum: 5 },
    grounded: { type: "boolean" },
    citationsCorrect: { type: "boolean" },
    comment: { type: "string", maxLength: 5000 },
  },
} as const;

interface RunBody {
  name: string;
  results: Array<Partial<Omit<ReviewItem, "run">> & { id: string }>;
}

type RateBody = Omit<ReviewRating, "createdAt" | "comment"> & { comment?: string };

/**
 * Human review of `eval answers` runs inside the server and its web UI: load a run, take the next
 * answer a reviewer has not rated, rate it, see how far the reviewers agree.
 */
export function registerReviewRoutes(app: FastifyInstance, rag: Rag, limits: RouteLimits): void {
  app.get("/api/review/runs", { schema: { tags: ["review"] } }, async () => ({ runs: (await rag.reviews()).runs() }));

  app.post<{ Body: RunBody }>(
    "/api/review/runs",
    { schema: { tags: ["review"], body: runBody }, preHandler: limits.gates.ingest.preHandler },
    async (request, reply) => {
      const { name, results } = request.body;
      const items = results.map((r) => ({
        id: r.id,
        question: r.question ?? "",
        answer: r.answer ?? "",
        gold: r.gold ?? [],
        citations: r.citations ?? [],
      }));
      return reply.code(201).send({ run: name, items: (await rag.reviews()).addItems(items, name) });
    },
  );

  app.get<{ Querystring: { run: string; reviewer: string } }>(
    "/api/review/next",
    {
      schema: {
        tags: ["review"],
        querystring: { type: "object", required: ["run", "reviewer"], properties: { run: runName, reviewer } },
      },
    },
    async (request) => {
      const reviews = await rag.reviews();
      if (!reviews.runs().includes(request.query.run)) throw new RagkitError("NOT_FOUND", `No review run "${request.query.run}"`);
      return reviews.next(request.query.run, request.query.reviewer) ?? { item: null, remaining: 0 };
    },
  );

  app.post<{ Body: RateBody }>(
    "/api/review/rate",
    { schema: { tags: ["review"], body: rateBody }, preHandler: limits.gates.ingest.preHandler },
    async (request) => {
      (await rag.reviews()).rate({ ...request.body, comment: request.body.comment ?? "" });
      return { saved: true };
    },
  );

  app.get<{ Querystring: { run: string } }>(
    "/api/review/stats",
    { schema: { tags: ["review"], querystring: { type: "object", required: ["run"], properties: { run: runName } } } },
    async (request) => {
      const reviews = await rag.reviews();
      const { run } = request.query;
      return { run, ratings: reviews.ratings(run).length, agreement: reviews.agreement(run) };
    },
  );
}
