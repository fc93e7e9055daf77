import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { Chunker } from "../chunk/types.js";
import { embedUntil } from "../embed/embed-batches.js";
import type { Embedder } from "../embed/types.js";
import { RagkitError } from "../errors.js";
import { type DocumentInput, type LoadOptions, loadFile, makeDocument } from "../load/index.js";
import { type WalkedFile, type WalkOptions, walk } from "../load/walk.js";
import type { ChunkRecord, DocumentSummary, DocumentWrite, Store } from "../store/types.js";
import type { Document } from "../types.js";
import { GroupCommit } from "./group-commit.js";
import { chunkRecords } from "./records.js";
import type { IngestOptions, IngestProgress, IngestReport } from "./types.js";

export interface IngestDeps {
  store: Store;
  embedder: Embedder;
  chunker: Chunker;
  load: LoadOptions & WalkOptions;
  /** Reads and parses a file (on a loader thread, in the facade); `loadFile` on this thread otherwise. */
  loadFile?: (path: string, options: LoadOptions) => Promise<Document[]>;
}

// Chunks per embedding batch. Large enough to keep every embedding worker busy, small enough that
// Ctrl-C stops soon and an interrupted run loses little work. (512 made a fast embedder's ingest
// 10% faster, its vector look-ups fewer, but a killed run then lost four times the work.)
const BATCH_CHUNKS = 128;
// Batches being embedded at once: one embeds while the previous one is handed to the writer.
const MAX_IN_FLIGHT = 2;
// Chunks waiting to be committed, at most: batches that queue while a commit runs go together.
const MAX_COMMIT_CHUNKS = 2048;

interface Pending {
  document: Document;
  isNew: boolean;
  chunks: ChunkRecord[];
}

export type IngestInput = string | DocumentInput;

/**
 * Streams files (or in-memory documents) through load → chunk → embed → store. Unchanged
 * documents are skipped by content hash, unchanged chunk texts re-use their stored vectors, and
 * each batch is written atomically, so an interrupted run leaves a consistent index that the
 * next run completes.
 */
