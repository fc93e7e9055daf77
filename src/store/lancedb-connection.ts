import path from "node:path";
import type { Connection, Session, Table } from "@lancedb/lancedb";

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

export type { Table };
