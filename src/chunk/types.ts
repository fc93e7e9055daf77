import type { Chunk, Document } from "../types.js";

export interface ChunkerOptions {
  /** Most tokens in a chunk (o200k tokenizer). */
  size: number;
  /** Tokens repeated from the end of one chunk at the start of the next. */
  overlap: number;
}

export interface Chunker {
  /** Changes whenever the output for the same document would change; stored per document. */
  readonly key: string;
  chunk(document: Document): Chunk[];
}
