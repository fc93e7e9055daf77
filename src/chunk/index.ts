import type { Document } from "../types.js";
import { MarkdownChunker } from "./markdown.js";
import { RecursiveChunker } from "./recursive.js";
import type { Chunker, ChunkerOptions } from "./types.js";

export { MarkdownChunker } from "./markdown.js";
export { RecursiveChunker } from "./recursive.js";
export type { Chunker, ChunkerOptions } from "./types.js";

/** Markdown-aware for documents with Markdown structure (md files, HTML and docx rendered as md). */
export class AutoChunker implements Chunker {
  readonly key: string;
  private readonly markdown: MarkdownChunker;
  private readonly recursive: RecursiveChunker;

  constructor(options: ChunkerOptions) {
    this.markdown = new MarkdownChunker(options);
    this.recursive = new RecursiveChunker(options);
    this.key = `auto(${this.markdown.key},${this.recursive.key})`;
  }

  chunk(document: Document) {
    return document.metadata.structure === "markdown" ? this.markdown.chunk(document) : this.recursive.chunk(document);
  }
}

/**
 * Chunks cut to what the embedder reads: with a model that brings its tokenizer (MiniLM reads 256
 * word pieces), sizes are counted in its tokens and capped below its limit, leaving room for the
 * special tokens and the heading prefix a chunk carries.
 */
export function chunkerFor(
  chunk: { size: number; overlap: number },
  embedder: { tokenizer?: { id: string; maxTokens: number; count(text: string): number } },
): Chunker {
  const tokenizer = embedder.tokenizer;
  if (!tokenizer) return new AutoChunker(chunk);
  const size = Math.min(chunk.size, Math.floor(tokenizer.maxTokens * 0.85));
  const options: ChunkerOptions = {
    size,
    overlap: Math.min(chunk.overlap, Math.floor(size / 4)),
    tokenizer: { id: tokenizer.id, count: tokenizer.count },
  };
  return new AutoChunker(options);
}
