import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Connection, Session, Table } from "@lancedb/lancedb";
import { RagkitError, toRagkitError } from "../errors.js";
import type { SearchFilter, StoredChunk } from "../types.js";
import { type AnnOptions, DEFAULT_ANN } from "./ann.js";
import { faultPoint } from "./faults.js";
import { acquireFileLock } from "./file-lock.js";
import {
  type CacheSizes,
  CHUNKS,
  connectLance,
  createTables,
  DEFAULT_CACHE,
  DOCUMENTS,
  directorySize,
  LOCK,
  openTables,
  retireLater,
  VERSIONS_PER_CONNECTION,
} from "./lancedb-connection.js";
import { DenseCache } from "./lancedb-dense-cache.js";
import { FtsIndex } from "./lancedb-fts.js";
import {
  clearJournal,
  deleteDocuments,
  recoverJournal,
  repairTables,
  saveJournalRows,
  writeFileAtomic,
  writeJournal,
} from "./lancedb-journal.js";
import { hasLabels, labelledChunkRow } from "./lancedb-labels.js";
import { readMetaFile, writeMetaFile } from "./lancedb-meta.js";
import {
  alignDocuments,
  clearPlan,
  discardStaged,
  markCommitting,
  pendingCommit,
  stageChunks,
  stagedDocuments,
  stagingTable,
} from "./lancedb-reindex.js";
import { inList, rowsWhereIn } from "./lancedb-rows.js";
import { SearchScope } from "./lancedb-scope.js";
import { LanceSearch, type SearchTables, toScoredRef } from "./lancedb-search.js";
import { Upkeep } from "./lancedb-upkeep.js";
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

const MANIFEST = "manifest.json";
const DEFAULT_DENSE_CACHE_BYTES = 64 * 2 ** 20;
// A chunk table a reindex replaced may still be searched by a process that has not yet seen the
// swap (it follows on its next request): it is dropped later than a version.
const RETIRED_GRACE_MS = 10 * 60_000;

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
}

/** A LanceDB failure as a ragkit error; a lost optimistic commit race is a conflict to retry. */
function storeError(error: unknown, context: string): RagkitError {
  const message = error instanceof Error ? error.message : String(error);
  if (/conflict|retryable/i.test(message)) {
    return new RagkitError("STORE_CONFLICT", `${context}: another process wrote to the index at the same time; retry`, {
      cause: error,
    });
  }
  return toRagkitError(error, "STORE_FAILED", context);
}

/** The embedded default: LanceDB tables on local disk, BM25 through LanceDB's full-text index. */
export class LanceDbStore implements Store {
  readonly name = "lancedb";
  readonly capabilities = { lexical: true };

  private fts: FtsIndex;
  private readonly scoped: SearchScope;
  private readonly upkeep: Upkeep;
  private readonly search: LanceSearch;

  /** The chunk table's version when the current connection was opened (see `renewIfStale`). */
  private connectedAt = 0;
  private renewing?: Promise<void>;
  private renewalCheckedAt = 0;

  private constructor(
    private readonly dir: string,
    private db: Connection,
    private chunks: Table,
    private documents: Table,
    private readonly lancedb: typeof import("@lancedb/lancedb"),
    private chunksName: string,
    private session: Session,
    ann: AnnOptions,
    private readonly cache: CacheSizes,
    denseCacheBytes: number,
  ) {
    this.fts = new FtsIndex(chunks, lancedb);
    this.upkeep = new Upkeep(ann);
    this.scoped = new SearchScope(ann);
    this.search = new LanceSearch(ann, this.scoped, new DenseCache(denseCacheBytes));
  }

