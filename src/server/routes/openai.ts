import { randomUUID } from "node:crypto";
import type {} from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
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

/**
 * OpenAI-compatible endpoints: any OpenAI client or chat UI pointed at `/v1` gets answers grounded
 * in the index. The conversation is answered like `rag.chat`; the requested model name is echoed.
 */
export function registerOpenAI(app: FastifyInstance, rag: Rag, limits: RouteLimits): void {
  app.get("/v1/models", { schema: { tags: ["openai"] } }, async () => ({
    object: "list",
    data: [
      { id: RAG_MODEL_ID, object: "model", created: 0, owned_by: "ragkit" },
      { id: rag.embedder.id, object: "model", created: 0, owned_by: "ragkit" },
    ],
  }));

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

  app.post<{ Body: ChatBody }>(
    "/v1/chat/completions",
    {
      schema: {
        tags: ["openai"],
        body: {
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
        },
      },
      preHandler: limits.gates.answer.preHandler,
    },
    async (request, reply) => {
      const body = request.body;
      const messages: ChatMessage[] = body.messages
        .filter((m) => m.role === "user" || m.role === "assistant")
        .map((m) => ({ role: m.role as "user" | "assistant", content: textOf(m.content) }));
      if (messages[messages.length - 1]?.role !== "user")
        throw new RagkitError("INVALID_ARGUMENT", "The last message must be from the user");
      checkRequestChars(
        messages.map((m) => m.content),
        limits,
        "The messages",
      );
      const question = messages[messages.length - 1]?.content ?? "";
      if (question.trim().length === 0) throw new RagkitError("INVALID_ARGUMENT", "The last user message has no text");
      const id = `chatcmpl-${randomUUID()}`;
      const created = Math.floor(Date.now() / 1000);
      const model = body.model || RAG_MODEL_ID;
      if (!body.stream) {
        const answer = await rag.chat(messages);
        const content = answer.text + sourcesText(answer);
        return {
          id,
          object: "chat.completion",
          created,
          model,
          choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
          usage: {
            prompt_tokens: answer.usage?.promptTokens ?? 0,
            completion_tokens: answer.usage?.completionTokens ?? countTokens(content),
            total_tokens: (answer.usage?.promptTokens ?? 0) + (answer.usage?.completionTokens ?? countTokens(content)),
          },
          ragkit: extension(answer),
        };
      }
      const sse = openSse(reply);
      const chunk = (delta: object, finish: string | null, extra: object = {}) =>
        sse.data(
          JSON.stringify({
            id,
            object: "chat.completion.chunk",
            created,
            model,
            choices: [{ index: 0, delta, finish_reason: finish }],
            ...extra,
          }),
        );
      chunk({ role: "assistant", content: "" }, null);
      try {
        for await (const event of rag.chatStream(messages, { signal: sse.signal })) {
          if (event.type === "token") chunk({ content: event.text }, null);
          if (event.type === "answer") {
            const sources = sourcesText(event.answer);
            chunk({ content: sources }, null, { ragkit: extension(event.answer) });
          }
        }
        chunk({}, "stop");
      } catch (error) {
        const e = RagkitError.isInstance(error) ? error : new RagkitError("INTERNAL", "Generation failed");
        sse.data(JSON.stringify({ error: { ...e.toJSON(), type: "server_error" } }));
      }
      sse.data("[DONE]");
      sse.end();
      return reply;
    },
  );
}
