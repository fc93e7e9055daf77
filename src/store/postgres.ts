import type { Pool, PoolClient, QueryResult, QueryResultRow } from "pg";
import type { SearchFilter, StoredChunk } from "../types.js";
import { type AnnOptions, DEFAULT_ANN } from "./ann.js";
import { faultPoint } from "./faults.js";
import { checkMetaKey } from "./manifest.js";
import { ensureHnsw } from "./postgres-ann.js";
import { addPostings, removeChunks } from "./postgres-bm25.js";
import { connectPool, searchReady } from "./postgres-connection.js";
import { pgError } from "./postgres-errors.js";
import { acquirePgLock } from "./postgres-lock.js";
import { stagePgReindex } from "./postgres-reindex.js";
import { insertChunks, PG_CHUNK_COLUMNS, PG_SUMMARY_COLUMNS, parseVector, upsertDocuments } from "./postgres-rows.js";
import { chunkTableSql, inTransaction, migrate, type PgNames, pgNames, pgWhere } from "./postgres-schema.js";
import { denseSql, documentConditions, lexicalSql, resolveMetadata } from "./postgres-search.js";
import { type Row, rowToChunk, rowToRecord, rowToSummary } from "./rows.js";
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

const toRef = (row: Row): ScoredRef => ({ chunk: { id: row.id as string, documentId: row.doc_id as string }, score: Number(row.score) });

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** The schema this index lives in: several indexes share a database under different schemas. */
  schema: string;
  dimensions: number;
  poolSize?: number;
  ann?: AnnOptions;
  /** `maintenance_work_mem` while building the HNSW index ("" or absent: the server's). */
  indexBuildMemory?: string;
}

/**
 * The index in PostgreSQL with pgvector: documents, chunks (HNSW cosine index once large), and BM25
 * postings kept in the same transactions, so every write is atomic without a journal and document
 * ids stay unique by primary key whatever the interleaving of writers.
 */
export class PostgresStore implements Store {
  readonly name = "postgres";
  readonly capabilities = { lexical: true };

