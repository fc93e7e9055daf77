import { existsSync } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Connection, Session, Table } from "@lancedb/lancedb";
import type { Schema } from "apache-arrow";
import { acquireFileLock } from "./file-lock.js";
import { chunkSchema, documentSchema } from "./lancedb-rows.js";
import type { LockOptions } from "./types.js";

export const CHUNKS = "chunks";
export const DOCUMENTS = "documents";
export const LOCK = "write.lock";

type LanceDb = typeof import("@lancedb/lancedb");

export interface CacheSizes {
  indexBytes: number;
  metadataBytes: number;
}

export const DEFAULT_CACHE: CacheSizes = { indexBytes: 256 * 2 ** 20, metadataBytes: 128 * 2 ** 20 };

/**
 * A LanceDB connection with its own bounded caches. Read-consistency interval 0: every read checks
 * for versions other processes committed, so a server sees a CLI ingest's documents at once and
 * never reads files a later cleanup removed.
 */
export async function connectLance(lancedb: LanceDb, dir: string, cache: CacheSizes): Promise<{ db: Connection; session: Session }> {
  const session = new lancedb.Session(BigInt(cache.indexBytes), BigInt(cache.metadataBytes));
  const db = await lancedb.connect(path.join(dir, "lance"), { readConsistencyInterval: 0, session });
  return { db, session };
}

// A long-lived handle slows down as versions go by (measured: a one-document ingest 25 → 120 ms
// and three searches 20 → 100 ms over 2,000 versions, back to 43 and 20 ms in a fresh process) and
// its caches fill with the indexes of superseded versions. Past this many versions it is renewed.
export const VERSIONS_PER_CONNECTION = 500;

// Queries already running on the old handles finish before those are closed.
const RETIRE_AFTER_MS = 60_000;

/** Closes handles a renewal replaced, once queries that started on them are done. */
export function retireLater(handles: { close(): void }[]): void {
  setTimeout(() => {
    for (const handle of handles) {
      try {
        handle.close();
      } catch {
        // Already closed with the store.
      }
    }
  }, RETIRE_AFTER_MS).unref();
}

const ignoreGone =
  <T>(fallback: T) =>
  (error: unknown): T => {
    // Another process may compact and clean up while we walk the folder.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return fallback;
    throw error;
  };

export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(ignoreGone([]))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySize(full);
    else if (entry.isFile()) total += (await stat(full).catch(ignoreGone({ size: 0 }))).size;
  }
  return total;
}

export async function openTables(db: Connection, chunksTable = CHUNKS): Promise<{ chunks: Table; documents: Table }> {
  return { chunks: await db.openTable(chunksTable), documents: await db.openTable(DOCUMENTS) };
}

/**
 * A new index's tables, created under the write lock: another process creating the same index at
 * the same moment is waited for, and a table folder left without versions by a process killed while
 * creating it (it never held a row) is made again.
 */
export async function createTables(
  db: Connection,
  dir: string,
  dimensions: number,
  lockOptions: LockOptions,
): Promise<{ chunks: Table; documents: Table }> {
  const lock = await acquireFileLock(path.join(dir, LOCK), { ...lockOptions, command: "create index" });
  try {
    const opened = await openTables(db).catch(() => undefined);
    if (opened) return opened;
    const open = async (name: string, schema: Schema) => {
      const folder = path.join(dir, "lance", `${name}.lance`);
      if (!existsSync(path.join(folder, "_versions"))) await rm(folder, { recursive: true, force: true });
      return (await db.tableNames()).includes(name) ? db.openTable(name) : db.createEmptyTable(name, schema);
    };
    return { chunks: await open(CHUNKS, chunkSchema(dimensions)), documents: await open(DOCUMENTS, documentSchema()) };
  } finally {
    await lock.release();
  }
}
