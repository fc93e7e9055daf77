import path from "node:path";
import { RagkitError, toRagkitError } from "../errors.js";
import { shortId } from "../text/hash.js";
import type { Document } from "../types.js";
import { decodeNonEmpty } from "./decode.js";
import { makeDocument } from "./document.js";
import type { Loader, SourceFile } from "./types.js";

interface ParsedRow {
  record: string[];
  raw: string;
  info: { lines: number };
}

/**
 * By default a CSV file is one document whose text is the file itself, chunked at row
 * boundaries, with the header row in front of every chunk for context. With
 * `csv.rowPerDocument` each row is a document (its raw text), with the columns as metadata.
 */
export const csvLoader: Loader = {
  name: "csv",
  extensions: [".csv", ".tsv"],
  async *load(file: SourceFile, options): AsyncIterable<Document> {
    const { text, encoding } = decodeNonEmpty(file.bytes, file.path);
    const delimiter = path.extname(file.path).toLowerCase() === ".tsv" ? "\t" : ",";
    const { parse } = await import("csv-parse/sync");
    let rows: ParsedRow[];
    try {
      rows = parse(text, { delimiter, raw: true, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as ParsedRow[];
    } catch (error) {
      throw toRagkitError(error, "PARSE_FAILED", `${file.path} is not valid CSV`);
    }
    const [head, ...body] = rows;
    if (!head || body.length === 0) throw new RagkitError("EMPTY_DOCUMENT", `${file.path} has no data rows`);
    const header = head.record.join(delimiter === "\t" ? "\t" : ", ");
    const title = path.basename(file.path);
    if (!options.csv.rowPerDocument) {
      yield makeDocument({ source: file.path, title, text, metadata: { format: "csv", encoding, header, rows: body.length } });
      return;
    }
    for (const row of body) {
      const metadata: Record<string, string> = {};
      head.record.forEach((column, i) => {
        const value = row.record[i];
        if (column && value !== undefined && value.length <= 500) metadata[column] = value;
      });
      const rowText = row.raw.replace(/\r?\n$/, "");
      if (rowText.trim().length === 0) continue;
      yield makeDocument({
        id: shortId(`${file.path}#row${row.info.lines}`),
        source: file.path,
        title,
        text: rowText,
        metadata: { format: "csv", header, line: row.info.lines, ...metadata },
      });
    }
  },
};
