import type { Document } from "../types.js";
import type { ZipLimits } from "./zip-limits.js";

export interface JsonLoadOptions {
  /** Field holding the text; dotted paths reach into nested objects. */
  textField: string;
  titleField: string;
  /** Field whose value becomes the document id (otherwise the path and position). */
  idField: string;
}

export interface CsvLoadOptions {
  /** One document per row instead of one per file. */
  rowPerDocument: boolean;
}

export interface LoadOptions {
  /** Files larger than this are reported as FILE_TOO_LARGE and skipped. */
  maxBytes: number;
  /** Documents longer than this (in characters, once loaded) are reported as FILE_TOO_LARGE. */
  maxChars: number;
  zip: ZipLimits;
  /** What a PDF's compressed streams may inflate to. */
  pdf: { maxInflatedBytes: number };
  json: JsonLoadOptions;
  csv: CsvLoadOptions;
}

/** A file read into memory (bounded by `maxBytes`) with its absolute path. */
export interface SourceFile {
  path: string;
  bytes: Buffer;
}

export interface Loader {
  readonly name: string;
  /** Lower-case extensions with the dot, e.g. ".md". */
  readonly extensions: readonly string[];
  load(file: SourceFile, options: LoadOptions): AsyncIterable<Document>;
}
