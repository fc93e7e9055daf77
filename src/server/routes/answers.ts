import type {} from "@fastify/swagger";
import type { FastifyInstance, FastifyReply } from "fastify";
import { RagkitError } from "../../errors.js";
import type { AskEvent } from "../../generate/answer.js";
import type { ChatMessage } from "../../generate/types.js";
import { answerJson, hitJson } from "../../json.js";
import type { Rag } from "../../rag.js";
import type { AskOptions } from "../../rag-options.js";
import type { Answer, SearchFilter, SearchMode } from "../../types.js";
import { openSse, wantsStream } from "../sse.js";
import { checkRequestChars, type RouteLimits } from "./limits.js";

const filterSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    source: { type: "string", maxLength: 1024 },
    documentId: {
      anyOf: [
        { type: "string", maxLength: 1024 },
        { type: "array", items: { type: "string", maxLength: 1024 }, maxItems: 1000 },
      ],
    },
    metadata: {
      type: "object",
      maxProperties: 32,
      additionalProperties: { anyOf: [{ type: "string", maxLength: 1024 }, { type: "number" }, { type: "boolean" }] },
    },
  },
} as const;

const retrievalProperties = {
  k: { type: "integer", minimum: 1, maximum: 100 },
  /** Per request: false skips the configured reranker, true requires one. */
  rerank: { type: "boolean" },
  mode: { type: "string", enum: ["hybrid", "dense", "lexical"] },
  filter: filterSchema,
} as const;

interface RetrievalBody {
  k?: number;
  rerank?: boolean;
  mode?: SearchMode;
  filter?: SearchFilter;
}

function askOptions(body: RetrievalBody): AskOptions {
  return {
    ...(body.k ? { k: body.k } : {}),
    ...(body.mode ? { mode: body.mode } : {}),
    ...(body.filter ? { filter: body.filter } : {}),
    ...(body.rerank !== undefined ? { rerank: body.rerank } : {}),
  };
}

/** An answer as JSON, or as SSE events (hits, tokens, answer) when the client asked to stream. */
async function respond(reply: FastifyReply, run: (signal?: AbortSignal) => AsyncGenerator<AskEvent>, stream: boolean) {
  if (!stream) {
    let final: Answer | undefined;
    for await (const event of run()) if (event.type === "answer") final = event.answer;
    return answerJson(final as Answer);
  }
  const sse = openSse(reply);
  try {
    for await (const event of run(sse.signal)) {
      if (event.type === "hits") sse.send("hits", { query: event.query, hits: event.hits.map(hitJson) });
      else if (event.type === "token") sse.send("token", { text: event.text });
      else sse.send("answer", answerJson(event.answer));
    }
  } catch (error) {
    const e = RagkitError.isInstance(error) ? error : new RagkitError("INTERNAL", "Generation failed");
    sse.send("error", { error: e.toJSON() });
  }
  sse.end();
  return reply;
}

/** Search, ask and chat under /api. */
export function registerAnswerRoutes(app: FastifyInstance, rag: Rag, limits: RouteLimits): void {
  searchRoute(app, rag, limits);
  askRoute(app, rag, limits);
  chatRoute(app, rag, limits);
}

function queryText(limits: RouteLimits) {
  return { type: "string", minLength: 1, maxLength: limits.maxQueryChars } as const;
}

/** POST /api/search: hits as JSON. */
function searchRoute(app: FastifyInstance, rag: Rag, limits: RouteLimits): void {
  app.post<{ Body: RetrievalBody & { query: string; collapse?: boolean } }>(
    "/api/search",
    {
      schema: {
        tags: ["search"],
        body: {
          type: "object",
          required: ["query"],
          additionalProperties: false,
          properties: { query: queryText(limits), collapse: { type: "boolean" }, ...retrievalProperties },
        },
      },
      preHandler: limits.gates.search.preHandler,
    },
    async (request) => {
      const { query, collapse, ...rest } = request.body;
      const warnings: string[] = [];
      const hits = await rag.search(query, { ...askOptions(rest), ...(collapse ? { collapse } : {}), onWarning: (w) => warnings.push(w) });
      return { hits: hits.map(hitJson), ...(warnings.length > 0 ? { warnings } : {}) };
    },
  );
}

/** POST /api/ask: an answer, as JSON or server-sent events. */
function askRoute(app: FastifyInstance, rag: Rag, limits: RouteLimits): void {
  app.post<{ Body: RetrievalBody & { question: string; stream?: boolean } }>(
    "/api/ask",
    {
      schema: {
        tags: ["answers"],
        body: {
          type: "object",
          required: ["question"],
          additionalProperties: false,
          properties: { question: queryText(limits), stream: { type: "boolean" }, ...retrievalProperties },
        },
      },
      preHandler: limits.gates.answer.preHandler,
    },
    async (request, reply) => {
      const { question, stream, ...rest } = request.body;
      return respond(
        reply,
        (signal) => rag.askStream(question, { ...askOptions(rest), ...(signal ? { signal } : {}) }),
        wantsStream(request, stream),
      );
    },
  );
}

/** POST /api/chat: the last user message answered with the conversation before it. */
function chatRoute(app: FastifyInstance, rag: Rag, limits: RouteLimits): void {
  app.post<{ Body: RetrievalBody & { messages: ChatMessage[]; stream?: boolean } }>(
    "/api/chat",
    {
      schema: {
        tags: ["answers"],
        body: {
          type: "object",
          required: ["messages"],
          additionalProperties: false,
          properties: {
            messages: {
              type: "array",
              minItems: 1,
              maxItems: 100,
              items: {
                type: "object",
                required: ["role", "content"],
                additionalProperties: false,
                properties: {
                  role: { type: "string", enum: ["system", "user", "assistant"] },
                  content: { type: "string", maxLength: limits.maxQueryChars },
                },
              },
            },
            stream: { type: "boolean" },
            ...retrievalProperties,
          },
        },
      },
      preHandler: limits.gates.answer.preHandler,
    },
    async (request, reply) => {
      const { messages, stream, ...rest } = request.body;
      checkRequestChars(
        messages.map((m) => m.content),
        limits,
        "The messages",
      );
      return respond(
        reply,
        (signal) => rag.chatStream(messages, { ...askOptions(rest), ...(signal ? { signal } : {}) }),
        wantsStream(request, stream),
      );
    },
  );
}
