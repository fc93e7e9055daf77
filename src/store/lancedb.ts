import { mkdir } from "node:fs/promises";
import path from "node:path";
import { toRagkitError } from "../errors.js";
import type { SearchFilter, StoredChunk } from "../types.js";
import { capMallocArenas, DEFAULT_MALLOC_ARENA_MAX } from "./allocator.js";
import { type AnnOptions, DEFAULT_ANN } from "./ann.js";
import { faultPoint } from "./faults.js";
import { acquireFileLock } from "./file-lock.js";
import { Maintenance } from "./lancedb-background.js";
import { type CacheSizes, CHUNKS, createTables, DEFAULT_CACHE, directorySize, LOCK, openTables } from "./lancedb-connection.js";
import { DenseCache } from "./lancedb-dense-cache.js";
import { LanceHandles } from "./lancedb-handles.js";
import {
  clearJournal,
  deleteDocuments,
  journalPending,
  journalUpsert,
  recoverJournal,
  repairTables,
  writeJournal,
} from "./lancedb-journal.js";
import { hasLabels, labelledChunkRow } from "./lancedb-labels.js";
import { IndexedLookups } from "./lancedb-lookups.js";
import { readManifestAt, readManifestFile, readMetaFile, writeManifestFile, writeMetaFile } from "./lancedb-meta.js";
import { pendingCommit } from "./lancedb-reindex.js";
import { finishReindex, followActiveTable, reindexStage } from "./lancedb-reindex-swap.js";
import { inList, rowsWhereIn } from "./lancedb-rows.js";
import { SearchScope } from "./lancedb-scope.js";
import { LanceSearch, toScoredRef } from "./lancedb-search.js";
import { Upkeep } from "./lancedb-upkeep.js";
import { storeError, writeRows } from "./lancedb-write.js";
import { CHUNK_COLUMNS, chunkToRow, documentToRow, type Row, rowToChunk, rowToRecord, rowToSummary, SUMMARY_COLUMNS } from "./rows.js";
import type {
  ChunkRecord,
  ChunkRef,
  DocumentSummary,
  DocumentWrite,
  LockOptions,
  Manifest,
  ReindexStage,
  ReindexTarget,
  RepairPlan,
  ScoredRef,
  Store,
  StoredDocument,
  StoreScan,
  StoreSearchOptions,
  StoreStats,
  WriteLock,
} from "./types.js";

const DEFAULT_DENSE_CACHE_BYTES = 64 * 2 ** 20;

export interface LanceDbStoreOptions {
  dir: string;
  dimensions: number;
  /** How creating a new index waits for another process creating or writing it. */
  lock?: LockOptions;
  /** Cache sizes; LanceDB's defaults (6 GB of index, 1 GB of metadata) let a long-running server grow for hours. */
  cache?: CacheSizes;
  /** When dense search gets an ANN index, and how it is searched. */
  ann?: AnnOptions;
  /** Memory for exact dense search from a copy of a small index (0: always ask LanceDB). */
  denseCacheBytes?: number;
  /** glibc malloc arenas for the whole process, set before LanceDB starts its threads (0: glibc's default). */
  mallocArenaMax?: number;
}

/** The embedded default: LanceDB tables on local disk, BM25 through LanceDB's full-text index. */
export class LanceDbStore implements Store {
  readonly name = "lancedb";
  readonly capabilities = { lexical: true };

  private readonly scoped: SearchScope;
  private readonly search: LanceSearch;
  private readonly lookups = new IndexedLookups();
  private readonly maintenance: Maintenance;

  private constructor(
    private readonly lance: LanceHandles,
    ann: AnnOptions,
    denseCacheBytes: number,
  ) {
    this.maintenance = new Maintenance(lance, new Upkeep(ann), this.lookups);
    this.scoped = new SearchScope(ann);
    this.search = new LanceSearch(ann, this.scoped, new DenseCache(denseCacheBytes));
  }

