import type { Pool, PoolClient } from "pg";
import { RagkitError } from "../errors.js";

/** A schema name ragkit can quote safely: a lower-case SQL identifier. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Whether a store URL names a PostgreSQL database (anything else is a LanceDB folder). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** Where a URL's password would show in a message, it does not. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

/** The schema this ragkit writes; `ragkit migrate` brings an older one up to it. */
export const SCHEMA_VERSION = 3;

/** A pool or one of its connections (inside a transaction): what the SQL helpers run on. */
export type Db = Pool | PoolClient;

/** How an index in Postgres is named in messages: the URL without its password, and the schema. */
export function pgWhere(url: string, schema: string): string {
  return `${redactUrl(url)} (schema ${schema})`;
}

/** Quoted, schema-qualified names of one index's tables: several indexes share a database by schema. */
export interface PgNames {
  schema: string;
  meta: string;
  documents: string;
  chunks: string;
  postings: string;
  terms: string;
  corpus: string;
  locks: string;
  /** The reindex staging table called `name`. */
  table(name: string): string;
}

export function pgNames(schema: string): PgNames {
  if (!SCHEMA_NAME.test(schema)) {
    throw new RagkitError("INVALID_ARGUMENT", `store.schema "${schema}" must be a lower-case SQL identifier (letters, digits, _)`);
  }
  const q = (table: string) => `"${schema}"."${table}"`;
  return {
    schema: `"${schema}"`,
    meta: q("meta"),
    documents: q("documents"),
    chunks: q("chunks"),
    postings: q("postings"),
    terms: q("terms"),
    corpus: q("corpus"),
    locks: q("locks"),
    table: q,
  };
}

/**
 * Each step takes the schema from the version before it. BM25 lives in `postings` (one row per
 * term and chunk, with the chunk's length), `terms` (document frequencies) and `corpus` (chunk and
 * token counts), all kept in the same transaction as the chunks they describe.
 */
const MIGRATIONS: Array<(n: PgNames) => string> = [
  (n) => `
    CREATE EXTENSION IF NOT EXISTS vector;
    CREATE TABLE IF NOT EXISTS ${n.documents} (
      id text PRIMARY KEY, source text NOT NULL, title text, content_hash text NOT NULL, chunker_key text NOT NULL,
      metadata jsonb NOT NULL, chunk_count integer NOT NULL, chars integer NOT NULL, updated_at double precision NOT NULL,
      text text NOT NULL);
    CREATE INDEX IF NOT EXISTS documents_source ON ${n.documents} (source);
    CREATE TABLE IF NOT EXISTS ${n.postings} (
      term text NOT NULL, chunk_id text NOT NULL, doc_id text NOT NULL, tf integer NOT NULL, length integer NOT NULL,
      PRIMARY KEY (term, chunk_id));
    CREATE INDEX IF NOT EXISTS postings_doc ON ${n.postings} (doc_id);
    CREATE TABLE IF NOT EXISTS ${n.terms} (term text PRIMARY KEY, df integer NOT NULL);
    CREATE TABLE IF NOT EXISTS ${n.corpus} (id integer PRIMARY KEY CHECK (id = 1), chunks bigint NOT NULL, tokens bigint NOT NULL);
    INSERT INTO ${n.corpus} VALUES (1, 0, 0) ON CONFLICT DO NOTHING;
    CREATE TABLE IF NOT EXISTS ${n.locks} (name text PRIMARY KEY, holder jsonb NOT NULL, heartbeat timestamptz NOT NULL);`,
  // 2: BM25 reads a term's postings from the index alone (tf and length ride along): 25% faster on
  // common terms, measured at 30,000 chunks.
  (n) => `ALTER TABLE ${n.postings} DROP CONSTRAINT IF EXISTS postings_pkey, ADD PRIMARY KEY (term, chunk_id) INCLUDE (tf, length);`,
  // 3: a filtered search reads its documents from indexes: the postings key carries the document
  // id too (the filter was checked on the heap, row by row), and metadata containment has a GIN
  // index (a filter was a scan of the whole documents table). At 100,000 chunks, the BM25 ranking
  // of one group in ten 122 → 53 ms, finding that group's documents 80-119 → 21 ms.
  (n) => `
    ALTER TABLE ${n.postings} DROP CONSTRAINT IF EXISTS postings_pkey, ADD PRIMARY KEY (term, chunk_id) INCLUDE (tf, length, doc_id);
    CREATE INDEX IF NOT EXISTS documents_metadata ON ${n.documents} USING gin (metadata jsonb_path_ops);`,
];

/** Runs `work` in one transaction on one pooled connection: all of it commits, or none. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Creates or upgrades the schema, idempotently; servers starting together take turns on a
 * transaction-scoped advisory lock. Returns the version found and the version now.
 */
export async function migrate(pool: Pool, n: PgNames): Promise<{ from: number; to: number }> {
  return inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`ragkit:migrate:${n.schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${n.schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${n.meta} (key text PRIMARY KEY, value jsonb NOT NULL)`);
    const found = await client.query<{ value: number }>(`SELECT value FROM ${n.meta} WHERE key = 'schema_version'`);
    const from = Number(found.rows[0]?.value ?? 0);
    if (from > SCHEMA_VERSION) {
      throw new RagkitError(
        "INDEX_SCHEMA_MISMATCH",
        `The index in schema ${n.schema} has schema version ${from}, newer than this ragkit's ${SCHEMA_VERSION}; upgrade ragkit`,
      );
    }
    for (let version = from; version < SCHEMA_VERSION; version++) await client.query((MIGRATIONS[version] as (n: PgNames) => string)(n));
    await client.query(
      `INSERT INTO ${n.meta} (key, value) VALUES ('schema_version', $1::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [JSON.stringify(SCHEMA_VERSION)],
    );
    return { from, to: SCHEMA_VERSION };
  });
}

/** The chunk table for vectors of `dimensions` (its name: `chunks`, or a reindex's staging table). */
export function chunkTableSql(table: string, dimensions: number): string {
  const bare = table.replace(/^.*\."|"$/g, "");
  return `
    CREATE TABLE IF NOT EXISTS ${table} (
      id text PRIMARY KEY, doc_id text NOT NULL, source text NOT NULL, title text, text text NOT NULL,
      start_offset integer NOT NULL, end_offset integer NOT NULL, idx integer NOT NULL, metadata jsonb NOT NULL,
      embed_hash text NOT NULL, terms text NOT NULL, length integer NOT NULL, vector vector(${dimensions}) NOT NULL);
    CREATE INDEX IF NOT EXISTS "${bare}_doc" ON ${table} (doc_id);
    CREATE INDEX IF NOT EXISTS "${bare}_embed" ON ${table} (embed_hash);`;
}
