import type { Pool } from "pg";
import { pgError } from "./postgres-errors.js";
import { migrate, pgNames, redactUrl } from "./postgres-schema.js";
import type { Manifest } from "./types.js";

/**
 * A connection pool that never lets an idle connection's error (a restarted server) kill the
 * process. Each connection searches HNSW with `efSearch` candidates and, on pgvector 0.8+, keeps
 * scanning until a filtered query has its k rows (an older pgvector ignores the setting).
 */
export async function connectPool(url: string, poolSize: number, efSearch = 40): Promise<Pool> {
  const pg = (await import("pg")).default;
  const ef = Math.min(1000, Math.max(40, Math.round(efSearch)));
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 10_000,
    // Startup options, so they hold before any query; an unknown hnsw.* setting is only a warning.
    options: `-c hnsw.ef_search=${ef} -c hnsw.iterative_scan=strict_order`,
  });
  pool.on("error", () => undefined);
  return pool;
}

/** `ragkit migrate`: creates or upgrades the schema (idempotent); the chunk table follows with the first ingest. */
export async function migratePg(url: string, schema: string): Promise<{ from: number; to: number }> {
  const pool = await connectPool(url, 1);
  try {
    return await migrate(pool, pgNames(schema));
  } catch (error) {
    throw pgError(error, `${redactUrl(url)} (schema ${schema})`, "Could not migrate the index");
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/** The manifest of the index at this URL and schema, without creating anything; undefined when none. */
export async function readPgManifest(url: string, schema: string): Promise<Manifest | undefined> {
  const n = pgNames(schema);
  const pool = await connectPool(url, 1);
  try {
    const exists = await pool.query<{ t: string | null }>("SELECT to_regclass($1) AS t", [n.meta]);
    if (exists.rows[0]?.t == null) return undefined;
    const found = await pool.query<{ value: Manifest }>(`SELECT value FROM ${n.meta} WHERE key = 'manifest'`);
    return found.rows[0]?.value;
  } catch (error) {
    throw pgError(error, `${redactUrl(url)} (schema ${schema})`, "Could not read the index");
  } finally {
    await pool.end().catch(() => undefined);
  }
}