  static async open(options: LanceDbStoreOptions): Promise<LanceDbStore> {
    // LanceDB's Rust logger reads this once, when the module loads: set it first, then import.
    process.env.LANCEDB_LOG ??= "error";
    await capMallocArenas(options.mallocArenaMax ?? DEFAULT_MALLOC_ARENA_MAX);
    const lancedb = await import("@lancedb/lancedb");
    const dir = path.resolve(options.dir);
    try {
      await mkdir(dir, { recursive: true });
      const cache = options.cache ?? DEFAULT_CACHE;
      const active = readManifestAt(dir)?.chunksTable ?? CHUNKS;
      const handles = await LanceHandles.open(lancedb, dir, cache, active, async (db) => {
        const opened = await openTables(db, active).catch(() => undefined);
        return opened ?? (await createTables(db, dir, options.dimensions, options.lock ?? {}));
      });
      return new LanceDbStore(handles, options.ann ?? DEFAULT_ANN, options.denseCacheBytes ?? DEFAULT_DENSE_CACHE_BYTES);
    } catch (error) {
      throw toRagkitError(error, "STORE_FAILED", `Could not open the index at ${dir}`);
    }
  }

  async lock(options: LockOptions = {}): Promise<WriteLock> {
    // Taken over from our own background upkeep, the lock was never free: what the lookups know stays true.
    const parked = this.maintenance.keeper.takeOver();
    const held = parked ?? (await acquireFileLock(path.join(this.lance.dir, LOCK), options));
    if (!parked) this.lookups.begin();
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await this.maintenance.keeper.release(held);
      },
    };
  }

  readManifest(): Promise<Manifest | undefined> {
    return readManifestFile(this.lance.dir);
  }

  writeManifest(manifest: Manifest): Promise<void> {
    return writeManifestFile(this.lance.dir, manifest);
  }

  readMeta(key: string): Promise<unknown> {
    return readMetaFile(this.lance.dir, key);
  }

  writeMeta(key: string, value: unknown): Promise<void> {
    return writeMetaFile(this.lance.dir, key, value);
  }

  async upsert(writes: DocumentWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const allNew = writes.every((w) => w.isNew);
    // Replacing rows conflicts with a compaction; appending beside one does not.
    if (!allNew) await this.maintenance.idle();
    await this.lance.renewIfStale();
    const ids = writes.map((w) => w.document.id);
    const labelled = await hasLabels(this.lance.chunks);
    const rows = writes.flatMap((w) => w.chunks.map((c) => (labelled ? labelledChunkRow(c, w.document.metadata) : chunkToRow(c))));
    const documentRows = writes.map((w) => documentToRow(w.document));
    await this.lookups.prepare(this.lance);
    await journalUpsert(this.lance.dir, ids, allNew ? undefined : { chunks: rows, documents: documentRows });
    faultPoint("upsert:journaled");
    try {
      await writeRows(this.lance, { chunks: rows, documents: documentRows }, ids, allNew);
      this.lookups.wrote(
        ids,
        rows.map((row) => row.embed_hash as string),
      );
      this.maintenance.wrote(rows.length);
      await this.lance.fts.ensure();
    } catch (error) {
      this.lookups.forget();
      throw storeError(error, "Writing to the index failed");
    }
    await clearJournal(this.lance.dir);
  }

  async delete(documentIds: string[]): Promise<number> {
    if (documentIds.length === 0) return 0;
    await this.maintenance.idle();
    const existing = await this.lance.documents.countRows(inList("id", documentIds));
    await writeJournal(this.lance.dir, { op: "delete", documentIds });
    faultPoint("delete:journaled");
    await this.applyDelete(documentIds);
    await clearJournal(this.lance.dir);
    return existing;
  }

  async rankDense(vector: Float32Array, options: StoreSearchOptions): Promise<ScoredRef[]> {
    await this.lance.renewIfStale();
    return (await this.search.dense(this.lance.search(), vector, options)).map(toScoredRef);
  }

  async rankLexical(terms: string[], options: StoreSearchOptions): Promise<ScoredRef[]> {
    await this.lance.renewIfStale();
    return (await this.search.lexical(this.lance.search(), terms, options)).map(toScoredRef);
  }

  async readChunks(refs: ChunkRef[]): Promise<StoredChunk[]> {
    return this.search.read(this.lance.search(), refs);
  }

  async getDocument(id: string): Promise<StoredDocument | undefined> {
    return (await this.getDocuments([id]))[0];
  }

  async getDocuments(ids: string[]): Promise<StoredDocument[]> {
    const rows = await rowsWhereIn(this.lance.documents, "id", [...new Set(ids)], [...SUMMARY_COLUMNS, "text"]);
    return rows.map((row) => ({ ...rowToSummary(row), text: row.text as string }));
  }

  async listDocuments(): Promise<DocumentSummary[]> {
    return [...(await this.scoped.documentIndex(this.lance.documents)).documents];
  }

  async narrowDocuments(filter: SearchFilter): Promise<readonly DocumentSummary[]> {
    return (await this.scoped.documentIndex(this.lance.documents)).narrow(filter);
  }

  async findDocuments(ids: string[]): Promise<DocumentSummary[]> {
    return (await this.lookups.findDocumentRows(this.lance, ids, SUMMARY_COLUMNS)).map(rowToSummary);
  }

  async getChunks(documentId: string): Promise<StoredChunk[]> {
    const rows = (await this.lance.chunks
      .query()
      .where(inList("doc_id", [documentId]))
      .select(CHUNK_COLUMNS)
      .toArray()) as Row[];
    return rows.map(rowToChunk).sort((a, b) => a.index - b.index);
  }

  async getChunkRecords(documentIds: string[]): Promise<ChunkRecord[]> {
    const rows = await rowsWhereIn(this.lance.chunks, "doc_id", documentIds, [...CHUNK_COLUMNS, "embed_hash", "terms", "vector"]);
    return rows.map((row) => rowToRecord(row, Float32Array.from((row.vector as { toArray(): Float32Array }).toArray())));
  }

  async findVectors(embedHashes: string[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    for (const row of await this.lookups.findChunkRows(this.lance, [...new Set(embedHashes)], ["embed_hash", "vector"])) {
      const vector = row.vector as { toArray(): Float32Array };
      found.set(row.embed_hash as string, Float32Array.from(vector.toArray()));
    }
    return found;
  }

  /** Compaction and index upkeep, or with `background` its start (see `lancedb-background.ts`). */
  optimize(options: { background?: boolean } = {}): Promise<void> {
    return this.maintenance.optimize(options);
  }

  async stageReindex(target: ReindexTarget): Promise<ReindexStage> {
    await this.maintenance.idle();
    return reindexStage(this.lance, target, async () => {
      const documents = await this.scoped.documentIndex(this.lance.documents);
      return (id) => documents.metadataOf(id);
    });
  }

  async refresh(): Promise<void> {
    await this.maintenance.idle();
    return followActiveTable(this.lance);
  }

  async stats(): Promise<StoreStats> {
    return {
      documents: await this.lance.documents.countRows(),
      chunks: await this.lance.chunks.countRows(),
      bytesOnDisk: await directorySize(this.lance.dir),
      cacheBytes: Number(this.lance.session.sizeBytes()),
    };
  }

  /** Waits for a background upkeep (and gives back the lock it held), then closes; throws what it failed with. */
  async close(): Promise<void> {
    try {
      await this.maintenance.close();
    } finally {
      this.lance.close();
    }
  }

  private async applyDelete(documentIds: string[]): Promise<void> {
    try {
      await deleteDocuments({ chunks: this.lance.chunks, documents: this.lance.documents }, documentIds);
    } catch (error) {
      throw storeError(error, "Deleting from the index failed");
    }
  }

  /** Finishes or undoes what a crashed writer's journal announces; see `lancedb-journal.ts`. */
  async recover(): Promise<void> {
    // With nothing to recover, what the lookups know stays true (a lock taken over from our own
    // background upkeep was never free), and no wait for that upkeep is needed.
    const pending = await pendingCommit(this.lance.dir);
    if (journalPending(this.lance.dir) || pending) {
      await this.maintenance.idle();
      this.lookups.forget();
    }
    await recoverJournal(this.lance.dir, { chunks: this.lance.chunks, documents: this.lance.documents });
    // A reindex killed inside its commit is finished: everything it needs was staged.
    if (pending) await finishReindex(this.lance, await this.lance.db.openTable(pending.table), pending.table, pending.commit);
  }

  async scan(): Promise<StoreScan> {
    const documents = (await this.lance.documents.query().select(["id", "chunk_count"]).toArray()) as Row[];
    const chunks = (await this.lance.chunks.query().select(["id", "doc_id"]).toArray()) as Row[];
    return {
      documents: documents.map((r) => ({ id: r.id as string, chunkCount: r.chunk_count as number })),
      chunks: chunks.map((r) => ({ id: r.id as string, documentId: r.doc_id as string })),
    };
  }

  async repair(plan: RepairPlan): Promise<void> {
    await this.maintenance.idle();
    this.lookups.forget();
    try {
      await repairTables(this.lance.dir, { chunks: this.lance.chunks, documents: this.lance.documents }, plan);
    } catch (error) {
      throw storeError(error, "Repairing the index failed");
    }
  }
}
