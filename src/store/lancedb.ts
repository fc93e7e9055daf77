import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Connection, Table } from "@lancedb/lancedb";
import { RagkitError, toRagkitError } from "../errors.js";
import type { StoredChunk } from "../types.js";
import { faultPoint } from "./faults.js";
import { acquireFileLock } from "./file-lock.js";
import {
  clearJournal,
  deleteDocuments,
  recoverJournal,
  repairTables,
  saveJournalRows,
  writeFileAtomic,
  writeJournal,
} from "./lancedb-journal.js";
import {
  CHUNK_COLUMNS,
  chunkSchema,
  chunkToRow,
  documentSchema,
  documentToRow,
  inList,
  type Row,
  rowToChunk,
  rowToSummary,
  SUMMARY_COLUMNS,
} from "./lancedb-rows.js";
import type {
  DocumentSummary,
  DocumentWrite,
  LockOptions,
  Manifest,
  RepairPlan,
  ScoredChunk,
  Store,
  StoredDocument,
  StoreScan,
  StoreSearchOptions,
  StoreStats,
  WriteLock,
} from "./types.js";

const CHUNKS = "chunks";
const DOCUMENTS = "documents";
const MANIFEST = "manifest.json";
const LOCK = "write.lock";
// Versions a compaction replaced stay on disk this long: a reader in another process may still be
// reading one (LanceDB deletes a version's files at cleanup, whoever has them open).
const CLEANUP_GRACE_MS = 10 * 60_000;

export interface LanceDbStoreOptions {
  dir: string;
  dimensions: number;
}

const ignoreGone =
  <T>(fallback: T) =>
  (error: unknown): T => {
    // Another process may compact and clean up while we walk the folder.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return fallback;
    throw error;
  };

