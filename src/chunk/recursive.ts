import type { Chunk, Document } from "../types.js";
import { chunkRange } from "./split.js";
import type { Chunker, ChunkerOptions } from "./types.js";

/** Prefix that tells the embedder and BM25 what a chunk is part of. */
export function contextPrefix(parts: Array<string | undefined>): string {
  const kept: string[] = [];
  for (const part of parts) {
    const trimmed = part?.trim();
    // A Markdown title is usually also the first heading: say it once.
    if (trimmed && trimmed !== kept[kept.length - 1]) kept.push(trimmed);
  }
  return kept.length > 0 ? `${kept.join(" > ")}\n\n` : "";
}

/** Splits at paragraphs, then lines, sentences and words, so chunks break at natural boundaries. */
export class RecursiveChunker implements Chunker {
  readonly key: string;

  constructor(private readonly options: ChunkerOptions) {
    this.key = `recursive-v1:${options.size}:${options.overlap}${options.tokenizer ? `@${options.tokenizer.id}` : ""}`;
  }

  chunk(document: Document): Chunk[] {
    const header = document.metadata.header;
    // A CSV chunk without its header row is a list of values with no names.
    const prefix = contextPrefix([document.title, typeof header === "string" ? header : undefined]);
    return chunkRange(document, { start: 0, end: document.text.length }, 0, this.options, { prefix, metadata: {} });
  }
}
