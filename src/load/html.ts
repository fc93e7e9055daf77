import { RagkitError } from "../errors.js";
import type { Document } from "../types.js";
import { decodeText } from "./decode.js";
import { makeDocument } from "./document.js";
import type { Loader, SourceFile } from "./types.js";

export const htmlLoader: Loader = {
  name: "html",
  extensions: [".html", ".htm", ".xhtml"],
  async *load(file: SourceFile): AsyncIterable<Document> {
    const { text: html, encoding } = decodeText(file.bytes, file.path);
    // cheerio loads with the first HTML file, not with every process that might read one.
    const { htmlToText } = await import("./html-text.js");
    let page: ReturnType<typeof htmlToText>;
    try {
      page = htmlToText(html);
    } catch (error) {
      if (RagkitError.isInstance(error)) throw new RagkitError(error.code, `${file.path}: ${error.message}`, { cause: error });
      throw error;
    }
    const { title, text } = page;
    if (text.trim().length === 0) throw new RagkitError("EMPTY_DOCUMENT", `${file.path} has no readable text`);
    yield makeDocument({
      source: file.path,
      ...(title ? { title } : {}),
      text,
      metadata: { format: "html", structure: "markdown", encoding },
    });
  },
};
