import { RagkitError } from "../errors.js";
import type { StoreLocation } from "./index.js";
import { portableManifest } from "./manifest.js";
import type { ChunkRecord, DocumentWrite, LockOptions, Store } from "./types.js";

/** The `--json` shape of `ragkit copy`. */
export interface CopyReport {
  from: string;
  to: string;
  documents: number;
  chunks: number;
  /** Documents the destination already held unchanged (a copy run again resumes). */
  skipped: number;
}

export interface CopyProgress {
  documentsDone: number;
  documentsTotal: number;
}

// Documents per write: each batch is one atomic upsert in the destination.
const BATCH_DOCUMENTS = 200;

/**
 * Moves an index to another store without embedding anything again: documents, chunks with their
 * vectors and terms, and the manifest (so the destination refuses another embedder just the same).
 * Writes go through the destination's lock and atomic upserts, so a killed copy is resumed by
 * running it again: documents already there with the same content are skipped.
 */
export async function copyIndex(
  from: StoreLocation,
  to: StoreLocation,
  options: { lock?: LockOptions; onProgress?: (p: CopyProgress) => void } = {},
): Promise<CopyReport> {
  const manifest = await from.manifest();
  if (!manifest) throw new RagkitError("INDEX_NOT_FOUND", `No index at ${from.describe} to copy`);
  const found = await to.manifest();
  if (found && (found.embedder.id !== manifest.embedder.id || found.embedder.dimensions !== manifest.embedder.dimensions)) {
    throw new RagkitError(
      "INDEX_EMBEDDER_MISMATCH",
      `${to.describe} holds an index built with "${found.embedder.id}", the copy's is "${manifest.embedder.id}"; copy into an empty store`,
    );
  }
  const source = await from.open(manifest.embedder.dimensions);
  let target: Store | undefined;
  try {
    target = await to.open(manifest.embedder.dimensions);
    const lock = await target.lock(options.lock);
    try {
      await target.recover();
      await target.writeManifest({ ...portableManifest(manifest), updatedAt: new Date().toISOString() });
      const report = await copyDocuments(source, target, options.onProgress);
      await target.optimize();
      return { from: from.describe, to: to.describe, ...report };
    } finally {
      await lock.release();
    }
  } finally {
    await source.close();
    await target?.close();
  }
}

async function copyDocuments(
  source: Store,
  target: Store,
  onProgress?: (p: CopyProgress) => void,
): Promise<Omit<CopyReport, "from" | "to">> {
  const documents = await source.listDocuments();
  const report = { documents: 0, chunks: 0, skipped: 0 };
  for (let i = 0; i < documents.length; i += BATCH_DOCUMENTS) {
    const batch = documents.slice(i, i + BATCH_DOCUMENTS);
    const there = new Map((await target.findDocuments(batch.map((d) => d.id))).map((d) => [d.id, d]));
    const wanted = batch.filter((d) => {
      const same = there.get(d.id);
      return !(same && same.contentHash === d.contentHash && same.chunkerKey === d.chunkerKey && same.chunkCount === d.chunkCount);
    });
    report.skipped += batch.length - wanted.length;
    const chunks = await source.getChunkRecords(wanted.map((d) => d.id));
    const byDocument = new Map<string, ChunkRecord[]>();
    for (const chunk of chunks) {
      const list = byDocument.get(chunk.documentId);
      if (list) list.push(chunk);
      else byDocument.set(chunk.documentId, [chunk]);
    }
    const writes: DocumentWrite[] = [];
    for (const summary of wanted) {
      const document = await source.getDocument(summary.id);
      if (!document) continue;
      writes.push({ document, chunks: byDocument.get(summary.id) ?? [], isNew: !there.has(summary.id) });
    }
    await target.upsert(writes);
    report.documents += writes.length;
    report.chunks += writes.reduce((sum, w) => sum + w.chunks.length, 0);
    onProgress?.({ documentsDone: Math.min(i + BATCH_DOCUMENTS, documents.length), documentsTotal: documents.length });
  }
  return report;
}
