import { chunkerFor } from "./chunk/index.js";
import type { RagkitConfig } from "./config.js";
import { callerEmbedder } from "./embed/caller.js";
import { createEmbedder, embedderSettings } from "./embed/index.js";
import type { Embedder } from "./embed/types.js";
import type { ReindexReport } from "./ingest/reindex.js";
import type { DocumentInput } from "./load/index.js";
import type { ReindexCallOptions, ReindexTargetInput } from "./rag-options.js";
import type { DoctorReport } from "./store/doctor.js";
import type { Manifest, Store } from "./store/types.js";

/**
 * Re-embeds the stored chunks with the target embedder (no file is read again); call holding the
 * write lock. Returns the new embedder for the caller to adopt, or none when the run was aborted
 * or failed (an embedder made here is closed again then).
 */
export async function reindexWith(
  context: { config: RagkitConfig; store: Store; current: Embedder; manifest: Manifest },
  target: ReindexTargetInput,
  options: ReindexCallOptions,
): Promise<{ report: ReindexReport; next?: Embedder }> {
  const config = { ...context.config.embedder, ...target.config };
  const next = target.embedder ? callerEmbedder(target.embedder) : await createEmbedder(config);
  let report: ReindexReport;
  try {
    const { runReindex } = await import("./ingest/reindex.js");
    report = await runReindex(
      { store: context.store, chunker: chunkerFor(context.config.chunk, next), embedder: next },
      context.current,
      context.manifest,
      {
        settings: embedderSettings(config),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      },
    );
  } catch (error) {
    if (!target.embedder) await next.close();
    throw error;
  }
  if (!report.aborted) return { report, next };
  if (!target.embedder) await next.close();
  return { report };
}

/**
 * Checks the index; with `repair`, fixes it without removing any document: inconsistent ones are
 * chunked again from the text the index holds (`reingest`), so no file needs to exist for it. Call
 * holding the write lock.
 */
export async function doctorIndex(
  store: Store,
  repair: boolean,
  reingest: (documents: DocumentInput[]) => Promise<unknown>,
): Promise<DoctorReport> {
  const { examine, repairPlan } = await import("./store/doctor.js");
  const found = await examine(store);
  if (!repair || found.ok) return found;
  const plan = repairPlan(found);
  await store.repair(plan);
  const stored = await Promise.all(plan.rechunk.map((id) => store.getDocument(id)));
  const again = stored.flatMap((d) =>
    d ? [{ id: d.id, source: d.source, text: d.text, metadata: d.metadata, ...(d.title ? { title: d.title } : {}) }] : [],
  );
  await reingest(again);
  await store.optimize();
  return { ...(await examine(store)), repaired: plan };
}