  static async open(options: LanceDbStoreOptions): Promise<LanceDbStore> {
    // LanceDB's Rust logger reads this once, when the module loads: set it first, then import.
    process.env.LANCEDB_LOG ??= "error";
    const lancedb = await import("@lancedb/lancedb");
    const dir = path.resolve(options.dir);
    try {
      await mkdir(dir, { recursive: true });
      const cache = options.cache ?? DEFAULT_CACHE;
      const { db, session } = await connectLance(lancedb, dir, cache);
      const active = readManifestAt(dir)?.chunksTable ?? CHUNKS;
      const opened = await openTables(db, active).catch(() => undefined);
      const { chunks, documents } = opened ?? (await createTables(db, dir, options.dimensions, options.lock ?? {}));
      const denseCache = options.denseCacheBytes ?? DEFAULT_DENSE_CACHE_BYTES;
      const store = new LanceDbStore(dir, db, chunks, documents, lancedb, active, session, options.ann ?? DEFAULT_ANN, cache, denseCache);
      store.connectedAt = await chunks.version();
      return store;
    } catch (error) {
      throw toRagkitError(error, "STORE_FAILED", `Could not open the index at ${dir}`);
    }
  }

  lock(options: LockOptions = {}): Promise<WriteLock> {
    return acquireFileLock(path.join(this.dir, LOCK), options);
  }

  async readManifest(): Promise<Manifest | undefined> {
    const file = path.join(this.dir, MANIFEST);
    if (!existsSync(file)) return undefined;
    return JSON.parse(await readFile(file, "utf8")) as Manifest;
  }

  async writeManifest(manifest: Manifest): Promise<void> {
    faultPoint("manifest:write");
    await writeFileAtomic(path.join(this.dir, MANIFEST), JSON.stringify(manifest, null, 2));
  }

  readMeta(key: string): Promise<unknown> {
    return readMetaFile(this.dir, key);
  }

  writeMeta(key: string, value: unknown): Promise<void> {
    return writeMetaFile(this.dir, key, value);
  }

  async upsert(writes: DocumentWrite[]): Promise<void> {
    if (writes.length === 0) return;
    await this.renewIfStale();
    const ids = writes.map((w) => w.document.id);
    const labelled = await hasLabels(this.chunks);
    const rows = writes.flatMap((w) => w.chunks.map((c) => (labelled ? labelledChunkRow(c, w.document.metadata) : chunkToRow(c))));
    const documentRows = writes.map((w) => documentToRow(w.document));
    // The batch itself goes to disk first: a crash between the two tables' commits is redone from
    // it, so a document is never left with another version's chunks.
    await saveJournalRows(this.dir, { chunks: rows, documents: documentRows });
    await writeJournal(this.dir, { op: "upsert", documentIds: ids });
    faultPoint("upsert:journaled");
    try {
      if (writes.every((w) => w.isNew)) {
        // Only new documents: appends. A merge joins against the whole table, so a large index
        // made every batch slower; recovery redoes an interrupted append from the saved rows.
        await this.chunks.add(rows);
        faultPoint("upsert:chunks-written");
        await this.documents.add(documentRows);
      } else {
        // One merge: new and changed chunks in, chunks these documents no longer have out.
        await this.chunks
          .mergeInsert("id")
          .whenMatchedUpdateAll()
          .whenNotMatchedInsertAll()
          .whenNotMatchedBySourceDelete({ where: inList("doc_id", ids) })
          .execute(rows);
        faultPoint("upsert:chunks-written");
        await this.documents.mergeInsert("id").whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(documentRows);
      }
      faultPoint("upsert:documents-written");
      await this.fts.ensure();
    } catch (error) {
      throw storeError(error, "Writing to the index failed");
    }
    await clearJournal(this.dir);
  }

  async delete(documentIds: string[]): Promise<number> {
    if (documentIds.length === 0) return 0;
    const existing = await this.documents.countRows(inList("id", documentIds));
    await writeJournal(this.dir, { op: "delete", documentIds });
    faultPoint("delete:journaled");
    await this.applyDelete(documentIds);
    await clearJournal(this.dir);
    return existing;
  }

  async rankDense(vector: Float32Array, options: StoreSearchOptions): Promise<ScoredRef[]> {
    await this.renewIfStale();
    return (await this.search.dense(this.tables(), vector, options)).map(toScoredRef);
  }

  async rankLexical(terms: string[], options: StoreSearchOptions): Promise<ScoredRef[]> {
    await this.renewIfStale();
    return (await this.search.lexical(this.tables(), terms, options)).map(toScoredRef);
  }

  async readChunks(refs: ChunkRef[]): Promise<StoredChunk[]> {
    return this.search.read(this.tables(), refs);
  }

