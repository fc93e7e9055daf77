import { RagkitError, toRagkitError } from "../errors.js";
import type { Document } from "../types.js";
import { makeDocument } from "./document.js";
import { checkPdfStreams } from "./pdf-limits.js";
import type { Loader, LoadOptions, SourceFile } from "./types.js";

type Unpdf = typeof import("unpdf");

/** The text layer, page by page; `metadata.pageStarts[i]` is where page i+1 begins in the text. */
export const pdfLoader: Loader = {
  name: "pdf",
  extensions: [".pdf"],
  async *load(file: SourceFile, options: LoadOptions): AsyncIterable<Document> {
    checkPdfStreams(file.bytes, options.pdf.maxInflatedBytes, file.path);
    // pdf.js is large: load it only when a PDF shows up.
    const unpdf: Unpdf = await import("unpdf");
    let pages: string[];
    let title: string | undefined;
    try {
      // Errors only: pdf.js prints repair notes ("Indexing all PDF objects") itself, which a user
      // would read as ragkit's; a PDF it cannot read is reported as PARSE_FAILED.
      const pdf = await unpdf.getDocumentProxy(new Uint8Array(file.bytes), { verbosity: 0 });
      pages = (await unpdf.extractText(pdf, { mergePages: false })).text;
      const meta = await unpdf.getMeta(pdf).catch(() => undefined);
      const metaTitle = meta?.info?.Title;
      title = typeof metaTitle === "string" && metaTitle.trim() ? metaTitle.trim() : undefined;
      await pdf.destroy();
    } catch (error) {
      throw toRagkitError(error, "PARSE_FAILED", `${file.path} could not be read as a PDF`);
    }
    const pageStarts: number[] = [];
    let text = "";
    for (const page of pages) {
      if (text.length > 0) text += "\n\n";
      pageStarts.push(text.length);
      text += page.trim();
    }
    if (text.trim().length === 0) {
      throw new RagkitError("EMPTY_DOCUMENT", `${file.path} has no text layer (a scan?); run OCR on it first`);
    }
    yield makeDocument({
      source: file.path,
      ...(title ? { title } : {}),
      text,
      metadata: { format: "pdf", pages: pages.length, pageStarts },
    });
  },
};
