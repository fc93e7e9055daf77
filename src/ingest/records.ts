import type { Chunker } from "../chunk/types.js";
import { type DocumentInput, givenId } from "../load/index.js";
import type { ChunkRecord, DocumentSummary } from "../store/types.js";
import { analyze } from "../text/analyzer.js";
import { sha256 } from "../text/hash.js";
import type { Document } from "../types.js";

/**
 * A document's chunks as the store keeps them: with the analysed terms BM25 searches and the hash
 * (embedder id + embedded text) that lets an unchanged chunk keep its vector. Vectors come later.
 */
export function chunkRecords(chunker: Chunker, document: Document, embedderId: string): ChunkRecord[] {
  return chunker.chunk(document).map((chunk) => {
    const context = chunk.contextText ?? chunk.text;
    return {
      ...chunk,
      source: document.source,
      ...(document.title ? { title: document.title } : {}),
      embedHash: sha256(embedderId, context),
      terms: analyze(context).join(" "),
      vector: new Float32Array(0),
    };
  });
}

/** What the store keeps about a document beside its text and chunks. */
export function toSummary(document: Document, chunkerKey: string, chunkCount: number): DocumentSummary {
  return {
    id: document.id,
    source: document.source,
    ...(document.title ? { title: document.title } : {}),
    contentHash: document.contentHash,
    chunkerKey,
    metadata: document.metadata,
    chunkCount,
    chars: document.text.length,
    updatedAt: Date.now(),
  };
}

/** How a document given in memory is named in the report: the id, else the source. */
export function originOf(input: DocumentInput): string {
  const given = typeof input === "object" && input !== null ? givenId(input) || input.source : undefined;
  return typeof given === "string" && given ? given : "(a document with neither id nor source)";
}
