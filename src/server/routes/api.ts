import { createHash } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type {} from "@fastify/multipart";
import type {} from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import { RagkitError } from "../../errors.js";
import type { ChatMessage } from "../../generate/types.js";
import type { IngestReport } from "../../ingest/types.js";
import { answerJson, hitJson } from "../../json.js";
import type { DocumentInput } from "../../load/document.js";
import { loaderFor, supportedExtensions } from "../../load/index.js";
import type { AskOptions, Rag } from "../../rag.js";
import type { SearchFilter, SearchMode } from "../../types.js";
import { PUBLIC_ROUTE } from "../auth.js";
import { openSse, wantsStream } from "../sse.js";

export interface ApiOptions {
  uploadsDir: string;
  maxFileBytes: number;
  onIngest?: (report: IngestReport) => void;
}

const filterSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    source: { type: "string" },
    documentId: { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
    metadata: { type: "object", additionalProperties: { anyOf: [{ type: "string" }, { type: "number" }, { type: "boolean" }] } },
  },
} as const;

const retrievalProperties = {
  k: { type: "integer", minimum: 1, maximum: 100 },
  mode: { type: "string", enum: ["hybrid", "dense", "lexical"] },
  filter: filterSchema,
} as const;

interface RetrievalBody {
  k?: number;
  mode?: SearchMode;
  filter?: SearchFilter;
}

function askOptions(body: RetrievalBody): AskOptions {
  return { ...(body.k ? { k: body.k } : {}), ...(body.mode ? { mode: body.mode } : {}), ...(body.filter ? { filter: body.filter } : {}) };
}

/** Documents summarised the same way for the API and the UI. */
function summaryJson(d: Awaited<ReturnType<Rag["documents"]>>[number]) {
  return {
    id: d.id,
    source: d.source,
    title: d.title ?? null,
    filename: typeof d.metadata.filename === "string" ? d.metadata.filename : path.basename(d.source),
    chunks: d.chunkCount,
    chars: d.chars,
    updatedAt: new Date(d.updatedAt).toISOString(),
    metadata: d.metadata,
  };
}

