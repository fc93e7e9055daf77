import type { Document } from "../types.js";
import { decodeNonEmpty } from "./decode.js";
import { makeDocument } from "./document.js";
import type { Loader, SourceFile } from "./types.js";

const MARKDOWN_TITLE = /^\s{0,3}#\s+(.+?)\s*#*\s*$/m;
const FRONT_MATTER_TITLE = /^---\r?\n[\s\S]*?^title:\s*["']?(.+?)["']?\s*$[\s\S]*?^---/m;

/** Plain text: the document text is the file's text, so citations point into the file. */
export const textLoader: Loader = {
  name: "text",
  extensions: [".txt", ".text", ".log", ".rst"],
  async *load(file: SourceFile): AsyncIterable<Document> {
    const { text, encoding } = decodeNonEmpty(file.bytes, file.path);
    yield makeDocument({ source: file.path, text, metadata: { format: "text", encoding } });
  },
};

/** Markdown stays Markdown: the markdown chunker uses its headings; the title is the first H1. */
export const markdownLoader: Loader = {
  name: "markdown",
  extensions: [".md", ".markdown", ".mdx"],
  async *load(file: SourceFile): AsyncIterable<Document> {
    const { text, encoding } = decodeNonEmpty(file.bytes, file.path);
    const title = FRONT_MATTER_TITLE.exec(text)?.[1] ?? MARKDOWN_TITLE.exec(text)?.[1];
    yield makeDocument({
      source: file.path,
      ...(title ? { title } : {}),
      text,
      metadata: { format: "markdown", structure: "markdown", encoding },
    });
  },
};