export async function runIngest(deps: IngestDeps, inputs: IngestInput[], options: IngestOptions = {}): Promise<IngestReport> {
  const report: IngestReport = {
    added: 0,
    updated: 0,
    unchanged: 0,
    removed: 0,
    chunksEmbedded: 0,
    chunksReused: 0,
    failed: [],
    warnings: [],
    aborted: false,
  };
  const { store, embedder, chunker } = deps;
  const paths = inputs.filter((i): i is string => typeof i === "string");
  const documents = inputs.filter((i): i is DocumentInput => typeof i !== "string");
  // Folders need the whole list (to find deleted files); documents given in memory are looked up
  // by id, batch by batch, so an ingest call costs what it brings, not what the index holds.
  const existing = new Map<string, DocumentSummary>((paths.length > 0 ? await store.listDocuments() : []).map((d) => [d.id, d]));

  const progress: IngestProgress = {
    phase: "scan",
    filesTotal: 0,
    filesDone: 0,
    documentsWritten: 0,
    chunksEmbedded: 0,
    chunksReused: 0,
    chunksTotal: 0,
  };
  let chunksQueued = 0;
  const tell = (current?: string) => {
    // Files not read yet are assumed to hold as many new chunks per file as those read so far.
    const perFile = progress.filesDone > 0 ? chunksQueued / progress.filesDone : 0;
    progress.chunksTotal = Math.round(chunksQueued + Math.max(0, progress.filesTotal - progress.filesDone) * perFile);
    options.onProgress?.({ ...progress, ...(current ? { current } : {}) });
  };
  options.onProgress?.({ ...progress });
  const files: WalkedFile[] = [];
  for (const input of paths) {
    try {
      for await (const file of walk([input], deps.load)) files.push(file);
    } catch (error) {
      const e = RagkitError.isInstance(error) ? error : new RagkitError("READ_FAILED", String(error));
      report.failed.push({ path: path.resolve(input), code: e.code, message: e.message });
    }
  }
  if (files.length + documents.length > 0) await embedder.warm?.();

  let batch: Pending[] = [];
  let batchChunks = 0;
  const inFlight = new Set<Promise<void>>();
  const commits = new GroupCommit((writes) => store.upsert(writes), MAX_COMMIT_CHUNKS);
  const committing = new Set<Promise<void>>();
  let writeError: unknown;
  const seen = new Set<string>();

  const flush = async (pending: Pending[]) => {
    const records = pending.flatMap((p) => p.chunks);
    // Asked even of an empty index (documents given in memory are not listed first): it also finds
    // vectors an earlier batch of this run wrote for the same text.
    const reusable = await store.findVectors(records.map((r) => r.embedHash));
    const missing = [...new Set(records.filter((r) => !reusable.has(r.embedHash)).map((r) => r.embedHash))];
    const textOf = new Map(records.map((r) => [r.embedHash, r.contextText ?? r.text]));
    progress.chunksReused += records.length - missing.length;
    const vectors = await embedUntil(
      embedder,
      missing.map((h) => textOf.get(h) as string),
      "document",
      {
        ...(options.signal ? { signal: options.signal } : {}),
        onBatch: (count) => {
          progress.chunksEmbedded += count;
          tell();
        },
      },
    );
    for (const [i, hash] of missing.entries()) {
      const vector = vectors[i];
      if (vector) reusable.set(hash, vector);
    }
    // Ctrl-C stops embedding between batches: the documents whose chunks all have vectors are
    // still written (one atomic step), the rest are left for the next run.
    const complete = pending.filter((p) => p.chunks.every((r) => reusable.has(r.embedHash)));
    for (const record of complete.flatMap((p) => p.chunks)) record.vector = reusable.get(record.embedHash) as Float32Array;
    const writes: DocumentWrite[] = complete.map((p) => ({
      document: { ...toSummary(p.document, chunker.key, p.chunks.length), text: p.document.text },
      chunks: p.chunks,
      isNew: p.isNew,
    }));
    if (writes.length === 0) return;
    const committed = commits.write(writes).then(
      () => {
        for (const p of complete) {
          if (p.isNew) report.added++;
          else report.updated++;
        }
        progress.documentsWritten += complete.length;
        tell();
      },
      (error: unknown) => {
        writeError ??= error;
      },
    );
    committing.add(committed);
    void committed.finally(() => committing.delete(committed));
  };

  const submit = async () => {
    if (batch.length === 0) return;
    const job = flush(batch).catch((error) => {
      writeError ??= error;
    });
    batch = [];
    batchChunks = 0;
    inFlight.add(job);
    void job.finally(() => inFlight.delete(job));
    while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    while (commits.pending >= MAX_COMMIT_CHUNKS && committing.size > 0) await Promise.race(committing);
  };

  const accept = async (document: Document, origin: string) => {
    if (seen.has(document.id)) {
      report.failed.push({
        path: origin,
        code: "DUPLICATE_DOCUMENT",
        message: `${origin}: document id "${document.id}" appears more than once in this run; only the first was kept`,
      });
      return;
    }
    seen.add(document.id);
    const before = existing.get(document.id);
    if (!options.force && before && before.contentHash === document.contentHash && before.chunkerKey === chunker.key) {
      report.unchanged++;
      return;
    }
    const chunks = chunkRecords(chunker, document, embedder.id);
    if (chunks.length === 0) {
      report.failed.push({ path: origin, code: "EMPTY_DOCUMENT", message: `${origin} has no text to index` });
      return;
    }
    batch.push({ document, isNew: !before, chunks });
    chunksQueued += chunks.length;
    batchChunks += chunks.length;
    if (batchChunks >= BATCH_CHUNKS) await submit();
  };

  const loadedFiles = new Set<string>();
  progress.filesTotal = files.length;
  progress.phase = "ingest";
  for (const file of files) {
    if (options.signal?.aborted || writeError) break;
    tell(file.path);
    if (file.error) {
      report.failed.push({ path: file.path, code: file.error.code, message: file.error.message });
      progress.filesDone++;
      continue;
    }
    try {
      const loaded = await (deps.loadFile ?? loadFile)(file.path, deps.load);
      loadedFiles.add(file.path);
      const encoding = loaded[0]?.metadata.encoding;
      if (typeof encoding === "string" && !encoding.startsWith("utf-")) {
        report.warnings.push({
          path: file.path,
          code: "INVALID_ENCODING",
          message: `${file.path} is not valid UTF-8; decoded as ${encoding}`,
        });
      }
      const extra = options.fileMetadata?.[file.path];
      for (const document of loaded)
        await accept(extra ? makeDocument({ ...document, metadata: { ...document.metadata, ...extra } }) : document, file.path);
    } catch (error) {
      const e = RagkitError.isInstance(error) ? error : new RagkitError("READ_FAILED", `${file.path}: ${String(error)}`);
      report.failed.push({ path: file.path, code: e.code, message: e.message });
    }
    progress.filesDone++;
  }
  for (let i = 0; i < documents.length; i += 1000) {
    const made: Array<{ document?: Document; input: DocumentInput; error?: unknown }> = documents.slice(i, i + 1000).map((input) => {
      try {
        return { document: makeDocument(input), input };
      } catch (error) {
        return { input, error };
      }
    });
    const ids = made.flatMap((m) => (m.document && !existing.has(m.document.id) ? [m.document.id] : []));
    for (const summary of await store.findDocuments(ids)) existing.set(summary.id, summary);
    for (const { document, input, error } of made) {
      if (options.signal?.aborted || writeError) break;
      try {
        if (!document) throw error;
        await accept(document, input.id ?? input.source);
      } catch (error) {
        const e = RagkitError.isInstance(error) ? error : new RagkitError("INVALID_ARGUMENT", String(error));
        report.failed.push({ path: input.id ?? input.source, code: e.code, message: e.message });
      }
    }
  }
  if (!writeError) await submit();
  await Promise.all(inFlight);
  await Promise.all(committing);
  if (writeError) throw writeError;
  // Counted once, as embedding went (the progress shows them too).
  report.chunksEmbedded = progress.chunksEmbedded;
  report.chunksReused = progress.chunksReused;
  report.aborted = options.signal?.aborted ?? false;

  if (!report.aborted && options.prune !== false) {
    progress.phase = "cleanup";
    tell();
    // Every folder argument counts, even one that is now empty: its files were all deleted.
    const roots = paths.map((p) => path.resolve(p)).filter((p) => existsSync(p) && statSync(p).isDirectory());
    const gone = [...existing.values()]
      .filter((d) => !seen.has(d.id))
      .filter((d) => roots.some((root) => d.source.startsWith(root + path.sep)))
      // A file that failed to load this time keeps its old documents: nothing indexed is lost.
      .filter((d) => loadedFiles.has(d.source) || !existsSync(d.source))
      .map((d) => d.id);
    report.removed = await store.delete(gone);
  }
  // Compaction can take a while; after Ctrl-C it is left to the next run, which does it anyway.
  if (!report.aborted && report.added + report.updated + report.removed > 0) await store.optimize();
  progress.phase = "done";
  tell();
  return report;
}

function toSummary(document: Document, chunkerKey: string, chunkCount: number): DocumentSummary {
  return {
    id: document.id,
    source: document.source,
    ...(document.title ? { title: document.title } : {}),
    contentHash: document.contentHash,
    chunkerKey,
    metadata: document.metadata,
    chunkCount,
    chars: document.text.length,
    updatedAt: Date.now(),
  };
}
