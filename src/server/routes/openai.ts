import { randomUUID } from "node:crypto";
import type {} from "@fastify/swagger";
import type { FastifyInstance, FastifyReply } from "fastify";
import { countTokens } from "../../chunk/tokens.js";
import { RagkitError } from "../../errors.js";
import type { ChatMessage } from "../../generate/types.js";
import { hitJson } from "../../json.js";
import type { Rag } from "../../rag.js";
import type { Answer } from "../../types.js";
import { openSse } from "../sse.js";
import { checkRequestChars, type RouteLimits } from "./limits.js";

export const RAG_MODEL_ID = "ragkit";

interface ChatBody {
  model: string;
  messages: Array<{ role: string; content: string | Array<{ type: string; text?: string }> }>;
  stream?: boolean;
}

function textOf(content: ChatBody["messages"][number]["content"]): string {
  return typeof content === "string" ? content : content.map((part) => part.text ?? "").join("");
}

/** Sources in the message itself, so any chat UI shows them; the structured form is in `ragkit`. */
function sourcesText(answer: Answer): string {
  if (answer.citations.length === 0) return "";
  return `\n\nSources:\n${answer.citations.map((c) => `[${c.marker}] ${c.source} (${c.start}-${c.end})`).join("\n")}`;
}

function extension(answer: Answer) {
  return {
    grounded: answer.grounded,
    model: answer.model,
    citations: answer.citations,
    hits: answer.hits.map(hitJson),
    ...(answer.droppedMarkers ? { droppedMarkers: answer.droppedMarkers } : {}),
  };
}

interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

function chatBodySchema(limits: RouteLimits) {
  return {
    type: "object",
    required: ["messages"],
    properties: {
      model: { type: "string", maxLength: 256 },
      stream: { type: "boolean" },
      messages: {
        type: "array",
        minItems: 1,
        maxItems: 100,
        items: {
          type: "object",
          required: ["role", "content"],
          properties: {
            role: { type: "string", enum: ["system", "developer", "user", "assistant", "tool"] },
            content: {
              anyOf: [
                { type: "string", maxLength: limits.maxQueryChars },
                {
                  type: "array",
                  maxItems: 100,
                  items: {
                    type: "object",
                    required: ["type"],
                    properties: { type: { type: "string" }, text: { type: "string", maxLength: limits.maxQueryChars } },
                  },
                },
              ],
            },
          },
        },
      },
    },
  } as const;
}

/** The conversation as `rag.chat` takes it: user and assistant turns, the last one the user's. */
function chatMessages(body: ChatBody, limits: RouteLimits): ChatMessage[] {
  const messages: ChatMessage[] = body.messages
    .filter((m) => m.role === "user" || m.role === "assistant")
    .map((m) => ({ role: m.role as "user" | "assistant", content: textOf(m.content) }));
  if (messages[messages.length - 1]?.role !== "user") throw new RagkitError("INVALID_ARGUMENT", "The last message must be from the user");
  checkRequestChars(
    messages.map((m) => m.content),
    limits,
    "The messages",
  );
  const question = messages[messages.length - 1]?.content ?? "";
  if (question.trim().length === 0) throw new RagkitError("INVALID_ARGUMENT", "The last user message has no text");
  return messages;
}

function completion(answer: Answer, meta: CompletionMeta) {
  const content = answer.text + sourcesText(answer);
  const prompt = answer.usage?.promptTokens ?? 0;
  const completionTokens = answer.usage?.completionTokens ?? countTokens(content);
  return {
    ...meta,
    object: "chat.completion",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: prompt, completion_tokens: completionTokens, total_tokens: prompt + completionTokens },
    ragkit: extension(answer),
  };
}

