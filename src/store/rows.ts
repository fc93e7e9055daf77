import type { Metadata, StoredChunk } from "../types.js";
import type { ChunkRecord, DocumentSummary, StoredDocument } from "./types.js";

/**
 * Rows of the documents and chunks tables as every store keeps them. Column names are snake_case
 * because SQL folds unquoted identifiers to lower case; metadata is JSON text.
 */

export type Row = Record<string, unknown>;

export const CHUNK_COLUMNS = ["id", "doc_id", "source", "title", "text", "start_offset", "end_offset", "idx", "metadata"];
export const SUMMARY_COLUMNS = ["id", "source", "title", "content_hash", "chunker_key", "metadata", "chunk_count", "chars", "updated_at"];

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
    vector: chunk.vector,
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

/** A chunk row with its vector, embed hash and terms (the vector as numbers, whatever the store's type). */
export function rowToRecord(row: Row, vector: Float32Array): ChunkRecord {
  return { ...rowToChunk(row), embedHash: row.embed_hash as string, terms: row.terms as string, vector };
}
