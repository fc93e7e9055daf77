import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { Connection, Table } from "@lancedb/lancedb";
import { sha256 } from "../text/hash.js";
import { faultPoint } from "./faults.js";
import { writeFileAtomic } from "./lancedb-journal.js";
import { chunkSchema, chunkToRow, type Row } from "./lancedb-rows.js";
import type { ChunkRecord, ReindexTarget } from "./types.js";

// What an unfinished reindex is building, so the next run resumes it instead of starting again.
const PLAN = "reindex.json";

interface Plan {
  table: string;
  embedderId: string;
  dimensions: number;
}

/** The staging table for a reindex: the one an interrupted run of the same target left, or a new one. */
export async function stagingTable(
  db: Connection,
  dir: string,
  target: ReindexTarget,
  active: string,
): Promise<{ table: Table; name: string }> {
  const file = path.join(dir, PLAN);
  const previous = existsSync(file) ? (JSON.parse(await readFile(file, "utf8").catch(() => "null")) as Plan | null) : null;
  const names = await db.tableNames();
  if (
    previous &&
    previous.embedderId === target.embedderId &&
    previous.dimensions === target.dimensions &&
    names.includes(previous.table)
  ) {
    return { table: await db.openTable(previous.table), name: previous.table };
  }
  // Another target's leftovers (never the active table) are dropped.
  if (previous && previous.table !== active && names.includes(previous.table)) await db.dropTable(previous.table);
  const name = `chunks_${sha256(target.embedderId).slice(0, 8)}_${Date.now().toString(36)}`;
  const table = await db.createEmptyTable(name, chunkSchema(target.dimensions));
  await writeFileAtomic(file, JSON.stringify({ table: name, embedderId: target.embedderId, dimensions: target.dimensions } satisfies Plan));
  return { table, name };
}

/** Documents an earlier, interrupted run already staged (each was written whole, in one commit). */
export async function stagedDocuments(table: Table): Promise<Set<string>> {
  const rows = (await table.query().select(["doc_id"]).toArray()) as Row[];
  return new Set(rows.map((r) => r.doc_id as string));
}

export async function stageChunks(table: Table, chunks: ChunkRecord[]): Promise<void> {
  if (chunks.length > 0) await table.add(chunks.map(chunkToRow));
  faultPoint("reindex:staged");
}

export async function clearPlan(dir: string): Promise<void> {
  await rm(path.join(dir, PLAN), { force: true });
}
