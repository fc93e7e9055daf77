import { rm } from "node:fs/promises";
import path from "node:path";
import type {} from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import { RagkitError } from "../../errors.js";
import type { Rag } from "../../rag.js";
import { PUBLIC_ROUTE } from "../auth.js";
import type { RouteLimits } from "./limits.js";

/** Documents summarised the same way for the API and the UI. */
export function summaryJson(d: Awaited<ReturnType<Rag["documents"]>>[number]) {
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

const idParams = {
  type: "object",
  properties: { id: { type: "string", minLength: 1, maxLength: 1024 } },
  required: ["id"],
} as const;

/** Health, stats, and the documents: list, read one, delete one. */
export function registerDocumentRoutes(app: FastifyInstance, rag: Rag, limits: RouteLimits, uploadsDir: string): void {
  app.get("/health", { schema: { tags: ["system"] }, config: PUBLIC_ROUTE }, async () => ({ status: "ok" }));

  app.get("/api/stats", { schema: { tags: ["documents"] } }, async () => rag.stats());

  app.get("/api/documents", { schema: { tags: ["documents"] } }, async () => ({ documents: (await rag.documents()).map(summaryJson) }));

  app.get<{ Params: { id: string } }>("/api/documents/:id", { schema: { tags: ["documents"], params: idParams } }, async (request) => {
    const document = await rag.getDocument(request.params.id);
    if (!document) throw new RagkitError("DOCUMENT_NOT_FOUND", `No document with id ${request.params.id}`);
    const chunks = await rag.getChunks(document.id);
    return {
      document: { ...summaryJson(document), text: document.text },
      chunks: chunks.map((c) => ({ id: c.id, index: c.index, start: c.start, end: c.end, metadata: c.metadata })),
    };
  });

  app.delete<{ Params: { id: string } }>(
    "/api/documents/:id",
    { schema: { tags: ["documents"], params: idParams }, preHandler: limits.gates.ingest.preHandler },
    async (request) => {
      // By id only: a URL must never name a folder to delete.
      const document = await rag.getDocument(request.params.id);
      if (!document) throw new RagkitError("DOCUMENT_NOT_FOUND", `No document with id ${request.params.id}`);
      const removed = await rag.removeDocuments([document.id], { lock: limits.lock });
      // An uploaded file belongs to the server: it goes with its document, unless another
      // document (the same upload under another name) still points to it.
      if (path.dirname(document.source) === path.resolve(uploadsDir)) {
        const stillUsed = (await rag.documents()).some((d) => d.source === document.source);
        if (!stillUsed) await rm(document.source, { force: true });
      }
      return { removed };
    },
  );
}