  private tables(): SearchTables {
    return { chunks: this.chunks, chunksName: this.chunksName, documents: this.documents, fts: this.fts, lancedb: this.lancedb };
  }

  async getDocument(id: string): Promise<StoredDocument | undefined> {
    const rows = (await this.documents
      .query()
      .where(inList("id", [id]))
      .limit(1)
      .toArray()) as Row[];
    const row = rows[0];
    return row ? { ...rowToSummary(row), text: row.text as string } : undefined;
  }

  async listDocuments(): Promise<DocumentSummary[]> {
    return [...(await this.scoped.documentIndex(this.documents)).documents];
  }

  async narrowDocuments(filter: SearchFilter): Promise<readonly DocumentSummary[]> {
    return (await this.scoped.documentIndex(this.documents)).narrow(filter);
  }

  async findDocuments(ids: string[]): Promise<DocumentSummary[]> {
    return (await rowsWhereIn(this.documents, "id", ids, SUMMARY_COLUMNS)).map(rowToSummary);
  }

  async getChunks(documentId: string): Promise<StoredChunk[]> {
    const rows = (await this.chunks
      .query()
      .where(inList("doc_id", [documentId]))
      .select(CHUNK_COLUMNS)
      .toArray()) as Row[];
    return rows.map(rowToChunk).sort((a, b) => a.index - b.index);
  }

  async getChunkRecords(documentIds: string[]): Promise<ChunkRecord[]> {
    const rows = await rowsWhereIn(this.chunks, "doc_id", documentIds, [...CHUNK_COLUMNS, "embed_hash", "terms", "vector"]);
    return rows.map((row) => rowToRecord(row, Float32Array.from((row.vector as { toArray(): Float32Array }).toArray())));
  }

