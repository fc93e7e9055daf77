import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { Chunker } from "../chunk/types.js";
import type { Embedder } from "../embed/types.js";
import { RagkitError } from "../errors.js";
import type { DocumentInput, LoadOptions } from "../load/index.js";
import { type WalkedFile, type WalkOptions, walk } from "../load/walk.js";
import type { DocumentSummary, Store } from "../store/types.js";
import type { Document } from "../types.js";
import { IngestRun } from "./ingest-run.js";
import type { IngestOptions, IngestReport } from "./types.js";

export interface IngestDeps {
  store: Store;
  embedder: Embedder;
  chunker: Chunker;
  load: LoadOptions & WalkOptions;
  /** A long ingest runs the store's index upkeep every this many chunks written (0 or unset: at its end only). */
  upkeepEveryChunks?: number;
  /** Reads and parses a file (on a loader thread, in the facade); `loadFile` on this thread otherwise. */
  loadFile?: (path: string, options: LoadOptions) => Promise<Document[]>;
}

export type IngestInput = string | DocumentInput;

/**
 * Streams files (or in-memory documents) through load → chunk → embed → store. Unchanged
 * documents are skipped by content hash, unchanged chunk texts re-use their stored vectors, and
 * each batch is written atomically, so an interrupted run leaves a consistent index that the
 * next run completes.
 */
export async function runIngest(deps: IngestDeps, inputs: IngestInput[], options: IngestOptions = {}): Promise<IngestReport> {
  const { store, embedder } = deps;
  const paths = inputs.filter((i): i is string => typeof i === "string");
  const documents = inputs.filter((i): i is DocumentInput => typeof i !== "string");
  // Folders need the whole list (to find deleted files); documents given in memory are looked up
  // by id, batch by batch, so an ingest call costs what it brings, not what the index holds.
  const existing = new Map<string, DocumentSummary>((paths.length > 0 ? await store.listDocuments() : []).map((d) => [d.id, d]));
  const run = new IngestRun(deps, options, existing);
  options.onProgress?.({ ...run.progress });
  const files = await walkAll(paths, deps.load, run.report);
  if (files.length + documents.length > 0) await embedder.warm?.();
  await run.ingestFiles(files);
  await run.ingestDocuments(documents);
  const report = await run.drain();
  if (!report.aborted && options.prune !== false) {
    run.progress.phase = "cleanup";
    run.tell();
    report.removed = await store.delete(deletedSince(run, paths));
  }
  // Compaction can take a while; after Ctrl-C it is left to the next run, which does it anyway.
  if (!report.aborted && report.added + report.updated + report.removed > 0) await run.updateIndexes(options.waitForIndexes !== true);
  run.progress.phase = "done";
  run.tell();
  return report;
}

async function walkAll(paths: string[], load: IngestDeps["load"], report: IngestReport): Promise<WalkedFile[]> {
  const files: WalkedFile[] = [];
  for (const input of paths) {
    try {
      for await (const file of walk([input], load)) files.push(file);
    } catch (error) {
      const e = RagkitError.isInstance(error) ? error : new RagkitError("READ_FAILED", String(error));
      report.failed.push({ path: path.resolve(input), code: e.code, message: e.message });
    }
  }
  return files;
}

/** Documents of the folders ingested whose files are gone, or no longer produce them. */
function deletedSince(run: IngestRun, paths: string[]): string[] {
  // Every folder argument counts, even one that is now empty: its files were all deleted.
  const roots = paths.map((p) => path.resolve(p)).filter((p) => existsSync(p) && statSync(p).isDirectory());
  return (
    [...run.existing.values()]
      .filter((d) => !run.seen.has(d.id))
      .filter((d) => roots.some((root) => d.source.startsWith(root + path.sep)))
      // A file that failed to load this time keeps its old documents: nothing indexed is lost.
      .filter((d) => run.loadedFiles.has(d.source) || !existsSync(d.source))
      .map((d) => d.id)
  );
}
