import type { Chunk, Document, Metadata } from "../types.js";
import { contextPrefix } from "./recursive.js";
import { chunkRange } from "./split.js";
import type { Chunker, ChunkerOptions } from "./types.js";

interface Section {
  start: number;
  end: number;
  headings: string[];
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Sections between ATX headings, each with the path of headings above it; code fences are skipped. */
export function markdownSections(text: string): Section[] {
  const sections: Section[] = [];
  const path: Array<{ level: number; title: string }> = [];
  let sectionStart = 0;
  let headings: string[] = [];
  let fence: string | undefined;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf("\n", lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      const marker = (fenceMatch[1] as string)[0] as string;
      if (fence === undefined) fence = marker;
      else if (fence === marker) fence = undefined;
    } else if (fence === undefined) {
      const heading = HEADING.exec(line);
      if (heading) {
        if (lineStart > sectionStart) sections.push({ start: sectionStart, end: lineStart, headings });
        const level = (heading[1] as string).length;
        while (path.length > 0 && (path[path.length - 1] as { level: number }).level >= level) path.pop();
        path.push({ level, title: (heading[2] as string).trim() });
        headings = path.map((h) => h.title);
        sectionStart = lineStart;
      }
    }
    lineStart = lineEnd + 1;
  }
  if (text.length > sectionStart) sections.push({ start: sectionStart, end: text.length, headings });
  return sections;
}

/**
 * Chunks never cross a heading; each chunk carries its heading path in `metadata.headings` and in
 * front of the text the embedder and BM25 see ("Guide > Install > Linux").
 */
export class MarkdownChunker implements Chunker {
  readonly key: string;

  constructor(private readonly options: ChunkerOptions) {
    this.key = `markdown-v1:${options.size}:${options.overlap}${options.tokenizer ? `@${options.tokenizer.id}` : ""}`;
  }

  chunk(document: Document): Chunk[] {
    const chunks: Chunk[] = [];
    for (const section of markdownSections(document.text)) {
      const prefix = contextPrefix([document.title, ...section.headings]);
      const metadata: Metadata = section.headings.length > 0 ? { headings: section.headings } : {};
      chunks.push(...chunkRange(document, section, chunks.length, this.options, { prefix, metadata }));
    }
    return chunks;
  }
}
