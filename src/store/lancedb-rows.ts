import type { Table } from "@lancedb/lancedb";
import { type Table as ArrowTable, Field, FixedSizeList, Float32, Float64, Int32, List, Schema, Utf8 } from "apache-arrow";
import type { Row } from "./rows.js";

/** LanceDB rows of the two tables, and the SQL predicates over them. */

export function quote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function inList(column: string, values: string[]): string {
  return `${column} IN (${values.map(quote).join(", ")})`;
}

/** Rows whose `column` is one of `values`, asked 500 values at a time to keep each predicate small. */
export async function rowsWhereIn(
  table: Table,
  column: string,
  values: string[],
  columns: string[],
  options: { indexedOnly?: boolean } = {},
): Promise<Row[]> {
  const out: Row[] = [];
  for (let i = 0; i < values.length; i += 500) {
    const query = table
      .query()
      .where(inList(column, values.slice(i, i + 500)))
      .select(columns);
    // Only the rows the column's index covers: no scan of rows written since it was updated.
    out.push(...((await (options.indexedOnly ? query.fastSearch() : query).toArray()) as Row[]));
  }
  return out;
}

export function chunkSchema(dimensions: number): Schema {
  return new Schema([
    new Field("id", new Utf8(), false),
    new Field("doc_id", new Utf8(), false),
    new Field("source", new Utf8(), false),
    new Field("title", new Utf8(), true),
    new Field("text", new Utf8(), false),
    new Field("start_offset", new Int32(), false),
    new Field("end_offset", new Int32(), false),
    new Field("idx", new Int32(), false),
    new Field("metadata", new Utf8(), false),
    new Field("embed_hash", new Utf8(), false),
    new Field("terms", new Utf8(), false),
    new Field("vector", new FixedSizeList(dimensions, new Field("item", new Float32(), true)), false),
    // The document's metadata as labels for filtered search (lancedb-labels.ts).
    new Field("labels", new List(new Field("item", new Utf8(), true)), true),
  ]);
}

export function documentSchema(): Schema {
  return new Schema([
    new Field("id", new Utf8(), false),
    new Field("source", new Utf8(), false),
    new Field("title", new Utf8(), true),
    new Field("content_hash", new Utf8(), false),
    new Field("chunker_key", new Utf8(), false),
    new Field("metadata", new Utf8(), false),
    new Field("chunk_count", new Int32(), false),
    new Field("chars", new Int32(), false),
    new Field("updated_at", new Float64(), false),
    new Field("text", new Utf8(), false),
  ]);
}

/**
 * A query's rows as plain objects, read column by column from Arrow: on the search path this costs
 * ~0.8 ms less per 100 rows than `toArray()`, whose rows are proxies decoded field by field.
 */
export async function plainRows(query: { toArrow(): Promise<ArrowTable> }, columns: string[]): Promise<Row[]> {
  return arrowRows(await query.toArrow(), columns);
}

/** The rows of an Arrow table as plain objects with these columns. */
export function arrowRows(table: ArrowTable, columns: string[]): Row[] {
  const vectors = columns.map((name) => [name, table.getChild(name)] as const);
  const rows: Row[] = new Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const row: Row = {};
    for (const [name, vector] of vectors) row[name] = vector?.get(i) ?? null;
    rows[i] = row;
  }
  return rows;
}
