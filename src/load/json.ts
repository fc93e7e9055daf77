import path from "node:path";
import { RagkitError } from "../errors.js";
import { shortId } from "../text/hash.js";
import type { Document, Metadata } from "../types.js";
import { decodeNonEmpty } from "./decode.js";
import { makeDocument } from "./document.js";
import type { JsonLoadOptions, Loader, SourceFile } from "./types.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Candidates are comma-separated: the first field present in a record wins. */
function pick(record: Json, fields: string): Json | undefined {
  if (record === null || typeof record !== "object" || Array.isArray(record)) return undefined;
  for (const field of fields
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean)) {
    let value: Json | undefined = record;
    for (const key of field.split(".")) {
      value = value !== null && typeof value === "object" && !Array.isArray(value) ? value[key] : undefined;
    }
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

function scalarMetadata(record: Json, skip: Set<string>): Metadata {
  const metadata: Metadata = {};
  if (record === null || typeof record !== "object" || Array.isArray(record)) return metadata;
  for (const [key, value] of Object.entries(record)) {
    if (skip.has(key)) continue;
    if (typeof value === "string") metadata[key] = value.length > 500 ? value.slice(0, 500) : value;
    else if (typeof value === "number" || typeof value === "boolean") metadata[key] = value;
  }
  return metadata;
}

function toDocument(record: Json, file: SourceFile, options: JsonLoadOptions, position: string, single: boolean): Document {
  const value = pick(record, options.textField);
  const text =
    typeof value === "string" ? value : Array.isArray(value) && value.every((v) => typeof v === "string") ? value.join("\n") : undefined;
  if (text === undefined) {
    throw new RagkitError(
      "MISSING_FIELD",
      `${file.path}${single ? "" : ` (${position})`} has no text field "${options.textField}"; set load.json.textField to the field that holds the text`,
    );
  }
  const id = pick(record, options.idField);
  const title = pick(record, options.titleField);
  const skip = new Set(
    [...options.textField.split(","), ...options.titleField.split(","), ...options.idField.split(",")].map((f) => f.trim()),
  );
  return makeDocument({
    id: typeof id === "string" || typeof id === "number" ? String(id) : single ? shortId(file.path) : shortId(`${file.path}#${position}`),
    source: file.path,
    ...(typeof title === "string" ? { title } : {}),
    text,
    metadata: { format: path.extname(file.path).slice(1).toLowerCase(), ...scalarMetadata(record, skip) },
  });
}

/**
 * `.json` (one object, or an array of objects) and `.jsonl` (one object per line): each object is
 * a document whose text is the configured field. Every record is checked before any is yielded,
 * so a file with a bad record changes nothing in the index.
 */
export const jsonLoader: Loader = {
  name: "json",
  extensions: [".json", ".jsonl", ".ndjson"],
  async *load(file: SourceFile, options): AsyncIterable<Document> {
    const { text } = decodeNonEmpty(file.bytes, file.path);
    const lines = path.extname(file.path).toLowerCase() !== ".json";
    const records: Array<[Json, string]> = [];
    if (lines) {
      text.split("\n").forEach((line, i) => {
        if (line.trim().length === 0) return;
        try {
          records.push([JSON.parse(line) as Json, `line ${i + 1}`]);
        } catch (error) {
          throw new RagkitError("PARSE_FAILED", `${file.path} line ${i + 1} is not valid JSON: ${(error as Error).message}`);
        }
      });
    } else {
      let parsed: Json;
      try {
        parsed = JSON.parse(text) as Json;
      } catch (error) {
        throw new RagkitError("PARSE_FAILED", `${file.path} is not valid JSON: ${(error as Error).message}`);
      }
      if (Array.isArray(parsed)) for (const [i, record] of parsed.entries()) records.push([record, `item ${i}`]);
      else records.push([parsed, "root"]);
    }
    const single = records.length === 1 && !lines;
    const documents = records.map(([record, position]) => toDocument(record, file, options.json, position, single));
    if (documents.length === 0) throw new RagkitError("EMPTY_DOCUMENT", `${file.path} has no records`);
    yield* documents;
  },
};