/** The answer as chat.completion.chunk events, the sources last; an error mid-stream is an event too. */
async function streamCompletion(reply: FastifyReply, rag: Rag, messages: ChatMessage[], meta: CompletionMeta): Promise<void> {
  const sse = openSse(reply);
  const chunk = (delta: object, finish: string | null, extra: object = {}) =>
    sse.data(JSON.stringify({ ...meta, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }], ...extra }));
  chunk({ role: "assistant", content: "" }, null);
  try {
    for await (const event of rag.chatStream(messages, { signal: sse.signal })) {
      if (event.type === "token") chunk({ content: event.text }, null);
      if (event.type === "answer") chunk({ content: sourcesText(event.answer) }, null, { ragkit: extension(event.answer) });
    }
    chunk({}, "stop");
  } catch (error) {
    const e = RagkitError.isInstance(error) ? error : new RagkitError("INTERNAL", "Generation failed");
    sse.data(JSON.stringify({ error: { ...e.toJSON(), type: "server_error" } }));
  }
  sse.data("[DONE]");
  sse.end();
}

/**
 * OpenAI-compatible endpoints: any OpenAI client or chat UI pointed at `/v1` gets answers grounded
 * in the index. The conversation is answered like `rag.chat`; the requested model name is echoed.
 */
export function registerOpenAI(app: FastifyInstance, rag: Rag, limits: RouteLimits): void {
  modelsRoute(app, rag);
  embeddingsRoute(app, rag, limits);
  chatCompletionsRoute(app, rag, limits);
}

/** GET /v1/models: the answering "model" and the embedder. */
function modelsRoute(app: FastifyInstance, rag: Rag): void {
  app.get("/v1/models", { schema: { tags: ["openai"] } }, async () => ({
    object: "list",
    data: [
      { id: RAG_MODEL_ID, object: "model", created: 0, owned_by: "ragkit" },
      { id: rag.embedder.id, object: "model", created: 0, owned_by: "ragkit" },
    ],
  }));
}

/** POST /v1/embeddings: vectors from the index's own embedder. */
function embeddingsRoute(app: FastifyInstance, rag: Rag, limits: RouteLimits): void {
  app.post<{ Body: { input: string | string[]; model?: string; encoding_format?: "float" | "base64" } }>(
    "/v1/embeddings",
    {
      schema: {
        tags: ["openai"],
        body: {
          type: "object",
          required: ["input"],
          properties: {
            input: {
              anyOf: [
                { type: "string", minLength: 1, maxLength: limits.maxRequestChars },
                { type: "array", items: { type: "string", minLength: 1, maxLength: limits.maxRequestChars }, minItems: 1, maxItems: 2048 },
              ],
            },
            model: { type: "string", maxLength: 256 },
            encoding_format: { type: "string", enum: ["float", "base64"] },
          },
        },
      },
      preHandler: limits.gates.embed.preHandler,
    },
    async (request) => {
      const input = Array.isArray(request.body.input) ? request.body.input : [request.body.input];
      checkRequestChars(input, limits, "The embeddings inputs");
      const vectors = await rag.embed(input);
      const tokens = input.reduce((sum, t) => sum + countTokens(t), 0);
      return {
        object: "list",
        model: rag.embedder.id,
        // The official clients ask for base64 (little-endian float32) by default.
        data: vectors.map((v, index) => ({
          object: "embedding",
          index,
          embedding:
            request.body.encoding_format === "base64"
              ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64")
              : Array.from(v),
        })),
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      };
    },
  );
}

/** POST /v1/chat/completions: the conversation answered from the index. */
function chatCompletionsRoute(app: FastifyInstance, rag: Rag, limits: RouteLimits): void {
  app.post<{ Body: ChatBody }>(
    "/v1/chat/completions",
    { schema: { tags: ["openai"], body: chatBodySchema(limits) }, preHandler: limits.gates.answer.preHandler },
    async (request, reply) => {
      const messages = chatMessages(request.body, limits);
      const meta: CompletionMeta = {
        id: `chatcmpl-${randomUUID()}`,
        created: Math.floor(Date.now() / 1000),
        model: request.body.model || RAG_MODEL_ID,
      };
      if (!request.body.stream) return completion(await rag.chat(messages), meta);
      await streamCompletion(reply, rag, messages, meta);
      return reply;
    },
  );
}
