import type { Table } from "@lancedb/lancedb";
import type { Metadata } from "../types.js";
import { faultPoint } from "./faults.js";
import { CHUNKS } from "./lancedb-connection.js";
import { FtsIndex } from "./lancedb-fts.js";
import type { LanceHandles } from "./lancedb-handles.js";
import { readManifestFile, writeManifestFile } from "./lancedb-meta.js";
import { alignDocuments, clearPlan, discardStaged, markCommitting, stageChunks, stagedDocuments, stagingTable } from "./lancedb-reindex.js";
import type { Manifest, ReindexStage, ReindexTarget } from "./types.js";

// A chunk table a reindex replaced may still be searched by a process that has not yet seen the
// swap (it follows on its next request): it is dropped later than a version.
const RETIRED_GRACE_MS = 10 * 60_000;

/** A reindex into a staging chunk table, swapped in by one manifest write when every document is staged. */
export async function reindexStage(
  lance: LanceHandles,
  target: ReindexTarget,
  metadata: () => Promise<(documentId: string) => Metadata>,
): Promise<ReindexStage> {
  const { table, name } = await stagingTable(lance.db, lance.dir, target, lance.chunksName);
  return {
    done: () => stagedDocuments(table),
    discard: (ids) => discardStaged(table, ids),
    write: async (chunks) => stageChunks(table, chunks, await metadata()),
    commit: async (manifest, chunkerKey) => {
      await new FtsIndex(table, lance.lancedb).ensure();
      const retired = [...(manifest.retired ?? []), { table: lance.chunksName, at: new Date().toISOString() }];
      const commit = { manifest: { ...manifest, chunksTable: name, retired }, chunkerKey };
      await markCommitting(lance.dir, commit);
      faultPoint("reindex:committing");
      await finishReindex(lance, table, name, commit);
    },
  };
}

/**
 * The commit of a reindex, safe to repeat: documents agree with the staged chunks, then the swap
 * is one atomic manifest write (before it the old table answers, after it the new one).
 */
export async function finishReindex(
  lance: LanceHandles,
  table: Table,
  name: string,
  commit: { manifest: Manifest; chunkerKey: string },
): Promise<void> {
  await alignDocuments(lance.documents, table, commit.chunkerKey);
  await writeManifestFile(lance.dir, commit.manifest);
  await clearPlan(lance.dir);
  lance.switchTo(table, name);
}

/** Follows a reindex another process committed: the manifest names the chunk table to search. */
export async function followActiveTable(lance: LanceHandles): Promise<void> {
  const active = (await readManifestFile(lance.dir))?.chunksTable ?? CHUNKS;
  if (active !== lance.chunksName) lance.switchTo(await lance.db.openTable(active), active);
}

/** Drops chunk tables a reindex replaced, once no reader can still be using them. */
export async function dropRetired(lance: LanceHandles): Promise<void> {
  const manifest = await readManifestFile(lance.dir);
  if (!manifest?.retired?.length) return;
  const cutoff = Date.now() - RETIRED_GRACE_MS;
  const old = manifest.retired.filter((r) => Date.parse(r.at) < cutoff);
  if (old.length === 0) return;
  const names = await lance.db.tableNames();
  for (const r of old) if (names.includes(r.table) && r.table !== lance.chunksName) await lance.db.dropTable(r.table);
  await writeManifestFile(lance.dir, { ...manifest, retired: manifest.retired.filter((r) => !old.includes(r)) });
}
