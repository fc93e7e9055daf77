import { existsSync } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Table } from "@lancedb/lancedb";
import { faultPoint } from "./faults.js";
import { toArrowTable } from "./lancedb-arrow.js";
import { inList } from "./lancedb-rows.js";
import type { Row } from "./rows.js";
import type { RepairPlan } from "./types.js";

// Written before a write that spans both tables (or several commits) and removed after it, so a
// crash in between is finished or undone by the next writer.
const JOURNAL = "journal.json";
// The rows an upsert or a repair writes, kept on disk until both tables have them.
const RESTORE = "journal-rows.json";

interface Journal {
  op: "upsert" | "delete" | "restore";
  documentIds: string[];
}

export interface Tables {
  chunks: Table;
  documents: Table;
}

export async function writeFileAtomic(target: string, content: string): Promise<void> {
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, content);
  await rename(temp, target);
}

export async function writeJournal(dir: string, journal: Journal): Promise<void> {
  await writeFileAtomic(path.join(dir, JOURNAL), JSON.stringify(journal));
}

export async function clearJournal(dir: string): Promise<void> {
  await rm(path.join(dir, JOURNAL), { force: true });
  await rm(path.join(dir, RESTORE), { force: true });
}

export async function deleteDocuments(tables: Tables, documentIds: string[]): Promise<void> {
  for (let i = 0; i < documentIds.length; i += 500) {
    const part = documentIds.slice(i, i + 500);
    await tables.documents.delete(inList("id", part));
    faultPoint("delete:documents-deleted");
    await tables.chunks.delete(inList("doc_id", part));
  }
}

/**
 * Announces an upsert before it touches the tables. One that replaces documents saves its rows
 * first, to be redone after a crash (never leaving a document with another version's chunks); one
 * that only appends new documents is undone instead, so its rows need no copy (writing them cost
 * ~0.1 ms per chunk, a fifth of a fast ingest).
 */
export async function journalUpsert(dir: string, documentIds: string[], replacing?: SavedRows): Promise<void> {
  // Without rows: recovery has already removed any left by a writer killed before its journal.
  if (replacing) await saveJournalRows(dir, replacing);
  await writeJournal(dir, { op: "upsert", documentIds });
}

/** Whether a writer's journal is there: a write that did not finish, for `recoverJournal`. */
export function journalPending(dir: string): boolean {
  return existsSync(path.join(dir, JOURNAL));
}

/**
 * Runs under the write lock before every write. An interrupted delete is finished. An interrupted
 * upsert or repair is redone from the rows it saved before it began, so each of its documents ends
 * with its own chunks (never the chunks of another version of it). An upsert journal without rows
 * (an append of new documents, or one written by an older ragkit) is undone: the chunks of its
 * documents that have no row are dropped, and the next ingest adds them again.
 */
export async function recoverJournal(dir: string, tables: Tables): Promise<void> {
  const file = path.join(dir, JOURNAL);
  if (!journalPending(dir)) {
    // Rows saved by a writer killed before it wrote its journal: that write never began.
    await rm(path.join(dir, RESTORE), { force: true });
    return;
  }
  let journal: Journal;
  try {
    journal = JSON.parse(await readFile(file, "utf8")) as Journal;
  } catch {
    // A torn journal means the crash came before the write it announced began.
    await clearJournal(dir);
    return;
  }
  if (journal.op === "delete") {
    await deleteDocuments(tables, journal.documentIds);
  } else if (await restoreRows(dir, tables, journal.documentIds)) {
    // Redone from the saved rows.
  } else if (journal.op === "upsert") {
    const present = new Set(
      ((await tables.documents.query().where(inList("id", journal.documentIds)).select(["id"]).toArray()) as Row[]).map(
        (row) => row.id as string,
      ),
    );
    const orphans = journal.documentIds.filter((id) => !present.has(id));
    if (orphans.length > 0) await tables.chunks.delete(inList("doc_id", orphans));
  }
  await clearJournal(dir);
}

export interface SavedRows {
  documents: Row[];
  chunks: Row[];
}

