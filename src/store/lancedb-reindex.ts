import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { Connection, Table } from "@lancedb/lancedb";
import { sha256 } from "../text/hash.js";
import type { Metadata } from "../types.js";
import { faultPoint } from "./faults.js";
import { toArrowTable } from "./lancedb-arrow.js";
import { writeFileAtomic } from "./lancedb-journal.js";
import { labelledChunkRow } from "./lancedb-labels.js";
import { chunkSchema, inList } from "./lancedb-rows.js";
import type { Row } from "./rows.js";
import { fingerprintsByDocument } from "./staged-fingerprint.js";
import type { ChunkRecord, Manifest, ReindexTarget } from "./types.js";

// What an unfinished reindex is building, so the next run resumes it instead of starting again.
const PLAN = "reindex.json";

interface Plan {
  table: string;
  embedderId: string;
  dimensions: number;
  /** Set once every document is staged: what the commit writes, so recovery can finish it. */
  commit?: { manifest: Manifest; chunkerKey: string };
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

/** Documents an earlier, interrupted run already staged (each written whole, in one commit), with their chunks' fingerprint. */
export async function stagedDocuments(table: Table): Promise<Map<string, string>> {
  const rows = (await table.query().select(["doc_id", "idx", "start_offset", "end_offset", "embed_hash"]).toArray()) as Row[];
  return fingerprintsByDocument(
    rows.map((r) => ({
      documentId: r.doc_id as string,
      index: r.idx as number,
      start: r.start_offset as number,
      end: r.end_offset as number,
      embedHash: r.embed_hash as string,
    })),
  );
}

export async function discardStaged(table: Table, documentIds: string[]): Promise<void> {
  for (let i = 0; i < documentIds.length; i += 500) await table.delete(inList("doc_id", documentIds.slice(i, i + 500)));
}

export async function stageChunks(table: Table, chunks: ChunkRecord[], metadataOf: (documentId: string) => Metadata): Promise<void> {
  if (chunks.length > 0) {
    await table.add(
      await toArrowTable(
        table,
        chunks.map((chunk) => labelledChunkRow(chunk, metadataOf(chunk.documentId))),
      ),
    );
  }
  faultPoint("reindex:staged");
}

export async function clearPlan(dir: string): Promise<void> {
  await rm(path.join(dir, PLAN), { force: true });
}

async function readPlan(dir: string): Promise<Plan | undefined> {
  const file = path.join(dir, PLAN);
  if (!existsSync(file)) return undefined;
  return (JSON.parse(await readFile(file, "utf8").catch(() => "null")) as Plan | null) ?? undefined;
}

/** Announces the commit: from here on, a crash is rolled forward, not back. */
export async function markCommitting(dir: string, commit: NonNullable<Plan["commit"]>): Promise<void> {
  const plan = await readPlan(dir);
  if (!plan) throw new Error("no reindex in progress");
  await writeFileAtomic(path.join(dir, PLAN), JSON.stringify({ ...plan, commit } satisfies Plan));
}

/**
 * The document rows as the staged chunks describe them (chunk count, chunker key), in one write:
 * the new chunks may be cut differently (another tokenizer), and documents must agree with them.
 */
export async function alignDocuments(documents: Table, staged: Table, chunkerKey: string): Promise<void> {
  const counts = new Map<string, number>();
  for (const row of (await staged.query().select(["doc_id"]).toArray()) as Row[]) {
    counts.set(row.doc_id as string, (counts.get(row.doc_id as string) ?? 0) + 1);
  }
  const rows = ((await documents.query().toArray()) as Row[]).map((row) => ({
    ...row,
    chunk_count: counts.get(row.id as string) ?? 0,
    chunker_key: chunkerKey,
  }));
  if (rows.length > 0) await documents.mergeInsert("id").whenMatchedUpdateAll().execute(rows);
}

/** A reindex that had begun its commit when the process died: what is left to finish it. */
export async function pendingCommit(dir: string): Promise<(Plan & { commit: NonNullable<Plan["commit"]> }) | undefined> {
  const plan = await readPlan(dir);
  return plan?.commit ? (plan as Plan & { commit: NonNullable<Plan["commit"]> }) : undefined;
}
