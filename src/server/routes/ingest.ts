import { createHash } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type {} from "@fastify/multipart";
import type {} from "@fastify/swagger";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { RagkitError } from "../../errors.js";
import type { IngestReport } from "../../ingest/types.js";
import type { DocumentInput } from "../../load/document.js";
import { loaderFor, supportedExtensions } from "../../load/index.js";
import type { Rag } from "../../rag.js";
import { openSse, wantsStream } from "../sse.js";
import type { RouteLimits } from "./limits.js";

export interface IngestRouteOptions {
  uploadsDir: string;
  maxFileBytes: number;
  onIngest?: (report: IngestReport) => void;
}

interface Upload {
  name: string;
  path?: string;
  error?: { code: string; message: string };
}

const metadataValue = z.union([
  z.string().max(10_000),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.string().max(1_000)).max(100),
  z.array(z.number()).max(100),
]);

function documentsSchema(maxChars: number) {
  return z
    .object({
      documents: z
        .array(
          z
            .object({
              source: z.string().min(1).max(2_048),
              text: z.string().max(maxChars),
              id: z.string().min(1).max(512).optional(),
              title: z.string().max(1_000).optional(),
              metadata: z.record(z.string().max(256), metadataValue).optional(),
            })
            .strict(),
        )
        .min(1)
        .max(1_000),
    })
    .strict();
}

/** JSON documents, validated: a wrong shape is a 400 that names the field, never a crash. */
function parseDocuments(body: unknown, maxChars: number): DocumentInput[] {
  const result = documentsSchema(maxChars).safeParse(body);
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`)
      .join("; ");
    throw new RagkitError(
      "INVALID_ARGUMENT",
      `Send files as multipart/form-data, or JSON {documents: [{source, text, id?, title?, metadata?}]}: ${problems}`,
    );
  }
  return result.data.documents.map((d) => ({ ...d, ...(d.metadata ? { metadata: d.metadata as DocumentInput["metadata"] } : {}) }));
}

/**
 * Stores uploaded files under their content hash (the client's name is only metadata), once per
 * distinct content even when one upload repeats a file.
 */
async function receiveFiles(request: FastifyRequest, options: IngestRouteOptions) {
  const uploads: Upload[] = [];
  const paths: string[] = [];
  const fileMetadata: Record<string, Record<string, string>> = {};
  await mkdir(options.uploadsDir, { recursive: true });
  for await (const part of request.files({ limits: { fileSize: options.maxFileBytes, files: 200 } })) {
    const name = part.filename || "upload";
    const ext = path.extname(name).toLowerCase();
    if (!loaderFor(`x${ext}`)) {
      await part.toBuffer().catch(() => undefined);
      const message = `${name}: unsupported type; supported: ${supportedExtensions().join(" ")}`;
      uploads.push({ name, error: { code: "UNSUPPORTED_FORMAT", message } });
      continue;
    }
    const buffer = await part.toBuffer().catch(() => undefined);
    if (!buffer || part.file.truncated) {
      uploads.push({ name, error: { code: "FILE_TOO_LARGE", message: `${name} is larger than ${options.maxFileBytes} bytes` } });
      continue;
    }
    const target = path.join(options.uploadsDir, `${createHash("sha256").update(buffer).digest("hex").slice(0, 32)}${ext}`);
    uploads.push({ name, path: target });
    if (fileMetadata[target]) continue;
    await writeFile(target, buffer);
    paths.push(target);
    fileMetadata[target] = { filename: name.slice(0, 255) };
  }
  return { uploads, paths, fileMetadata };
}

/** POST /api/ingest: multipart files or JSON documents, with per-file results (and SSE progress). */
export function registerIngestRoute(app: FastifyInstance, rag: Rag, limits: RouteLimits, options: IngestRouteOptions): void {
  app.post("/api/ingest", { schema: { tags: ["documents"] }, preHandler: limits.gates.ingest.preHandler }, async (request, reply) => {
    const stream = wantsStream(request, false);
    const received = request.isMultipart()
      ? await receiveFiles(request, options)
      : {
          uploads: [] as Upload[],
          paths: [] as string[],
          fileMetadata: {},
          documents: parseDocuments(request.body, rag.config.load.maxChars),
        };
    const { uploads, paths, fileMetadata } = received;
    const documents = "documents" in received ? received.documents : [];
    const sse = stream ? openSse(reply) : undefined;
    for (const u of uploads)
      sse?.send("file", { name: u.name, status: u.error ? "failed" : "received", ...(u.error ? { error: u.error } : {}) });
    // A client that disconnects does not cancel the ingest: its files are already received and
    // stored, and a half-done upload would leave files without documents. It finishes and is logged.
    sse?.signal.addEventListener("abort", () => request.log.info("client left during ingest; finishing it"));
    const report = await rag.ingest([...paths, ...documents], {
      prune: false,
      fileMetadata,
      lock: limits.lock,
      ...(sse ? { onProgress: (p: unknown) => sse.send("progress", p) } : {}),
    });
    options.onIngest?.(report);
    const failedByPath = new Map(report.failed.map((f) => [f.path, f]));
    const files = uploads.map((u) => {
      const failure = u.path ? failedByPath.get(u.path) : undefined;
      const error =
        u.error ?? (failure ? { code: failure.code, message: failure.message.replaceAll(u.path as string, u.name) } : undefined);
      return { name: u.name, status: error ? "failed" : "indexed", ...(error ? { error } : {}) };
    });
    // A stored file that failed to load is not kept (no document points to it).
    for (const p of paths) if (failedByPath.has(p)) await rm(p, { force: true });
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
