import type { Table } from "@lancedb/lancedb";
import { Field, FixedSizeList, Float32, Float64, Int32, Schema, Utf8 } from "apache-arrow";
import type { Metadata, StoredChunk } from "../types.js";
import type { ChunkRecord, DocumentSummary, StoredDocument } from "./types.js";

/** LanceDB rows of the two tables, and the SQL predicates over them. */

// Column names are snake_case because LanceDB's SQL folds unquoted identifiers to lower case.
export const CHUNK_COLUMNS = ["id", "doc_id", "source", "title", "text", "start_offset", "end_offset", "idx", "metadata"];
export const SUMMARY_COLUMNS = ["id", "source", "title", "content_hash", "chunker_key", "metadata", "chunk_count", "chars", "updated_at"];

export function quote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function inList(column: string, values: string[]): string {
  return `${column} IN (${values.map(quote).join(", ")})`;
}

/** Rows whose `column` is one of `values`, asked 500 values at a time to keep each predicate small. */
export async function rowsWhereIn(table: Table, column: string, values: string[], columns: string[]): Promise<Row[]> {
  const out: Row[] = [];
  for (let i = 0; i < values.length; i += 500) {
    out.push(
      ...((await table
        .query()
        .where(inList(column, values.slice(i, i + 500)))
        .select(columns)
        .toArray()) as Row[]),
    );
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

export type Row = Record<string, unknown>;

export function rowToChunk(row: Row): StoredChunk {
  const title = row.title as string | null;
  return {
    id: row.id as string,
    documentId: row.doc_id as string,
    source: row.source as string,
    ...(title ? { title } : {}),
    text: row.text as string,
    start: row.start_offset as number,
    end: row.end_offset as number,
    index: row.idx as number,
    metadata: JSON.parse(row.metadata as string) as Metadata,
  };
}

export function rowToSummary(row: Row): DocumentSummary {
  const title = row.title as string | null;
  return {
    id: row.id as string,
    source: row.source as string,
    ...(title ? { title } : {}),
    contentHash: row.content_hash as string,
    chunkerKey: row.chunker_key as string,
    metadata: JSON.parse(row.metadata as string) as Metadata,
    chunkCount: row.chunk_count as number,
    chars: row.chars as number,
    updatedAt: row.updated_at as number,
  };
}

export function chunkToRow(chunk: ChunkRecord): Row {
  return {
    id: chunk.id,
    doc_id: chunk.documentId,
    source: chunk.source,
    title: chunk.title ?? null,
    text: chunk.text,
    start_offset: chunk.start,
    end_offset: chunk.end,
    idx: chunk.index,
    metadata: JSON.stringify(chunk.metadata),
    embed_hash: chunk.embedHash,
    terms: chunk.terms,
    vector: Array.from(chunk.vector),
  };
}

export function documentToRow(doc: StoredDocument): Row {
  return {
    id: doc.id,
    source: doc.source,
    title: doc.title ?? null,
    content_hash: doc.contentHash,
    chunker_key: doc.chunkerKey,
    metadata: JSON.stringify(doc.metadata),
    chunk_count: doc.chunkCount,
    chars: doc.chars,
    updated_at: doc.updatedAt,
    text: doc.text,
  };
}
