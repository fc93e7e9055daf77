import type { Table } from "@lancedb/lancedb";
import { arrowRows } from "./lancedb-rows.js";
import type { RankedRow } from "./lancedb-search.js";
import { CHUNK_COLUMNS, type Row } from "./rows.js";
import type { ChunkRef, StoreSearchOptions } from "./types.js";

interface Loaded {
  /** Table name and version the copy was read at. */
  key: string;
  rows: Row[];
  /** Rows by chunk id, built when first read from. */
  byId?: Map<string, Row>;
  documentIds: string[];
  /** All vectors, row after row, each scaled to unit length. */
  matrix: Float32Array;
  dimensions: number;
}

// A copy that went stale is read again at most this often; between reads LanceDB answers.
const RELOAD_INTERVAL_MS = 1_000;

/**
 * Exact dense search from memory while an index is small enough to hold (`maxBytes`, vectors and
 * chunk rows). LanceDB's exact scan reads and decodes every vector on every query: 3.4 ms of CPU
 * for 1,465 chunks of 512 dimensions, most of a search's cost under load; the dot products
 * themselves take a fraction of that. The copy follows the table's version, so other processes'
 * writes are seen as with a LanceDB read; past `maxBytes`, or once an ANN index exists, LanceDB
 * answers as before.
 */
export class DenseCache {
  private loaded?: Loaded;
  private tooLarge?: string;
  private loadedAt = 0;

  constructor(private readonly maxBytes: number) {}

  /**
   * The k nearest chunks, or undefined when the copy is not usable now (LanceDB should answer).
   * `resolve` turns a metadata filter into document ids, asked only when the copy answers.
   */
  async search(
    table: Table,
    name: string,
    vector: Float32Array,
    options: StoreSearchOptions,
    resolve: () => Promise<StoreSearchOptions>,
  ): Promise<RankedRow[] | undefined> {
    if (this.maxBytes <= 0) return undefined;
    const key = `${name}@${await table.version()}`;
    if (this.loaded?.key !== key) {
      if (this.tooLarge === key || Date.now() - this.loadedAt < RELOAD_INTERVAL_MS) return undefined;
      // Sized from the row count first: a large table is never read just to be dropped.
      if ((await table.countRows()) * vector.length * 4 > this.maxBytes || !(await this.load(table, key))) {
        this.tooLarge = key;
        this.loaded = undefined;
        return undefined;
      }
    }
    const loaded = this.loaded as Loaded;
    if (loaded.dimensions !== vector.length) return undefined;
    const resolved = options.metadata ? await resolve() : options;
    return resolved.documentIds?.length === 0 ? [] : topK(loaded, vector, resolved);
  }

  /** These chunks' rows from the copy, when it holds the table's current version; undefined otherwise. */
  async rows(table: Table, name: string, refs: ChunkRef[]): Promise<Map<string, Row> | undefined> {
    if (!this.loaded || this.loaded.key !== `${name}@${await table.version()}`) return undefined;
    const loaded = this.loaded;
    loaded.byId ??= new Map(loaded.rows.map((row) => [row.id as string, row]));
    const found = new Map<string, Row>();
    for (const { id } of refs) {
      const row = loaded.byId.get(id);
      if (row) found.set(id, row);
    }
    return found;
  }

  private async load(table: Table, key: string): Promise<boolean> {
    this.loadedAt = Date.now();
    this.loaded = undefined;
    const indexed = (await table.listIndices()).some((index) => index.columns.includes("vector"));
    const arrow = indexed
      ? undefined
      : await table
          .query()
          .select([...CHUNK_COLUMNS, "vector"])
          .toArrow();
    if (!arrow || arrow.numRows === 0) return false;
    const values = arrow.getChild("vector")?.getChildAt(0)?.toArray() as Float32Array;
    const text = arrow.getChild("text");
    let bytes = values.byteLength;
    for (let i = 0; i < arrow.numRows; i++) bytes += 2 * ((text?.get(i) as string | null)?.length ?? 0) + 200;
    if (bytes > this.maxBytes) return false;
    const dimensions = values.length / arrow.numRows;
    const matrix = Float32Array.from(values);
    for (let r = 0; r < arrow.numRows; r++) normalise(matrix, r * dimensions, dimensions);
    const rows = arrowRows(arrow, CHUNK_COLUMNS);
    this.loaded = { key, rows, documentIds: rows.map((r) => r.doc_id as string), matrix, dimensions };
    return true;
  }
}

function normalise(m: Float32Array, at: number, length: number): void {
  let sum = 0;
  for (let i = at; i < at + length; i++) sum += (m[i] as number) ** 2;
  const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  for (let i = at; i < at + length; i++) m[i] = (m[i] as number) * scale;
}

/** Cosine similarity against every row (or the allowed documents'), keeping the best k in order. */
function topK(loaded: Loaded, vector: Float32Array, options: StoreSearchOptions): RankedRow[] {
  const { matrix, dimensions, documentIds } = loaded;
  const query = Float32Array.from(vector);
  normalise(query, 0, dimensions);
  const allowed = options.documentIds ? new Set(options.documentIds) : undefined;
  const best: Array<{ row: number; score: number }> = [];
  for (let r = 0; r < documentIds.length; r++) {
    if (allowed && !allowed.has(documentIds[r] as string)) continue;
    let dot = 0;
    for (let i = 0, at = r * dimensions; i < dimensions; i++, at++) dot += (query[i] as number) * (matrix[at] as number);
    if (best.length === options.k && dot <= (best[best.length - 1] as { score: number }).score) continue;
    let at = best.length;
    while (at > 0 && (best[at - 1] as { score: number }).score < dot) at--;
    best.splice(at, 0, { row: r, score: dot });
    if (best.length > options.k) best.pop();
  }
  return best.map(({ row, score }) => ({ row: loaded.rows[row] as Row, score }));
}
