import type { Table } from "@lancedb/lancedb";
import type { StoredChunk } from "../types.js";
import type { AnnOptions } from "./ann.js";
import type { DenseCache } from "./lancedb-dense-cache.js";
import { type FtsIndex, termQuery } from "./lancedb-fts.js";
import { plainRows, rowsWhereIn } from "./lancedb-rows.js";
import type { SearchScope } from "./lancedb-scope.js";
import { CHUNK_COLUMNS, type Row, rowToChunk } from "./rows.js";
import type { ChunkRef, ScoredRef, StoreSearchOptions } from "./types.js";

type LanceDb = typeof import("@lancedb/lancedb");

/** The tables a search reads: the store's current ones (they change when it renews its connection or follows a reindex). */
export interface SearchTables {
  chunks: Table;
  chunksName: string;
  documents: Table;
  fts: FtsIndex;
  lancedb: LanceDb;
}

/** A row of the chunk table as a search returned it, with its score (higher is better). */
export interface RankedRow {
  row: Row;
  score: number;
}

// What a ranking reads of a chunk: enough to fuse and collapse, and its row id to read it back.
const REF_COLUMNS = ["id", "doc_id"];

export function toScoredRef({ row, score }: RankedRow): ScoredRef {
  const handle = row._rowid;
  return { chunk: { id: row.id as string, documentId: row.doc_id as string, ...(typeof handle === "bigint" ? { handle } : {}) }, score };
}

/** Dense and lexical rankings over the chunk table (ids and row ids only), and reading back the chunks a ranking kept. */
export class LanceSearch {
  constructor(
    private readonly ann: AnnOptions,
    private readonly scope: SearchScope,
    private readonly memory: DenseCache,
  ) {}

  async dense(t: SearchTables, vector: Float32Array, options: StoreSearchOptions): Promise<RankedRow[]> {
    if (options.documentIds?.length === 0) return [];
    // The in-memory copy has no labels: it takes a metadata filter as the documents it allows.
    const fromMemory = await this.memory.search(t.chunks, t.chunksName, vector, options, () =>
      this.scope.withDocumentIds(t.documents, options),
    );
    if (fromMemory) return fromMemory;
    const where = await this.scope.where(t, options);
    if (where === null) return [];
    const probes = await this.scope.probes(t.chunks);
    const columns = [...REF_COLUMNS, "_distance"];
    let query = t.chunks
      .vectorSearch(Array.from(vector))
      .distanceType("cosine")
      // Used once the table has an ANN index (see ensureVectorIndex); an exact scan ignores them.
      .nprobes(probes)
      .ef(probes * 10)
      // Re-scoring reads each candidate's full vector: `refine` × 10 rows is enough for the top 10,
      // and a fusion's 100 candidates need no more than themselves (1,000 reads cost ~10 ms).
      .refineFactor(Math.max(1, Math.round((this.ann.refine * 10) / options.k)))
      .select(columns)
      .limit(options.k)
      .withRowId();
    if (where) query = query.where(where);
    const rows = await plainRows(query, [...columns, "_rowid"]);
    return rows.map((row) => ({ row, score: 1 - (row._distance as number) }));
  }

  async lexical(t: SearchTables, terms: string[], options: StoreSearchOptions): Promise<RankedRow[]> {
    if (terms.length === 0 || options.documentIds?.length === 0) return [];
    // Readers never build the index (that is a write): until a writer has, there is nothing to match.
    if (!(await t.fts.exists())) return [];
    const where = await this.scope.where(t, options);
    if (where === null) return [];
    const columns = [...REF_COLUMNS, "_score"];
    let query = t.chunks.query().fullTextSearch(termQuery(t.lancedb, terms)).select(columns).limit(options.k).withRowId();
    if (where) query = query.where(where);
    const rows = await plainRows(query, [...columns, "_rowid"]);
    return rows.map((row) => ({ row, score: row._score as number }));
  }

  /**
   * The chunks a ranking kept, in its order: from the in-memory copy when it is current, else by
   * row id. A compaction since the ranking moves rows, so any not found that way (or found as
   * another chunk) is looked up by id; a chunk deleted since is left out.
   */
  async read(t: SearchTables, refs: ChunkRef[]): Promise<StoredChunk[]> {
    if (refs.length === 0) return [];
    const found = (await this.memory.rows(t.chunks, t.chunksName, refs)) ?? new Map<string, Row>();
    const handles = refs.flatMap((r) => (!found.has(r.id) && r.handle !== undefined ? [r.handle] : []));
    if (handles.length > 0) {
      const taken = await plainRows(t.chunks.takeRowIds(handles).select(CHUNK_COLUMNS), CHUNK_COLUMNS).catch(() => []);
      for (const row of taken) found.set(row.id as string, row);
    }
    const missing = refs.filter((r) => !found.has(r.id)).map((r) => r.id);
    if (missing.length > 0) for (const row of await rowsWhereIn(t.chunks, "id", missing, CHUNK_COLUMNS)) found.set(row.id as string, row);
    return refs.flatMap((r) => {
      const row = found.get(r.id);
      return row ? [rowToChunk(row)] : [];
    });
  }
}
