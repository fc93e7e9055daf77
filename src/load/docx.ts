import { RagkitError, toRagkitError } from "../errors.js";
import type { Document } from "../types.js";
import { makeDocument } from "./document.js";
import type { Loader, LoadOptions, SourceFile } from "./types.js";
import { checkZip } from "./zip-limits.js";

/** Word documents through mammoth's HTML, so headings, lists and tables keep their shape. */
export const docxLoader: Loader = {
  name: "docx",
  extensions: [".docx"],
  async *load(file: SourceFile, options: LoadOptions): AsyncIterable<Document> {
    checkZip(file.bytes, options.zip, file.path);
    const mammoth = (await import("mammoth")).default;
    let html: string;
    try {
      html = (await mammoth.convertToHtml({ buffer: file.bytes })).value;
    } catch (error) {
      throw toRagkitError(error, "PARSE_FAILED", `${file.path} could not be read as a .docx file`);
    }
    const { htmlToText } = await import("./html-text.js");
    const { text } = htmlToText(`<body>${html}</body>`);
    if (text.trim().length === 0) throw new RagkitError("EMPTY_DOCUMENT", `${file.path} has no text`);
    const title = /^# (.+)$/m.exec(text)?.[1];
    yield makeDocument({
      source: file.path,
      ...(title ? { title } : {}),
      text,
      metadata: { format: "docx", structure: "markdown" },
    });
  },
};
