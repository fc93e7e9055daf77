import type { Chunker } from "../chunk/types.js";
import { embedAll } from "../embed/embed-batches.js";
import type { Embedder } from "../embed/types.js";
import { chunksFingerprint } from "../store/staged-fingerprint.js";
import type { ChunkRecord, DocumentSummary, Manifest, ReindexStage, Store } from "../store/types.js";
import { chunkRecords } from "./records.js";

/** The `--json` shape of `ragkit reindex`. */
export interface ReindexReport {
  from: string;
  to: string;
  documents: number;
  /** Documents an interrupted earlier run had already re-embedded. */
  resumed: number;
  chunksEmbedded: number;
  /** True when stopped before the swap: the old embedder still answers; run again to resume. */
  aborted: boolean;
}

export interface ReindexProgress {
  documentsDone: number;
  documentsTotal: number;
  chunksEmbedded: number;
}

export interface ReindexDeps {
  store: Store;
  chunker: Chunker;
  embedder: Embedder;
}

/**
 * The documents an interrupted run staged that are still as they were: an ingest or `docs rm`
 * between the runs may have changed or deleted others, whose staged chunks are dropped and redone
 * (cutting a document is cheap next to embedding it).
 */
async function stillCurrent(
  deps: ReindexDeps & { stage: ReindexStage },
  documents: DocumentSummary[],
  staged: Map<string, string>,
): Promise<Set<string>> {
  const current = new Set<string>();
  for (const summary of documents) {
    const fingerprint = staged.get(summary.id);
    if (fingerprint === undefined) continue;
    const document = await deps.store.getDocument(summary.id);
    if (document && chunksFingerprint(chunkRecords(deps.chunker, document, deps.embedder.id)) === fingerprint) current.add(summary.id);
  }
  const stale = [...staged.keys()].filter((id) => !current.has(id));
  if (stale.length > 0) await deps.stage.discard(stale);
  return current;
}

// Chunks per staged write: each write holds whole documents, so a kill never stages half of one.
const BATCH_CHUNKS = 128;

/**
 * Re-embeds every stored document with another embedder, from the text the index holds (no file is
 * read again), chunked for that embedder (`deps.chunker`), into a staging table; then swaps it in
 * with the manifest that records the new embedder. Until the swap the old embedder answers; after
 * it, only the new one: never a mix.
 */
export async function runReindex(
  deps: ReindexDeps,
  from: Embedder,
  manifest: Manifest,
  options: { signal?: AbortSignal; onProgress?: (p: ReindexProgress) => void; settings: Record<string, string | number> },
): Promise<ReindexReport> {
  const { store, chunker, embedder } = deps;
  const documents = await store.listDocuments();
  const stage = await store.stageReindex({ embedderId: embedder.id, dimensions: embedder.dimensions });
  const done = await stillCurrent({ ...deps, stage }, documents, await stage.done());
  const report: ReindexReport = {
    from: from.id,
    to: embedder.id,
    documents: documents.length,
    resumed: done.size,
    chunksEmbedded: 0,
    aborted: false,
  };
  const progress = { documentsDone: done.size, documentsTotal: documents.length, chunksEmbedded: 0 };
  options.onProgress?.({ ...progress });
  let batch: ChunkRecord[] = [];
  let batchDocuments = 0;
  const flush = async () => {
    const vectors = await embedAll(
      embedder,
      batch.map((c) => c.contextText ?? c.text),
      "document",
    );
    batch.forEach((c, i) => {
      c.vector = vectors[i] as Float32Array;
    });
    await stage.write(batch);
    report.chunksEmbedded += batch.length;
    progress.documentsDone += batchDocuments;
    progress.chunksEmbedded = report.chunksEmbedded;
    options.onProgress?.({ ...progress });
    batch = [];
    batchDocuments = 0;
  };
  for (const summary of documents) {
    if (options.signal?.aborted) break;
    if (done.has(summary.id)) continue;
    const document = await store.getDocument(summary.id);
    if (!document) continue;
    batch.push(...chunkRecords(chunker, document, embedder.id));
    batchDocuments++;
    if (batch.length >= BATCH_CHUNKS) await flush();
  }
  if (options.signal?.aborted) return { ...report, aborted: true };
  if (batch.length > 0 || batchDocuments > 0) await flush();
  await stage.commit(
    {
      ...manifest,
      embedder: { id: embedder.id, dimensions: embedder.dimensions, settings: options.settings },
      chunker: { ...manifest.chunker, key: chunker.key },
      updatedAt: new Date().toISOString(),
    },
    chunker.key,
  );
  return report;
}
