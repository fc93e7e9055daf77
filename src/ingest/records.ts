import type { Chunker } from "../chunk/types.js";
import { type DocumentInput, givenId } from "../load/index.js";
import type { ChunkRecord, StoredDocument } from "../store/types.js";
import { analyze } from "../text/analyzer.js";
import { sha256 } from "../text/hash.js";
import type { Document } from "../types.js";

// Until embedding gives it one (a shared empty array: allocating one per chunk shows in profiles).
const NO_VECTOR = new Float32Array(0);

/**
 * A document's chunks as the store keeps them: with the analysed terms BM25 searches and the hash
 * (embedder id + embedded text) that lets an unchanged chunk keep its vector. Vectors come later.
 */
export function chunkRecords(chunker: Chunker, document: Document, embedderId: string): ChunkRecord[] {
  // Built field by field: spreading each chunk cost ~10 µs a record, a tenth of an ingest call's
  // own work on short documents. The store reads only these fields.
  return chunker.chunk(document).map((chunk) => {
    const context = chunk.contextText ?? chunk.text;
    const record: ChunkRecord = {
      id: chunk.id,
      documentId: chunk.documentId,
      text: chunk.text,
      start: chunk.start,
      end: chunk.end,
      index: chunk.index,
      metadata: chunk.metadata,
      source: document.source,
      embedHash: sha256(embedderId, context),
      terms: analyze(context).join(" "),
      vector: NO_VECTOR,
    };
    if (chunk.contextText !== undefined) record.contextText = chunk.contextText;
    if (document.title) record.title = document.title;
    return record;
  });
}

/** The document as a write stores it: its text and what the store keeps beside it. */
export function toStored(document: Document, chunkerKey: string, chunkCount: number): StoredDocument {
  const stored: StoredDocument = {
    id: document.id,
    source: document.source,
    contentHash: document.contentHash,
    chunkerKey,
    metadata: document.metadata,
    chunkCount,
    chars: document.text.length,
    updatedAt: Date.now(),
    text: document.text,
  };
  if (document.title) stored.title = document.title;
  return stored;
}

/** How a document given in memory is named in the report: the id, else the source. */
export function originOf(input: DocumentInput): string {
  const given = typeof input === "object" && input !== null ? givenId(input) || input.source : undefined;
  return typeof given === "string" && given ? given : "(a document with neither id nor source)";
}
