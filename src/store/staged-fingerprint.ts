import { sha256 } from "../text/hash.js";

/** The parts of a chunk that say which text it was cut from and what its vector was computed from. */
export interface ChunkShape {
  index: number;
  start: number;
  end: number;
  embedHash: string;
}

/**
 * One document's chunks as a single hash. A resumed reindex compares the chunks an interrupted run
 * staged with the chunks the document has now: an ingest between the two runs may have changed
 * its text, and staged chunks of an older version must not be swapped in.
 */
export function chunksFingerprint(chunks: ChunkShape[]): string {
  const ordered = [...chunks].sort((a, b) => a.index - b.index);
  return sha256(...ordered.map((c) => `${c.index}:${c.start}:${c.end}:${c.embedHash}`));
}

/** The fingerprint of each document's chunks, from staged chunk rows in any order. */
export function fingerprintsByDocument(chunks: Array<ChunkShape & { documentId: string }>): Map<string, string> {
  const byDocument = new Map<string, ChunkShape[]>();
  for (const chunk of chunks) {
    const shapes = byDocument.get(chunk.documentId);
    if (shapes) shapes.push(chunk);
    else byDocument.set(chunk.documentId, [chunk]);
  }
  return new Map([...byDocument].map(([id, shapes]) => [id, chunksFingerprint(shapes)]));
}
