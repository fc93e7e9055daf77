import type { Table } from "@lancedb/lancedb";
import { rowsWhereIn } from "./lancedb-rows.js";
import type { Row } from "./rows.js";

// The B-tree indexes ingest looks rows up by (lancedb-indexes.ts names them after their column).
const DOCUMENT_IDS = "id_idx";
const CHUNK_HASHES = "embed_hash_idx";

interface Written {
  /** The chunk table it was seen on: after a reindex swapped in another, the indexes are checked again. */
  chunksName: string;
  /** The tables were empty: there is nothing but this process's rows to look up. */
  empty: boolean;
  /** Each value this process wrote, with the sequence number of its latest write (see `mark`). */
  documentIds: Map<string, number>;
  embedHashes: Map<string, number>;
}

export interface LookupTables {
  chunks: Table;
  chunksName: string;
  documents: Table;
}

/**
 * Ingest looks up every batch's document ids and chunk hashes. LanceDB answers a lookup from the
 * B-tree index for the rows it covers and by scanning every row written since the index was last
 * brought up to date, so inside one long ingest each lookup scanned everything the ingest had
 * written so far: 3,156 documents/s over the first 20,000 of one 200,000-document call, 303/s over
 * the last. While this process holds the write lock nobody else writes, so once the indexes are
 * seen complete, the rows outside them are exactly those this process wrote since: lookups ask the
 * indexes alone (`fastSearch`) and scan only for the values this process wrote.
 */
export class IndexedLookups {
  /** What this process wrote since it saw the indexes complete; undefined: not known, scan. */
  private written?: Written;
  private held = false;
  private checked = false;
  private sequence = 0;

  /** The write lock is ours from now on. */
  begin(): void {
    this.held = true;
    this.forget();
  }

  /** The write lock is released: another process may write, so nothing is known any more. */
  end(): void {
    this.held = false;
    this.forget();
  }

  /**
   * After a write this class did not see (recovery, repair, a reindex swap) or an index update:
   * the next lookup checks again whether the indexes cover every row.
   */
  forget(): void {
    this.written = undefined;
    this.checked = false;
  }

  /**
   * Rows this process wrote, under the lock, after `prepare`. (Rows written before the indexes
   * were checked would make them look incomplete, and lookups scan until the next index update.)
   */
  wrote(documentIds: Iterable<string>, embedHashes: Iterable<string>): void {
    if (!this.written) return;
    const at = ++this.sequence;
    for (const id of documentIds) this.written.documentIds.set(id, at);
    for (const hash of embedHashes) this.written.embedHashes.set(hash, at);
  }

  /** Where this process's writes stand: an index update that begins after it covers them (`covered`). */
  mark(): number {
    return this.sequence;
  }

  /**
   * An index update that began at `mark` has ended: the rows written before it are in the indexes
   * now, those written during it (an upkeep in the background) may not be and are still scanned.
   */
  covered(mark: number): void {
    const written = this.written;
    if (!written) return;
    for (const values of [written.documentIds, written.embedHashes]) {
      for (const [value, at] of values) if (at <= mark) values.delete(value);
    }
    // The indexes hold rows now; asking them as well as scanning is always right.
    written.empty = false;
  }

  findDocumentRows(tables: LookupTables, ids: string[], columns: string[]): Promise<Row[]> {
    return this.find(tables, tables.documents, "id", ids, columns, (written) => written.documentIds);
  }

  findChunkRows(tables: LookupTables, hashes: string[], columns: string[]): Promise<Row[]> {
    return this.find(tables, tables.chunks, "embed_hash", hashes, columns, (written) => written.embedHashes);
  }

  /** Rows whose `column` is one of `values`: from the index alone, scanning only for what this process wrote. */
  private async find(
    tables: LookupTables,
    table: Table,
    column: string,
    values: string[],
    columns: string[],
    oursIn: (written: Written) => Map<string, number>,
  ): Promise<Row[]> {
    const written = await this.prepare(tables);
    if (!written) return rowsWhereIn(table, column, values, columns);
    const ours = oursIn(written);
    const outside = values.filter((v) => ours.has(v));
    // An index that was empty when the lock was taken holds nothing but this process's rows.
    const inside = written.empty ? [] : values.filter((v) => !ours.has(v));
    const rows = await rowsWhereIn(table, column, inside, columns, { indexedOnly: true });
    if (outside.length > 0) rows.push(...(await rowsWhereIn(table, column, outside, columns)));
    return rows;
  }

  /** Checks whether the indexes cover every row, unless known; before a lookup or a write. */
  async prepare(tables: LookupTables): Promise<Written | undefined> {
    if (!this.held) return undefined;
    if (this.written && this.written.chunksName !== tables.chunksName) this.forget();
    if (!this.written && !this.checked) {
      this.checked = true;
      const coverage = await coverageOf(tables);
      if (coverage !== "partial") {
        this.written = { chunksName: tables.chunksName, empty: coverage === "empty", documentIds: new Map(), embedHashes: new Map() };
      }
    }
    return this.written;
  }
}

/** Whether both lookup indexes cover every row ("complete"), there are no rows ("empty"), or neither. */
async function coverageOf(tables: LookupTables): Promise<"complete" | "empty" | "partial"> {
  const [documents, chunks] = await Promise.all([tables.documents.indexStats(DOCUMENT_IDS), tables.chunks.indexStats(CHUNK_HASHES)]);
  if (documents?.numUnindexedRows === 0 && chunks?.numUnindexedRows === 0) return "complete";
  const [documentRows, chunkRows] = await Promise.all([tables.documents.countRows(), tables.chunks.countRows()]);
  return documentRows === 0 && chunkRows === 0 ? "empty" : "partial";
}
