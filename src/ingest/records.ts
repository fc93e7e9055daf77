import type { Chunker } from "../chunk/types.js";
import type { ChunkRecord } from "../store/types.js";
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
