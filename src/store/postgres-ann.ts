import type { Pool } from "pg";
import { inTransaction, type PgNames } from "./postgres-schema.js";

export interface PgAnnBuild {
  /** Chunks at which the HNSW index is built (0: never). */
  minRows: number;
  /**
   * `maintenance_work_mem` for the build ("" keeps the server's): pgvector builds the graph in
   * memory while it fits and much slower on disk after (its NOTICE says when); a parallel build
   * reserves that much shared memory, which a container's small /dev/shm may refuse.
   */
  memory: string;
}

/**
 * The HNSW (cosine) index once the chunks reach `minRows`; below that an exact scan is fast and
 * exact. Built once, after a bulk load if there is one: rows written later join the graph one by one.
 */
export async function ensureHnsw(pool: Pool, n: PgNames, build: PgAnnBuild): Promise<void> {
  if (build.minRows <= 0) return;
  const exists = await pool.query<{ t: string | null }>("SELECT to_regclass($1) AS t", [n.table("chunks_vector")]);
  if (exists.rows[0]?.t != null) return;
  const count = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${n.chunks}`);
  if (Number(count.rows[0]?.n) < build.minRows) return;
  await inTransaction(pool, async (client) => {
    if (build.memory) await client.query("SELECT set_config('maintenance_work_mem', $1, true)", [build.memory]);
    await client.query(`CREATE INDEX IF NOT EXISTS chunks_vector ON ${n.chunks} USING hnsw (vector vector_cosine_ops)`);
  });
}
