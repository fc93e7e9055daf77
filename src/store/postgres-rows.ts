import { indexedTokens } from "./postgres-bm25.js";
import type { Db } from "./postgres-schema.js";
import { CHUNK_COLUMNS, SUMMARY_COLUMNS } from "./rows.js";
import type { ChunkRecord, StoredDocument } from "./types.js";

// Metadata is jsonb in Postgres and JSON text everywhere else: selected as text, the shared row
// mappers read both stores alike.
const asText = (column: string) => (column === "metadata" ? "metadata::text AS metadata" : column);
export const PG_CHUNK_COLUMNS = CHUNK_COLUMNS.map(asText).join(", ");
export const PG_SUMMARY_COLUMNS = SUMMARY_COLUMNS.map(asText).join(", ");

// Postgres text cannot hold U+0000; U+FFFD has the same length, so every offset stays exact.
const clean = (value: string) => (value.includes("\u0000") ? value.replaceAll("\u0000", "\uFFFD") : value);

export function vectorLiteral(vector: Float32Array | number[]): string {
  return `[${Array.from(vector).join(",")}]`;
}

/** pgvector's text form back to numbers. */
export function parseVector(value: string): Float32Array {
  return Float32Array.from(JSON.parse(value) as number[]);
}

/** The chunks, in one statement (so one atomic step even outside a transaction). */
export async function insertChunks(db: Db, table: string, chunks: ChunkRecord[]): Promise<void> {
  if (chunks.length === 0) return;
  await db.query(
    `INSERT INTO ${table} (id, doc_id, source, title, text, start_offset, end_offset, idx, metadata, embed_hash, terms, length, vector)
     SELECT id, doc_id, source, title, text, s, e, i, m::jsonb, h, t, l, v::vector
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::int[], $9::text[],
                 $10::text[], $11::text[], $12::int[], $13::text[]) AS x(id, doc_id, source, title, text, s, e, i, m, h, t, l, v)`,
    [
      chunks.map((c) => c.id),
      chunks.map((c) => c.documentId),
      chunks.map((c) => clean(c.source)),
      chunks.map((c) => (c.title === undefined ? null : clean(c.title))),
      chunks.map((c) => clean(c.text)),
      chunks.map((c) => c.start),
      chunks.map((c) => c.end),
      chunks.map((c) => c.index),
      chunks.map((c) => clean(JSON.stringify(c.metadata))),
      chunks.map((c) => c.embedHash),
      chunks.map((c) => clean(c.terms)),
      chunks.map((c) => indexedTokens(c.terms).length),
      chunks.map((c) => vectorLiteral(c.vector)),
    ],
  );
}

/** Inserts or replaces these document rows. */
export async function upsertDocuments(db: Db, table: string, documents: StoredDocument[]): Promise<void> {
  if (documents.length === 0) return;
  const columns = ["source", "title", "content_hash", "chunker_key", "metadata", "chunk_count", "chars", "updated_at", "text"];
  await db.query(
    `INSERT INTO ${table} (id, ${columns.join(", ")})
     SELECT id, source, title, h, k, m::jsonb, cc, ch, u, t
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::float8[], $10::text[])
       AS x(id, source, title, h, k, m, cc, ch, u, t)
     ON CONFLICT (id) DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(", ")}`,
    [
      documents.map((d) => d.id),
      documents.map((d) => clean(d.source)),
      documents.map((d) => (d.title === undefined ? null : clean(d.title))),
      documents.map((d) => d.contentHash),
      documents.map((d) => d.chunkerKey),
      documents.map((d) => clean(JSON.stringify(d.metadata))),
      documents.map((d) => d.chunkCount),
      documents.map((d) => d.chars),
      documents.map((d) => d.updatedAt),
      documents.map((d) => clean(d.text)),
    ],
  );
}
