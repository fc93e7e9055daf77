import type { Chunk, Document } from "../types.js";

/** The embedding model's own tokenizer, so chunks are cut to what the model reads. */
export interface ChunkTokenizer {
  /** Part of the chunker key: another tokenizer means other chunks. */
  id: string;
  count(text: string): number;
}

export interface ChunkerOptions {
  /** Most tokens in a chunk (o200k tokenizer, or `tokenizer` when given). */
  size: number;
  /** Tokens repeated from the end of one chunk at the start of the next. */
  overlap: number;
  tokenizer?: ChunkTokenizer;
}

export interface Chunker {
  /** Changes whenever the output for the same document would change; stored per document. */
  readonly key: string;
  chunk(document: Document): Chunk[];
}
