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
