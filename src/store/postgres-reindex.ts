import type { Pool } from "pg";
import { sha256 } from "../text/hash.js";
import { faultPoint } from "./faults.js";
import { portableManifest } from "./manifest.js";
import { rebuildPostings } from "./postgres-bm25.js";
import { insertChunks } from "./postgres-rows.js";
import { chunkTableSql, inTransaction, type PgNames } from "./postgres-schema.js";
import { fingerprintsByDocument } from "./staged-fingerprint.js";
import type { Manifest, ReindexStage, ReindexTarget } from "./types.js";

interface Plan {
  table: string;
  embedderId: string;
  dimensions: number;
}

async function readPlan(pool: Pool, n: PgNames): Promise<Plan | undefined> {
  const found = await pool.query<{ value: Plan }>(`SELECT value FROM ${n.meta} WHERE key = 'reindex'`);
  return found.rows[0]?.value;
}

async function tableExists(pool: Pool, n: PgNames, name: string): Promise<boolean> {
  const found = await pool.query<{ t: string | null }>("SELECT to_regclass($1) AS t", [n.table(name)]);
  return found.rows[0]?.t != null;
}

/**
 * A reindex in Postgres: the new chunks fill a staging table (one statement per batch of whole
 * documents, so a kill never stages half of one), and the commit is one transaction that re-counts
 * the documents, swaps the table in, rebuilds BM25 from the new chunks and records the new
 * embedder: other connections see the old index or the new one, and a crash needs no recovery.
 */
export async function stagePgReindex(pool: Pool, n: PgNames, target: ReindexTarget): Promise<ReindexStage> {
  const previous = await readPlan(pool, n);
  let name: string;
  if (
    previous &&
    previous.embedderId === target.embedderId &&
    previous.dimensions === target.dimensions &&
    (await tableExists(pool, n, previous.table))
  ) {
    name = previous.table;
  } else {
    if (previous) await pool.query(`DROP TABLE IF EXISTS ${n.table(previous.table)}`);
    name = `chunks_${sha256(target.embedderId).slice(0, 8)}_${Date.now().toString(36)}`;
    await pool.query(chunkTableSql(n.table(name), target.dimensions));
    const plan: Plan = { table: name, embedderId: target.embedderId, dimensions: target.dimensions };
    await pool.query(`INSERT INTO ${n.meta} (key, value) VALUES ('reindex', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [
      JSON.stringify(plan),
    ]);
  }
  const staged = n.table(name);
  return {
    done: async () => {
      const rows = await pool.query<{ doc_id: string; idx: number; start_offset: number; end_offset: number; embed_hash: string }>(
        `SELECT doc_id, idx, start_offset, end_offset, embed_hash FROM ${staged}`,
      );
      return fingerprintsByDocument(
        rows.rows.map((r) => ({ documentId: r.doc_id, index: r.idx, start: r.start_offset, end: r.end_offset, embedHash: r.embed_hash })),
      );
    },
    discard: async (ids) => {
      await pool.query(`DELETE FROM ${staged} WHERE doc_id = ANY($1)`, [ids]);
    },
    write: async (chunks) => {
      await insertChunks(pool, staged, chunks);
      faultPoint("reindex:staged");
    },
    commit: (manifest, chunkerKey) => commitReindex(pool, n, name, manifest, chunkerKey),
  };
}

async function commitReindex(pool: Pool, n: PgNames, name: string, manifest: Manifest, chunkerKey: string): Promise<void> {
  await inTransaction(pool, async (client) => {
    const staged = n.table(name);
    await client.query(
      `UPDATE ${n.documents} d SET chunker_key = $1,
         chunk_count = coalesce((SELECT count(*) FROM ${staged} s WHERE s.doc_id = d.id), 0)`,
      [chunkerKey],
    );
    await client.query(`DROP TABLE ${n.chunks}`);
    await client.query(`ALTER TABLE ${staged} RENAME TO chunks`);
    await client.query(`ALTER INDEX ${n.table(`${name}_doc`)} RENAME TO chunks_doc`);
    await client.query(`ALTER INDEX ${n.table(`${name}_embed`)} RENAME TO chunks_embed`);
    await rebuildPostings(client, n, n.chunks);
    await client.query(
      `INSERT INTO ${n.meta} (key, value) VALUES ('manifest', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [JSON.stringify(portableManifest(manifest))],
    );
    await client.query(`DELETE FROM ${n.meta} WHERE key = 'reindex'`);
    faultPoint("reindex:committing");
  });
}