async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(ignoreGone([]))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySize(full);
    else if (entry.isFile()) total += (await stat(full).catch(ignoreGone({ size: 0 }))).size;
  }
  return total;
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
  private ftsReady = false;

  private constructor(
    private readonly dir: string,
    private readonly db: Connection,
    private readonly chunks: Table,
    private readonly documents: Table,
    private readonly lancedb: typeof import("@lancedb/lancedb"),
  ) {}

  static async open(options: LanceDbStoreOptions): Promise<LanceDbStore> {
    // LanceDB's Rust logger reads this once, when the module loads: set it first, then import.
    process.env.LANCEDB_LOG ??= "error";
    const lancedb = await import("@lancedb/lancedb");
    const dir = path.resolve(options.dir);
    try {
      await mkdir(dir, { recursive: true });
      // 0: every read checks for versions other processes committed, so a server sees a CLI
      // ingest's documents at once and never reads files a later cleanup removed.
      const db = await lancedb.connect(path.join(dir, "lance"), { readConsistencyInterval: 0 });
      const names = new Set(await db.tableNames());
      const chunks = names.has(CHUNKS)
        ? await db.openTable(CHUNKS)
        : await db.createEmptyTable(CHUNKS, chunkSchema(options.dimensions), { existOk: true });
      const documents = names.has(DOCUMENTS)
        ? await db.openTable(DOCUMENTS)
        : await db.createEmptyTable(DOCUMENTS, documentSchema(), { existOk: true });
      return new LanceDbStore(dir, db, chunks, documents, lancedb);
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

  async upsert(writes: DocumentWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const ids = writes.map((w) => w.document.id);
    const rows = writes.flatMap((w) => w.chunks.map(chunkToRow));
    const documentRows = writes.map((w) => documentToRow(w.document));
    // The batch itself goes to disk first: a crash between the two tables' commits is redone from
    // it, so a document is never left with another version's chunks.
    await saveJournalRows(this.dir, { chunks: rows, documents: documentRows });
    await writeJournal(this.dir, { op: "upsert", documentIds: ids });
    faultPoint("upsert:journaled");
    try {
      // One merge: new and changed chunks in, chunks these documents no longer have out.
      await this.chunks
        .mergeInsert("id")
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .whenNotMatchedBySourceDelete({ where: inList("doc_id", ids) })
        .execute(rows);
      faultPoint("upsert:chunks-written");
      await this.documents.mergeInsert("id").whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(documentRows);
      faultPoint("upsert:documents-written");
      await this.ensureFtsIndex();
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

  async searchDense(vector: Float32Array, options: StoreSearchOptions): Promise<ScoredChunk[]> {
    if (options.documentIds?.length === 0) return [];
    let query = this.chunks
      .vectorSearch(Array.from(vector))
      .distanceType("cosine")
      .select([...CHUNK_COLUMNS, "_distance"])
      .limit(options.k);
    if (options.documentIds) query = query.where(inList("doc_id", options.documentIds));
    const rows = (await query.toArray()) as Row[];
    return rows.map((row) => ({ chunk: rowToChunk(row), score: 1 - (row._distance as number) }));
  }

  async searchLexical(terms: string[], options: StoreSearchOptions): Promise<ScoredChunk[]> {
    if (terms.length === 0 || options.documentIds?.length === 0) return [];
    // Readers never build the index (that is a write): until a writer has, there is nothing to match.
    if (!(await this.hasFtsIndex())) return [];
    let query = this.chunks
      .query()
      .fullTextSearch(this.termQuery(terms))
      .select([...CHUNK_COLUMNS, "_score"])
      .limit(options.k);
    if (options.documentIds) query = query.where(inList("doc_id", options.documentIds));
    const rows = (await query.toArray()) as Row[];
    return rows.map((row) => ({ chunk: rowToChunk(row), score: row._score as number }));
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
    const rows = (await this.documents.query().select(SUMMARY_COLUMNS).toArray()) as Row[];
    return rows.map(rowToSummary);
  }

  async getChunks(documentId: string): Promise<StoredChunk[]> {
    const rows = (await this.chunks
      .query()
      .where(inList("doc_id", [documentId]))
      .select(CHUNK_COLUMNS)
      .toArray()) as Row[];
    return rows.map(rowToChunk).sort((a, b) => a.index - b.index);
  }

  async findVectors(embedHashes: string[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    const unique = [...new Set(embedHashes)];
    for (let i = 0; i < unique.length; i += 500) {
      const part = unique.slice(i, i + 500);
      const rows = (await this.chunks.query().where(inList("embed_hash", part)).select(["embed_hash", "vector"]).toArray()) as Row[];
      for (const row of rows) {
        const vector = row.vector as { toArray(): Float32Array };
        found.set(row.embed_hash as string, Float32Array.from(vector.toArray()));
      }
    }
    return found;
  }

  async optimize(): Promise<void> {
    faultPoint("optimize:start");
    try {
      await this.ensureFtsIndex();
      // Every write we make is complete in the newest version; older ones are kept for a grace
      // period only because other processes may be reading them.
      const cleanupOlderThan = new Date(Date.now() - CLEANUP_GRACE_MS);
      await this.chunks.optimize({ cleanupOlderThan });
      await this.documents.optimize({ cleanupOlderThan });
    } catch (error) {
      throw storeError(error, "Compacting the index failed");
    }
  }

  async stats(): Promise<StoreStats> {
    return {
      documents: await this.documents.countRows(),
      chunks: await this.chunks.countRows(),
      bytesOnDisk: await directorySize(this.dir),
    };
  }

  async close(): Promise<void> {
    this.chunks.close();
    this.documents.close();
    this.db.close();
  }

  /**
   * BM25 with query-term frequency: a term the question repeats counts that many times (LanceDB
   * would otherwise count it once, which costs ~0.08 nDCG@10 on long queries such as CISI's).
   */
  private termQuery(terms: string[]): import("@lancedb/lancedb").FullTextQuery {
    const { MatchQuery, BooleanQuery, Occur } = this.lancedb;
    const frequency = new Map<string, number>();
    for (const term of terms) frequency.set(term, (frequency.get(term) ?? 0) + 1);
    const byWeight = new Map<number, string[]>();
    for (const [term, weight] of frequency) byWeight.set(weight, [...(byWeight.get(weight) ?? []), term]);
    const parts = [...byWeight].map(
      ([weight, group]) =>
        [Occur.Should, new MatchQuery(group.join(" "), "terms", { boost: weight })] as [
          typeof Occur.Should,
          InstanceType<typeof MatchQuery>,
        ],
    );
    return parts.length === 1 ? (parts[0] as [unknown, InstanceType<typeof MatchQuery>])[1] : new BooleanQuery(parts);
  }

  private async hasFtsIndex(): Promise<boolean> {
    if (this.ftsReady) return true;
    const indices = await this.chunks.listIndices();
    this.ftsReady = indices.some((index) => index.columns.includes("terms"));
    return this.ftsReady;
  }

  /** The FTS index can only be built once the table has rows; later rows are searched too. */
  private async ensureFtsIndex(): Promise<boolean> {
    if (await this.hasFtsIndex()) return true;
    if ((await this.chunks.countRows()) === 0) return false;
    // Terms arrive analysed (stemmed, stop words out), so LanceDB must only split on spaces.
    await this.chunks.createIndex("terms", {
      config: this.lancedb.Index.fts({
        baseTokenizer: "whitespace",
        lowercase: false,
        stem: false,
        removeStopWords: false,
        asciiFolding: false,
        withPosition: false,
        maxTokenLength: 64,
      }),
    });
    this.ftsReady = true;
    return true;
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

export function isIndexDir(dir: string): boolean {
  return existsSync(path.join(dir, MANIFEST));
}
