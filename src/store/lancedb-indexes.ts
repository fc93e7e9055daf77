import { readdir, rmdir } from "node:fs/promises";
import path from "node:path";
import type { Table } from "@lancedb/lancedb";
import { tableSchema } from "./lancedb-arrow.js";
import { readMetaFile, writeMetaFile } from "./lancedb-meta.js";

type LanceDb = typeof import("@lancedb/lancedb");

// The columns every write and filtered read looks rows up by: without an index each `IN (…)` over
// them scans the whole table, which made every ingest call slower as the index grew.
const SCALAR: Array<{ table: "chunks" | "documents"; column: string; kind: "btree" | "labelList" }> = [
  { table: "documents", column: "id", kind: "btree" },
  { table: "chunks", column: "doc_id", kind: "btree" },
  { table: "chunks", column: "embed_hash", kind: "btree" },
  // Filtered search (lancedb-labels.ts); a table from before the column existed has none to index.
  { table: "chunks", column: "labels", kind: "labelList" },
];

/**
 * B-tree indexes on the lookup columns, built by writers (under the write lock) once a table has
 * rows. Rows written later are still found (LanceDB scans what an index does not cover yet) and
 * join the index at the next compaction.
 */
export async function ensureScalarIndexes(tables: { chunks: Table; documents: Table }, lancedb: LanceDb): Promise<void> {
  for (const name of ["documents", "chunks"] as const) {
    const table = tables[name];
    const present = new Set((await tableSchema(table)).fields.map((f) => f.name));
    const indexed = new Set((await table.listIndices()).flatMap((index) => index.columns));
    const missing = SCALAR.filter((s) => s.table === name && present.has(s.column) && !indexed.has(s.column));
    if (missing.length === 0 || (await table.countRows()) === 0) continue;
    for (const { column, kind } of missing)
      await table.createIndex(column, { config: kind === "btree" ? lancedb.Index.btree() : lancedb.Index.labelList() });
  }
}

/**
 * The ANN index for dense search, built once the table is large enough that an exact scan is slow
 * (~130 ms at 100,000 × 384 on two cores). IVF with RaBitQ codes (one bit per dimension) and the
 * shortlist re-scored at full precision (`refine`): at 200,000 × 384, 1.5 s to build, p50 4.1 ms
 * and recall@10 0.955; IVF_HNSW_SQ took 107 s to build for recall 0.97, and 24 s more for each
 * later batch of rows it folded in. Rows added later are scanned exactly until a compaction folds
 * them into the index as one more delta, each searched on its own (96 of them made a search of
 * 1,000,000 chunks take 480 ms), and LanceDB's JS API cannot merge them: so the index is built
 * again, whole, once there are more than a few deltas or the table has doubled since its last build.
 */
export async function ensureVectorIndex(chunks: Table, lancedb: LanceDb, minRows: number, builds: BuildLog): Promise<void> {
  if (minRows <= 0) return;
  const index = (await chunks.listIndices()).find((i) => i.columns.includes("vector"));
  const rows = await chunks.countRows();
  if (!index) {
    if (rows < minRows) return;
  } else {
    const stats = await chunks.indexStats(index.name);
    const deltas = (stats?.numIndices ?? 1) - 1;
    const builtAt = (await builds.read()) ?? Math.max(minRows, Math.round((stats?.numIndexedRows ?? rows) / (deltas + 1)));
    if (deltas === 0 || (deltas <= MAX_DELTAS && rows < 2 * builtAt)) return;
  }
  // √rows partitions, as LanceDB's default, but said here because probeCount relies on it.
  const numPartitions = Math.max(1, Math.round(Math.sqrt(rows)));
  await chunks.createIndex("vector", { config: lancedb.Index.ivfRq({ distanceType: "cosine", numPartitions }), replace: true });
  await builds.write(rows);
}

// Each delta adds ~0.4 ms to a search; a rebuild of 1,000,000 rows takes seconds.
const MAX_DELTAS = 4;

/** How many rows the chunk table had when its vector index was last built whole. */
export interface BuildLog {
  read(): Promise<number | undefined>;
  write(rows: number): Promise<void>;
}

/** The build log of one chunk table: the index folder's meta record `ann-build`. */
export function fileBuildLog(dir: string, table: string): BuildLog {
  return {
    async read() {
      const found = (await readMetaFile(dir, "ann-build").catch(() => undefined)) as { table?: string; rows?: number } | undefined;
      return found?.table === table && typeof found.rows === "number" ? found.rows : undefined;
    },
    write: (rows) => writeMetaFile(dir, "ann-build", { table, rows, at: new Date().toISOString() }),
  };
}

/**
 * Removes the empty `_indices/<uuid>/` folders LanceDB's cleanup leaves on a local disk (it deletes
 * a superseded index's files but not its folder: lance#8320, fixed upstream after the version we
 * use). They pile up by the thousand under steady writes and every later scan of the folder pays
 * for them. `rmdir` removes only empty folders, so an index in use is never touched.
 */
export async function sweepEmptyIndexDirs(tableDir: string): Promise<number> {
  const indices = path.join(tableDir, "_indices");
  const entries = await readdir(indices).catch(() => [] as string[]);
  let removed = 0;
  for (const entry of entries) {
    try {
      await rmdir(path.join(indices, entry));
      removed++;
    } catch {
      // Not empty (a live index) or already gone.
    }
  }
  return removed;
}