/**
 * The batch's rows, saved before the tables are touched. Vectors go in as base64 of their float32
 * bytes: as JSON numbers they were 4x the bytes and ~12% of a fast ingest's CPU.
 */
export async function saveJournalRows(dir: string, rows: SavedRows): Promise<void> {
  const chunks = rows.chunks.map((row) =>
    Array.isArray(row.vector) || row.vector instanceof Float32Array
      ? { ...row, vector: { f32: packVector(row.vector as ArrayLike<number>) } }
      : row,
  );
  await writeFileAtomic(path.join(dir, RESTORE), JSON.stringify({ documents: rows.documents, chunks }));
}

const packVector = (vector: ArrayLike<number>) => Buffer.from(Float32Array.from(vector).buffer).toString("base64");

/** A saved row's vector as numbers again (journals from before base64 hold numbers already). */
function unpackVector(row: Row): Row {
  const saved = row.vector as { f32?: string } | number[] | null;
  if (!saved || Array.isArray(saved) || typeof saved.f32 !== "string") return row;
  // Copied into a buffer of its own: a decoded Buffer may sit at an offset no Float32Array can start at.
  const bytes = new Uint8Array(Buffer.from(saved.f32, "base64"));
  return { ...row, vector: Array.from(new Float32Array(bytes.buffer)) };
}

/** Replaces these documents with the saved rows; false when there are none to restore. */
async function restoreRows(dir: string, tables: Tables, documentIds: string[]): Promise<boolean> {
  let saved: SavedRows;
  try {
    saved = JSON.parse(await readFile(path.join(dir, RESTORE), "utf8")) as SavedRows;
  } catch {
    return false;
  }
  await deleteDocuments(tables, documentIds);
  if (saved.chunks.length > 0) await tables.chunks.add(await toArrowTable(tables.chunks, saved.chunks.map(unpackVector)));
  if (saved.documents.length > 0) await tables.documents.add(await toArrowTable(tables.documents, saved.documents));
  return true;
}

function plainRow(row: Row): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) {
    const v = value as { toArray?: () => ArrayLike<number> } | null;
    out[key] = v && typeof v === "object" && typeof v.toArray === "function" ? Array.from(v.toArray()) : value;
  }
  return out;
}

/** One row per id: the newest document row, the first copy of each chunk. */
async function dedupedRows(tables: Tables, documentIds: string[]): Promise<SavedRows> {
  const docs = ((await tables.documents.query().where(inList("id", documentIds)).toArray()) as Row[]).map(plainRow);
  const newest = new Map<string, Row>();
  for (const row of docs) {
    const seen = newest.get(row.id as string);
    if (!seen || (row.updated_at as number) > (seen.updated_at as number)) newest.set(row.id as string, row);
  }
  const chunks = new Map<string, Row>();
  for (const row of ((await tables.chunks.query().where(inList("doc_id", documentIds)).toArray()) as Row[]).map(plainRow)) {
    if (!chunks.has(row.id as string)) chunks.set(row.id as string, row);
  }
  return { documents: [...newest.values()], chunks: [...chunks.values()] };
}

/**
 * What `doctor --repair` changes, journaled so a crash mid-repair loses nothing: duplicated ids
 * are rewritten once each and orphan chunks (no document row) are dropped. (Re-chunking documents
 * whose chunks do not match is the facade's part: it runs them through ingest again.)
 */
export async function repairTables(dir: string, tables: Tables, plan: RepairPlan): Promise<void> {
  if (plan.dedupe.length > 0) {
    await saveJournalRows(dir, await dedupedRows(tables, plan.dedupe));
    await writeJournal(dir, { op: "restore", documentIds: plan.dedupe });
    faultPoint("repair:rows-saved");
    await restoreRows(dir, tables, plan.dedupe);
    await clearJournal(dir);
  }
  if (plan.orphanChunksOf.length > 0) {
    for (let i = 0; i < plan.orphanChunksOf.length; i += 500) {
      await tables.chunks.delete(inList("doc_id", plan.orphanChunksOf.slice(i, i + 500)));
    }
  }
}
