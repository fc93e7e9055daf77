import type { FastifyInstance } from "fastify";
import type { Rag } from "../../rag.js";
import type { FeedbackInput } from "../../types.js";
import type { RouteLimits } from "./limits.js";

const feedbackBody = {
  type: "object",
  additionalProperties: false,
  required: ["query", "rating"],
  properties: {
    query: { type: "string", minLength: 1, maxLength: 4000 },
    rating: { type: "integer", enum: [1, -1] },
    documentId: { type: "string", minLength: 1, maxLength: 1024 },
    chunkId: { type: "string", minLength: 1, maxLength: 1024 },
    answer: { type: "string", maxLength: 20_000 },
    comment: { type: "string", maxLength: 4000 },
  },
} as const;

/** Thumbs up/down on answers and citations, kept in the index for `ragkit tune --feedback`. */
export function registerFeedbackRoutes(app: FastifyInstance, rag: Rag, limits: RouteLimits): void {
  app.post<{ Body: FeedbackInput }>(
    "/api/feedback",
    { schema: { tags: ["feedback"], body: feedbackBody }, preHandler: limits.gates.ingest.preHandler },
    async (request, reply) => {
      const record = await rag.addFeedback(request.body, { lock: limits.lock });
      return reply.code(201).send({ id: record.id, at: record.at });
    },
  );

  app.get("/api/feedback", { schema: { tags: ["feedback"] } }, async () => {
    const records = await rag.feedback();
    return {
      count: records.length,
      up: records.filter((r) => r.rating > 0).length,
      down: records.filter((r) => r.rating < 0).length,
      feedback: records.slice(-100),
    };
  });
}