  async findVectors(embedHashes: string[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    for (const row of await rowsWhereIn(this.chunks, "embed_hash", [...new Set(embedHashes)], ["embed_hash", "vector"])) {
      const vector = row.vector as { toArray(): Float32Array };
      found.set(row.embed_hash as string, Float32Array.from(vector.toArray()));
    }
    return found;
  }

  async optimize(): Promise<void> {
    faultPoint("optimize:start");
    try {
      await this.upkeep.afterWrites(
        {
          dir: this.dir,
          chunks: this.chunks,
          chunksName: this.chunksName,
          documents: this.documents,
          documentsName: DOCUMENTS,
          fts: this.fts,
          lancedb: this.lancedb,
        },
        () => this.dropRetired(),
      );
    } catch (error) {
      throw storeError(error, "Compacting the index failed");
    }
  }

  async stageReindex(target: ReindexTarget): Promise<ReindexStage> {
    const { table, name } = await stagingTable(this.db, this.dir, target, this.chunksName);
    return {
      done: () => stagedDocuments(table),
      discard: (ids) => discardStaged(table, ids),
      write: async (chunks) => {
        const documents = await this.scoped.documentIndex(this.documents);
        await stageChunks(table, chunks, (id) => documents.metadataOf(id));
      },
      commit: async (manifest, chunkerKey) => {
        await new FtsIndex(table, this.lancedb).ensure();
        const retired = [...(manifest.retired ?? []), { table: this.chunksName, at: new Date().toISOString() }];
        await markCommitting(this.dir, { manifest: { ...manifest, chunksTable: name, retired }, chunkerKey });
        faultPoint("reindex:committing");
        await this.finishReindex(table, name, { ...manifest, chunksTable: name, retired }, chunkerKey);
      },
    };
  }

  /**
   * The commit of a reindex, safe to repeat: documents agree with the staged chunks, then the swap
   * is one atomic manifest write (before it the old table answers, after it the new one).
   */
  private async finishReindex(table: Table, name: string, manifest: Manifest, chunkerKey: string): Promise<void> {
    await alignDocuments(this.documents, table, chunkerKey);
    await this.writeManifest(manifest);
    await clearPlan(this.dir);
    this.switchTo(table, name);
  }

  async refresh(): Promise<void> {
    const active = (await this.readManifest())?.chunksTable ?? CHUNKS;
    if (active !== this.chunksName) this.switchTo(await this.db.openTable(active), active);
  }

  /**
   * Replaces the connection (and its caches) once the index has moved on by
   * VERSIONS_PER_CONNECTION versions; one renewal at a time, old handles closed a minute later.
   */
  private async renewIfStale(): Promise<void> {
    if (this.renewing) return this.renewing;
    // Asking for the version reads the table's version list: once a second is enough.
    if (Date.now() - this.renewalCheckedAt < 1000) return;
    this.renewalCheckedAt = Date.now();
    if ((await this.chunks.version()) - this.connectedAt < VERSIONS_PER_CONNECTION) return;
    this.renewing = (async () => {
      const { db, session } = await connectLance(this.lancedb, this.dir, this.cache);
      const { chunks, documents } = await openTables(db, this.chunksName);
      retireLater([this.chunks, this.documents, this.db]);
      Object.assign(this, { db, session, chunks, documents, fts: new FtsIndex(chunks, this.lancedb) });
      this.connectedAt = await chunks.version();
    })().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private switchTo(table: Table, name: string): void {
    this.chunks.close();
    this.chunks = table;
    this.chunksName = name;
    this.fts = new FtsIndex(table, this.lancedb);
  }

  /** Chunk tables a reindex replaced, once no reader can still be using them. */
  private async dropRetired(): Promise<void> {
    const manifest = await this.readManifest();
    if (!manifest?.retired?.length) return;
    const cutoff = Date.now() - RETIRED_GRACE_MS;
    const old = manifest.retired.filter((r) => Date.parse(r.at) < cutoff);
    if (old.length === 0) return;
    const names = await this.db.tableNames();
    for (const r of old) if (names.includes(r.table) && r.table !== this.chunksName) await this.db.dropTable(r.table);
    await this.writeManifest({ ...manifest, retired: manifest.retired.filter((r) => !old.includes(r)) });
  }

  async stats(): Promise<StoreStats> {
    return {
      documents: await this.documents.countRows(),
      chunks: await this.chunks.countRows(),
      bytesOnDisk: await directorySize(this.dir),
      cacheBytes: Number(this.session.sizeBytes()),
    };
  }

  async close(): Promise<void> {
    this.chunks.close();
    this.documents.close();
    this.db.close();
  }

  private async applyDelete(documentIds: string[]): Promise<void> {
    try {
      await deleteDocuments({ chunks: this.chunks, documents: this.documents }, documentIds);
    } catch (error) {
      throw storeError(error, "Deleting from the index failed");
    }
  }

  /** Finishes or undoes what a crashed writer's journal announces; see `lancedb-journal.ts`. */
  async recover(): Promise<void> {
    await recoverJournal(this.dir, { chunks: this.chunks, documents: this.documents });
    // A reindex killed inside its commit is finished: everything it needs was staged.
    const pending = await pendingCommit(this.dir);
    if (pending)
      await this.finishReindex(await this.db.openTable(pending.table), pending.table, pending.commit.manifest, pending.commit.chunkerKey);
  }

  async scan(): Promise<StoreScan> {
    const documents = (await this.documents.query().select(["id", "chunk_count"]).toArray()) as Row[];
    const chunks = (await this.chunks.query().select(["id", "doc_id"]).toArray()) as Row[];
    return {
      documents: documents.map((r) => ({ id: r.id as string, chunkCount: r.chunk_count as number })),
      chunks: chunks.map((r) => ({ id: r.id as string, documentId: r.doc_id as string })),
    };
  }

  async repair(plan: RepairPlan): Promise<void> {
    try {
      await repairTables(this.dir, { chunks: this.chunks, documents: this.documents }, plan);
    } catch (error) {
      throw storeError(error, "Repairing the index failed");
    }
  }
}

/** The manifest of a LanceDB index folder, read before the index is opened (undefined: none yet). */
export function readManifestAt(dir: string): Manifest | undefined {
  const file = path.join(dir, MANIFEST);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Manifest;
  } catch {
    return undefined;
  }
}

export function isIndexDir(dir: string): boolean {
  return existsSync(path.join(dir, MANIFEST));
}
