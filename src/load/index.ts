import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { RagkitError, toRagkitError } from "../errors.js";
import type { Document } from "../types.js";
import { csvLoader } from "./csv.js";
import { docxLoader } from "./docx.js";
import { htmlLoader } from "./html.js";
import { jsonLoader } from "./json.js";
import { pdfLoader } from "./pdf.js";
import { markdownLoader, textLoader } from "./text.js";
import type { Loader, LoadOptions } from "./types.js";

export { type DocumentInput, givenId, makeDocument } from "./document.js";
export type { Loader, LoadOptions, SourceFile } from "./types.js";

export const LOADERS: readonly Loader[] = [textLoader, markdownLoader, htmlLoader, pdfLoader, docxLoader, jsonLoader, csvLoader];

const BY_EXTENSION = new Map<string, Loader>(LOADERS.flatMap((loader) => loader.extensions.map((ext) => [ext, loader] as const)));

export function loaderFor(file: string): Loader | undefined {
  return BY_EXTENSION.get(path.extname(file).toLowerCase());
}

export function supportedExtensions(): string[] {
  return [...BY_EXTENSION.keys()];
}

/** Reads one file and returns its documents, or throws a RagkitError that says what is wrong. */
export async function loadFile(file: string, options: LoadOptions): Promise<Document[]> {
  const absolute = path.resolve(file);
  const loader = loaderFor(absolute);
  if (!loader) {
    throw new RagkitError(
      "UNSUPPORTED_FORMAT",
      `${absolute}: no loader for "${path.extname(absolute) || "(no extension)"}"; supported: ${supportedExtensions().join(" ")}`,
    );
  }
  let bytes: Buffer;
  try {
    const info = await stat(absolute);
    if (!info.isFile()) throw new RagkitError("READ_FAILED", `${absolute} is not a regular file`);
    if (info.size > options.maxBytes) {
      throw new RagkitError(
        "FILE_TOO_LARGE",
        `${absolute} is ${(info.size / 1e6).toFixed(1)} MB, over the ${(options.maxBytes / 1e6).toFixed(1)} MB limit; raise load.maxBytes (RAGKIT_LOAD_MAX_BYTES) to index it`,
      );
    }
    bytes = await readFile(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new RagkitError("FILE_NOT_FOUND", `${absolute} does not exist (removed while ingesting?)`, { cause: error });
    }
    throw toRagkitError(error, "READ_FAILED", `${absolute} could not be read`);
  }
  const documents: Document[] = [];
  try {
    for await (const document of loader.load({ path: absolute, bytes }, options)) {
      if (document.text.length > options.maxChars) {
        throw new RagkitError(
          "FILE_TOO_LARGE",
          `${absolute} holds a document of ${document.text.length} characters, over the ${options.maxChars} limit; raise load.maxChars to index it`,
        );
      }
      documents.push(document);
    }
  } catch (error) {
    throw toRagkitError(error, "PARSE_FAILED", `${absolute} could not be parsed`);
  }
  return documents;
}
