import path from "node:path";
import type { Table } from "@lancedb/lancedb";
import { trimMalloc } from "./allocator.js";
import type { AnnOptions } from "./ann.js";
import type { FtsIndex } from "./lancedb-fts.js";
import { ensureScalarIndexes, ensureVectorIndex, fileBuildLog, sweepEmptyIndexDirs } from "./lancedb-indexes.js";
import { ScratchSweeper } from "./lancedb-scratch.js";

type LanceDb = typeof import("@lancedb/lancedb");

// Versions a compaction replaced stay on disk this long: a reader in another process may still be
// reading one (LanceDB deletes a version's files at cleanup, whoever has them open).
const CLEANUP_GRACE_MS = 2 * 60_000;
// Every commit adds a version, and LanceDB finds the newest by listing them: left alone (a stream
// of one-document uploads never leaves enough small fragments to compact), thousands pile up and
// every read and write slows down. Cleanup runs at least this many versions apart.
const VERSIONS_BETWEEN_CLEANUPS = 100;
// Index upkeep and the compaction check read table metadata whose cost grows with the index's
// history (17 → 61 ms per call over 1,200 one-document uploads): every few versions is enough,
// since rows an index does not cover yet are still searched. But a writer that has written this
// many rows since always checks: 50,000 documents in ingest calls of 1,000 otherwise ended
// without the ANN index and with rows outside BM25's (hybrid p95 82 ms against 38 ms in calls of
// 10,000), and a check costs little beside writing that much.
const VERSIONS_BETWEEN_CHECKS = 10;
const ROWS_BETWEEN_CHECKS = 1_000;
// One per process: every store in it shares the OS temp folder the index builds leak into.
const scratch = new ScratchSweeper();

export interface UpkeepTables {
  dir: string;
  chunks: Table;
  chunksName: string;
  documents: Table;
  documentsName: string;
  fts: FtsIndex;
  lancedb: LanceDb;
}

/**
 * What a writer does after its writes, under the write lock (in the background after an ingest call, see `lancedb-background.ts`): keep the indexes (BM25, ANN) built, and compact and clean up when writes have left enough behind to be worth it.
 */
export class Upkeep {
  /** The chunk table's version after this process last compacted and cleaned up. */
  private optimizedAt?: number;
  /** The chunk table's version when this process last looked at indexes and compaction. */
  private checkedAt?: number;
  /** Chunk rows this process has written since it last looked. */
  private writtenSinceCheck = 0;

  constructor(private readonly ann: AnnOptions) {}

  wrote(rows: number): void {
    this.writtenSinceCheck += rows;
  }

  /** True when it compacted, which brings every index up to date with the rows there were. */
  async afterWrites(t: UpkeepTables, alsoDue: () => Promise<void>): Promise<boolean> {
    const version = await t.chunks.version();
    const recently = this.checkedAt !== undefined && version - this.checkedAt < VERSIONS_BETWEEN_CHECKS;
    if (recently && this.writtenSinceCheck < ROWS_BETWEEN_CHECKS) return false;
    this.checkedAt = version;
    this.writtenSinceCheck = 0;
    await t.fts.ensure();
    await ensureScalarIndexes({ chunks: t.chunks, documents: t.documents }, t.lancedb);
    await ensureVectorIndex(t.chunks, t.lancedb, this.ann.minRows, fileBuildLog(t.dir, t.chunksName));
    await scratch.maybeSweep();
    await alsoDue();
    if (!(await this.worthCompacting(t))) return false;
    // Every write we make is complete in the newest version; older ones are kept for a grace
    // period only because other processes may be reading them. Not `deleteUnverified`: LanceDB
    // warns it can corrupt a table another process works on, and a crash run with it on lost
    // chunks; superseded index files stay for LanceDB's 7 days (lance#8321) and cost disk, not speed.
    const cleanupOlderThan = new Date(Date.now() - CLEANUP_GRACE_MS);
    await t.chunks.optimize({ cleanupOlderThan });
    await t.documents.optimize({ cleanupOlderThan });
    for (const table of [t.chunksName, t.documentsName]) await sweepEmptyIndexDirs(path.join(t.dir, "lance", `${table}.lance`));
    this.optimizedAt = await t.chunks.version();
    await trimMalloc();
    return true;
  }

  /**
   * Compaction costs seconds and is only worth it once writes have left many small fragments,
   * many rows outside the indexes (still searched, by a slower scan) or many versions.
   */
  private async worthCompacting(t: UpkeepTables): Promise<boolean> {
    const [chunks, documents] = await Promise.all([t.chunks.stats(), t.documents.stats()]);
    const small = chunks.fragmentStats.numSmallFragments + documents.fragmentStats.numSmallFragments;
    const unindexed = Math.max(
      (await t.chunks.indexStats("terms_idx"))?.numUnindexedRows ?? 0,
      (await t.chunks.indexStats("vector_idx"))?.numUnindexedRows ?? 0,
    );
    const versions = (await t.chunks.version()) - (this.optimizedAt ?? 0);
    return small >= 16 || unindexed >= 2_000 || versions >= VERSIONS_BETWEEN_CLEANUPS;
  }
}