export function registerApi(app: FastifyInstance, rag: Rag, options: ApiOptions): void {
  app.get("/health", { schema: { tags: ["system"] }, config: PUBLIC_ROUTE }, async () => ({ status: "ok" }));

  app.get("/api/stats", { schema: { tags: ["documents"] } }, async () => rag.stats());

  app.get("/api/documents", { schema: { tags: ["documents"] } }, async () => ({ documents: (await rag.documents()).map(summaryJson) }));

  app.get<{ Params: { id: string } }>(
    "/api/documents/:id",
    { schema: { tags: ["documents"], params: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } } },
    async (request) => {
      const document = await rag.getDocument(request.params.id);
      if (!document) throw new RagkitError("DOCUMENT_NOT_FOUND", `No document with id ${request.params.id}`);
      const chunks = await rag.getChunks(document.id);
      return {
        document: { ...summaryJson(document), text: document.text },
        chunks: chunks.map((c) => ({ id: c.id, index: c.index, start: c.start, end: c.end, metadata: c.metadata })),
      };
    },
  );

  app.delete<{ Params: { id: string } }>("/api/documents/:id", { schema: { tags: ["documents"] } }, async (request) => {
    // By id only: a URL must never name a folder to delete.
    const document = await rag.getDocument(request.params.id);
    if (!document) throw new RagkitError("DOCUMENT_NOT_FOUND", `No document with id ${request.params.id}`);
    const removed = await rag.removeDocuments([document.id]);
    // An uploaded file belongs to the server: it goes with its document.
    if (path.dirname(document.source) === path.resolve(options.uploadsDir)) await rm(document.source, { force: true });
    return { removed };
  });

  app.post<{ Body: RetrievalBody & { query: string; collapse?: boolean } }>(
    "/api/search",
    {
      schema: {
        tags: ["search"],
        body: {
          type: "object",
          required: ["query"],
          additionalProperties: false,
          properties: { query: { type: "string", minLength: 1, maxLength: 10_000 }, collapse: { type: "boolean" }, ...retrievalProperties },
        },
      },
    },
    async (request) => {
      const { query, collapse, ...rest } = request.body;
      const hits = await rag.search(query, { ...askOptions(rest), ...(collapse ? { collapse } : {}) });
      return { hits: hits.map(hitJson) };
    },
  );

  const answer = async (
    request: import("fastify").FastifyRequest,
    reply: import("fastify").FastifyReply,
    run: (signal?: AbortSignal) => AsyncGenerator<import("../../generate/answer.js").AskEvent>,
    stream: boolean,
  ) => {
    if (!stream) {
      let final: import("../../types.js").Answer | undefined;
      for await (const event of run()) if (event.type === "answer") final = event.answer;
      return answerJson(final as import("../../types.js").Answer);
    }
    const sse = openSse(request, reply);
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
  };

  app.post<{ Body: RetrievalBody & { question: string; stream?: boolean } }>(
    "/api/ask",
    {
      schema: {
        tags: ["answers"],
        body: {
          type: "object",
          required: ["question"],
          additionalProperties: false,
          properties: {
            question: { type: "string", minLength: 1, maxLength: 10_000 },
            stream: { type: "boolean" },
            ...retrievalProperties,
          },
        },
      },
    },
    async (request, reply) => {
      const { question, stream, ...rest } = request.body;
      return answer(
        request,
        reply,
        (signal) => rag.askStream(question, { ...askOptions(rest), ...(signal ? { signal } : {}) }),
        wantsStream(request, stream),
      );
    },
  );

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
                properties: {
                  role: { type: "string", enum: ["system", "user", "assistant"] },
                  content: { type: "string", maxLength: 20_000 },
                },
              },
            },
            stream: { type: "boolean" },
            ...retrievalProperties,
          },
        },
      },
    },
    async (request, reply) => {
      const { messages, stream, ...rest } = request.body;
      return answer(
        request,
        reply,
        (signal) => rag.chatStream(messages, { ...askOptions(rest), ...(signal ? { signal } : {}) }),
        wantsStream(request, stream),
      );
    },
  );

  app.post("/api/ingest", { schema: { tags: ["documents"] } }, async (request, reply) => {
    const stream = wantsStream(request, false);
    const paths: string[] = [];
    const fileMetadata: Record<string, Record<string, string>> = {};
    const uploads: Array<{ name: string; path?: string; error?: { code: string; message: string } }> = [];
    let documents: DocumentInput[] = [];
    if (request.isMultipart()) {
      await mkdir(options.uploadsDir, { recursive: true });
      for await (const part of request.files({ limits: { fileSize: options.maxFileBytes, files: 200 } })) {
        const name = part.filename || "upload";
        const ext = path.extname(name).toLowerCase();
        // The client's file name is kept only as metadata; on disk the file gets a name we choose.
        if (!loaderFor(`x${ext}`)) {
          await part.toBuffer().catch(() => undefined);
          uploads.push({
            name,
            error: { code: "UNSUPPORTED_FORMAT", message: `${name}: unsupported type; supported: ${supportedExtensions().join(" ")}` },
          });
          continue;
        }
        const buffer = await part.toBuffer().catch(() => undefined);
        if (!buffer || part.file.truncated) {
          uploads.push({ name, error: { code: "FILE_TOO_LARGE", message: `${name} is larger than ${options.maxFileBytes} bytes` } });
          continue;
        }
        // Named by content: uploading the same file again finds it unchanged instead of duplicating it.
        const target = path.join(options.uploadsDir, `${createHash("sha256").update(buffer).digest("hex").slice(0, 32)}${ext}`);
        await writeFile(target, buffer);
        paths.push(target);
        fileMetadata[target] = { filename: name.slice(0, 255) };
        uploads.push({ name, path: target });
      }
    } else {
      const body = request.body as { documents?: unknown } | undefined;
      if (!body || !Array.isArray(body.documents)) {
        throw new RagkitError(
          "INVALID_ARGUMENT",
          "Send files as multipart/form-data, or JSON {documents: [{source, text, id?, title?, metadata?}]}",
        );
      }
      documents = body.documents.map((d, i) => {
        const doc = d as Partial<DocumentInput>;
        if (typeof doc.text !== "string" || typeof doc.source !== "string") {
          throw new RagkitError("INVALID_ARGUMENT", `documents[${i}] needs string "source" and "text"`);
        }
        return {
          source: doc.source,
          text: doc.text,
          ...(doc.id ? { id: String(doc.id) } : {}),
          ...(doc.title ? { title: String(doc.title) } : {}),
          ...(doc.metadata ? { metadata: doc.metadata } : {}),
        };
      });
    }
    const sse = stream ? openSse(request, reply) : undefined;
    for (const u of uploads)
      sse?.send("file", { name: u.name, status: u.error ? "failed" : "received", ...(u.error ? { error: u.error } : {}) });
    const report = await rag.ingest([...paths, ...documents], {
      prune: false,
      fileMetadata,
      ...(sse ? { signal: sse.signal, onProgress: (p: unknown) => sse.send("progress", p) } : {}),
    });
    options.onIngest?.(report);
    const failedByPath = new Map(report.failed.map((f) => [f.path, f]));
    const files = uploads.map((u) => {
      const failure = u.path ? failedByPath.get(u.path) : undefined;
      const error =
        u.error ?? (failure ? { code: failure.code, message: failure.message.replaceAll(u.path as string, u.name) } : undefined);
      return { name: u.name, status: error ? "failed" : "indexed", ...(error ? { error } : {}) };
    });
    // A file that failed to load is not kept.
    for (const u of uploads) if (u.path && failedByPath.has(u.path)) await rm(u.path, { force: true });
    const result = {
      added: report.added,
      updated: report.updated,
      unchanged: report.unchanged,
      chunksEmbedded: report.chunksEmbedded,
      files,
      failed: report.failed.filter((f) => !paths.includes(f.path)),
    };
    if (!sse) return result;
    for (const f of files) sse.send("file", f);
    sse.send("done", result);
    sse.end();
    return reply;
  });
}
