import type { Pool, PoolClient } from "pg";
import { pgError } from "./postgres-errors.js";
import { migrate, pgNames, pgWhere } from "./postgres-schema.js";
import type { Manifest } from "./types.js";

/** A connection pool that never lets an idle connection's error (a restarted server) kill the process. */
export async function connectPool(url: string, poolSize: number): Promise<Pool> {
  const pg = (await import("pg")).default;
  // A new connection may wait for the server behind a busy writer (PGlite serialises everything):
  // 30 s before STORE_UNAVAILABLE, while an unreachable host fails at once.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 30_000 });
  pool.on("error", () => undefined);
  return pool;
}

const prepared = new WeakSet<PoolClient>();

// BM25 sums a query's postings per chunk in one hash table: ~11 MB for a query of common terms
// over 100,000 chunks, where PostgreSQL's default 4 MB spilled it to disk (p50 88 → 71 ms). Raised
// to this for search connections only, never lowered below what the server is configured with.
const SEARCH_WORK_MEM = "32MB";

/**
 * Readies a pooled connection for search, once: HNSW looks at `efSearch` candidates (pgvector's
 * default 40 gave recall@10 0.72 at 100,000 chunks) and, on pgvector 0.8+, keeps scanning until a
 * filtered query has its k rows (an older pgvector refuses the setting, which is then left out).
 */
export async function searchReady(client: PoolClient, efSearch: number): Promise<void> {
  if (prepared.has(client)) return;
  const ef = Math.min(1000, Math.max(40, Math.round(efSearch)));
  await client.query(`SET hnsw.ef_search = ${ef}`).catch(() => undefined);
  await client.query("SET hnsw.iterative_scan = strict_order").catch(() => undefined);
  await client.query(`SELECT set_config('work_mem', $1, false) WHERE pg_size_bytes(current_setting('work_mem')) < pg_size_bytes($1)`, [
    SEARCH_WORK_MEM,
  ]);
  prepared.add(client);
}

/** Runs `work` on a one-connection pool that is closed after; a failure says what it was doing and where. */
async function withPool<T>(url: string, schema: string, context: string, work: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = await connectPool(url, 1);
  try {
    return await work(pool);
  } catch (error) {
    throw pgError(error, pgWhere(url, schema), context);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/** `ragkit migrate`: creates or upgrades the schema (idempotent); the chunk table follows with the first ingest. */
export function migratePg(url: string, schema: string): Promise<{ from: number; to: number }> {
  return withPool(url, schema, "Could not migrate the index", (pool) => migrate(pool, pgNames(schema)));
}

/** The manifest of the index at this URL and schema, without creating anything; undefined when none. */
export function readPgManifest(url: string, schema: string): Promise<Manifest | undefined> {
  const n = pgNames(schema);
  return withPool(url, schema, "Could not read the index", async (pool) => {
    const exists = await pool.query<{ t: string | null }>("SELECT to_regclass($1) AS t", [n.meta]);
    if (exists.rows[0]?.t == null) return undefined;
    const found = await pool.query<{ value: Manifest }>(`SELECT value FROM ${n.meta} WHERE key = 'manifest'`);
    return found.rows[0]?.value;
  });
}