  private constructor(
    private readonly pool: Pool,
    private readonly n: PgNames,
    private readonly ann: AnnOptions,
    private readonly where: string,
    private readonly buildMemory: string,
  ) {}

  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const n = pgNames(options.schema);
    const where = pgWhere(options.url, options.schema);
    const ann = options.ann ?? DEFAULT_ANN;
    const pool = await connectPool(options.url, options.poolSize ?? 10);
    try {
      await migrate(pool, n);
      await pool.query(chunkTableSql(n.chunks, options.dimensions));
      return new PostgresStore(pool, n, ann, where, options.indexBuildMemory ?? "");
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw pgError(error, where, "Could not open the index");
    }
  }

  lock(options: LockOptions = {}): Promise<WriteLock> {
    return acquirePgLock(this.pool, this.n, options).catch((error: unknown) => {
      throw pgError(error, this.where, "Taking the index's write lock failed");
    });
  }

  /** Every write is one transaction: nothing is ever left half done. */
  async recover(): Promise<void> {}

  async readManifest(): Promise<Manifest | undefined> {
    return (await this.metaRow("manifest")) as Manifest | undefined;
  }

  writeManifest(manifest: Manifest): Promise<void> {
    return this.putMetaRow("manifest", manifest);
  }

  // Meta records share the table with the manifest, under a prefix no manifest key can take.
  async readMeta(key: string): Promise<unknown> {
    return this.metaRow(`meta:${checkMetaKey(key)}`);
  }

  async writeMeta(key: string, value: unknown): Promise<void> {
    return this.putMetaRow(`meta:${checkMetaKey(key)}`, value);
  }

  private async metaRow(key: string): Promise<unknown> {
    const found = await this.query<{ value: unknown }>(`SELECT value FROM ${this.n.meta} WHERE key = $1`, [key]);
    return found.rows[0]?.value;
  }

  private async putMetaRow(key: string, value: unknown): Promise<void> {
    await this.query(`INSERT INTO ${this.n.meta} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [
      key,
      JSON.stringify(value),
    ]);
  }

  async upsert(writes: DocumentWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const ids = writes.map((w) => w.document.id);
    await this.write("Writing to the index failed", async (client) => {
      // Documents the writer found new (under the lock) have nothing to take out; were one there
      // after all, its primary key would refuse the batch rather than store it twice.
      if (!writes.every((w) => w.isNew)) await removeChunks(client, this.n, this.n.chunks, ids);
      await upsertDocuments(
        client,
        this.n.documents,
        writes.map((w) => w.document),
      );
      await insertChunks(
        client,
        this.n.chunks,
        writes.flatMap((w) => w.chunks),
      );
      await addPostings(client, this.n, this.n.chunks, ids);
      // Killed here, the transaction never commits: the server rolls it back.
      faultPoint("upsert:chunks-written");
    });
  }

  async delete(documentIds: string[]): Promise<number> {
    if (documentIds.length === 0) return 0;
    return this.write("Deleting from the index failed", async (client) => {
      await removeChunks(client, this.n, this.n.chunks, documentIds);
      faultPoint("delete:documents-deleted");
      return (await client.query(`DELETE FROM ${this.n.documents} WHERE id = ANY($1)`, [documentIds])).rowCount ?? 0;
    });
  }

  /** A query whose failure says what went wrong with the database, not a driver stack. */
  private async query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
    let client: PoolClient | undefined;
    try {
      client = await this.pool.connect();
      await searchReady(client, this.ann.probes * 10);
      return await client.query<R>(text, values);
    } catch (error) {
      throw pgError(error, this.where, "A query on the index failed");
    } finally {
      client?.release();
    }
  }

  private async write<T>(context: string, work: Parameters<typeof inTransaction<T>>[1]): Promise<T> {
    try {
      return await inTransaction(this.pool, work);
    } catch (error) {
      throw pgError(error, this.where, context);
    }
  }

  async rankDense(vector: Float32Array, options: StoreSearchOptions): Promise<ScoredRef[]> {
    return (await this.denseRows(vector, options)).map(toRef);
  }

  async rankLexical(terms: string[], options: StoreSearchOptions): Promise<ScoredRef[]> {
    return (await this.lexicalRows(terms, options)).map(toRef);
  }

  async readChunks(refs: ChunkRef[]): Promise<StoredChunk[]> {
    if (refs.length === 0) return [];
    const rows = await this.query<Row>(`SELECT ${PG_CHUNK_COLUMNS} FROM ${this.n.chunks} WHERE id = ANY($1)`, [refs.map((r) => r.id)]);
    const byId = new Map(rows.rows.map((row) => [row.id as string, rowToChunk(row)]));
    return refs.flatMap((r) => byId.get(r.id) ?? []);
  }

  /** A metadata filter as the ids it allows (see resolveMetadata), once per search, before both rankings. */
  narrowSearch(options: StoreSearchOptions): Promise<StoreSearchOptions> {
    return resolveMetadata(this.n, options, async (sql) => (await this.query<{ id: string }>(sql.text, sql.values)).rows);
  }

  private async denseRows(vector: Float32Array, options: StoreSearchOptions): Promise<Row[]> {
    if (options.documentIds?.length === 0) return [];
    const sql = denseSql(this.n, vector, options);
    return (await this.query<Row>(sql.text, sql.values)).rows;
  }

  private async lexicalRows(terms: string[], options: StoreSearchOptions): Promise<Row[]> {
    if (terms.length === 0 || options.documentIds?.length === 0) return [];
    const sql = lexicalSql(this.n, terms, options);
    return (await this.query<Row>(sql.text, sql.values)).rows;
  }

  async getDocument(id: string): Promise<StoredDocument | undefined> {
    return (await this.getDocuments([id]))[0];
  }

  async getDocuments(ids: string[]): Promise<StoredDocument[]> {
    if (ids.length === 0) return [];
    const rows = await this.query<Row>(`SELECT ${PG_SUMMARY_COLUMNS}, text FROM ${this.n.documents} WHERE id = ANY($1)`, [ids]);
    return rows.rows.map((row) => ({ ...rowToSummary(row), text: row.text as string }));
  }

  async listDocuments(): Promise<DocumentSummary[]> {
    return (await this.query<Row>(`SELECT ${PG_SUMMARY_COLUMNS} FROM ${this.n.documents}`)).rows.map(rowToSummary);
  }

  async findDocuments(ids: string[]): Promise<DocumentSummary[]> {
    if (ids.length === 0) return [];
    const rows = await this.query<Row>(`SELECT ${PG_SUMMARY_COLUMNS} FROM ${this.n.documents} WHERE id = ANY($1)`, [ids]);
    return rows.rows.map(rowToSummary);
  }

  /** Ids and metadata equality in SQL (an array value matches when it holds the value); the source glob stays with the caller. */
  async narrowDocuments(filter: SearchFilter): Promise<DocumentSummary[]> {
    const params: unknown[] = [];
    const ids = filter.documentId === undefined ? undefined : Array.isArray(filter.documentId) ? filter.documentId : [filter.documentId];
    const where = documentConditions(ids, filter.metadata, params);
    const sql = `SELECT ${PG_SUMMARY_COLUMNS} FROM ${this.n.documents}${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""}`;
    return (await this.query<Row>(sql, params)).rows.map(rowToSummary);
  }

  async getChunks(documentId: string): Promise<StoredChunk[]> {
    const rows = await this.query<Row>(`SELECT ${PG_CHUNK_COLUMNS} FROM ${this.n.chunks} WHERE doc_id = $1 ORDER BY idx`, [documentId]);
    return rows.rows.map(rowToChunk);
  }

  async getChunkRecords(documentIds: string[]): Promise<ChunkRecord[]> {
    if (documentIds.length === 0) return [];
    const rows = await this.query<Row>(
      `SELECT ${PG_CHUNK_COLUMNS}, embed_hash, terms, vector::text AS vector FROM ${this.n.chunks} WHERE doc_id = ANY($1) ORDER BY doc_id, idx`,
      [documentIds],
    );
    return rows.rows.map((row) => rowToRecord(row, parseVector(row.vector as string)));
  }

  async findVectors(embedHashes: string[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    if (embedHashes.length === 0) return found;
    const rows = await this.query<{ embed_hash: string; vector: string }>(
      `SELECT DISTINCT ON (embed_hash) embed_hash, vector::text AS vector FROM ${this.n.chunks} WHERE embed_hash = ANY($1)`,
      [[...new Set(embedHashes)]],
    );
    for (const row of rows.rows) found.set(row.embed_hash, parseVector(row.vector));
    return found;
  }

  /** The HNSW index once large enough (postgres-ann.ts); terms no chunk has any more are dropped and the BM25 statistics vacuumed. */
  async optimize(): Promise<void> {
    try {
      await this.query(`DELETE FROM ${this.n.terms} WHERE df <= 0`);
      // Every batch rewrites the frequency row of each term it holds: without a vacuum the dead
      // rows pile up and each batch gets slower (autovacuum may lag; PGlite has none). Small tables, cheap.
      await this.pool.query(`VACUUM ${this.n.terms}, ${this.n.corpus}`).catch(() => undefined);
      await ensureHnsw(this.pool, this.n, { minRows: this.ann.minRows, memory: this.buildMemory });
    } catch (error) {
      throw pgError(error, this.where, "Updating the index's search structures failed");
    }
  }

  async stats(): Promise<StoreStats> {
    const counts = await this.query<{ documents: string; chunks: string; bytes: string }>(
      `SELECT (SELECT count(*) FROM ${this.n.documents}) AS documents, (SELECT count(*) FROM ${this.n.chunks}) AS chunks,
        (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
         WHERE s.nspname = $1 AND c.relkind = 'r') AS bytes`,
      [this.n.schema.slice(1, -1)],
    );
    const row = counts.rows[0];
    return { documents: Number(row?.documents), chunks: Number(row?.chunks), bytesOnDisk: Number(row?.bytes) };
  }

  stageReindex(target: ReindexTarget): Promise<ReindexStage> {
    return stagePgReindex(this.pool, this.n, target);
  }

  /** The chunk table keeps its name through a reindex: nothing to follow. */
  async refresh(): Promise<void> {}

  async scan(): Promise<StoreScan> {
    const documents = await this.query<{ id: string; chunk_count: number }>(`SELECT id, chunk_count FROM ${this.n.documents}`);
    const chunks = await this.query<{ id: string; doc_id: string }>(`SELECT id, doc_id FROM ${this.n.chunks}`);
    return {
      documents: documents.rows.map((r) => ({ id: r.id, chunkCount: r.chunk_count })),
      chunks: chunks.rows.map((r) => ({ id: r.id, documentId: r.doc_id })),
    };
  }

  /** Primary keys rule out duplicates; orphan chunks (and their postings) are dropped. */
  async repair(plan: RepairPlan): Promise<void> {
    if (plan.orphanChunksOf.length === 0) return;
    await this.write("Repairing the index failed", (client) => removeChunks(client, this.n, this.n.chunks, plan.orphanChunksOf));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
