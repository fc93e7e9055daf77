import path from "node:path";
import * as lancedb from "@lancedb/lancedb";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toArrowTable } from "../src/store/lancedb-arrow.js";
import { chunkSchema, documentSchema } from "../src/store/lancedb-rows.js";
import type { Row } from "../src/store/rows.js";
import { tempDir } from "./helpers/fs.js";

const DIMENSIONS = 4;
// Any Unicode, astral characters and empty strings included: the column is built from byte offsets.
const text = fc.string({ unit: "grapheme", maxLength: 40 });
const chunkRow = fc.record({
  id: text,
  doc_id: text,
  source: text,
  title: fc.option(text, { nil: null }),
  text,
  start_offset: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  end_offset: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  idx: fc.integer({ min: 0, max: 10_000 }),
  metadata: text,
  embed_hash: text,
  terms: text,
  vector: fc
    .array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: DIMENSIONS, maxLength: DIMENSIONS })
    .map((xs) => Float32Array.from(xs)),
  labels: fc.option(fc.array(text, { maxLength: 4 }), { nil: null }),
});

describe("rows written as Arrow tables built column by column", () => {
  it("read back from LanceDB exactly as given: strings, nulls, integers, vectors and label lists", async () => {
    const db = await lancedb.connect(path.join(await tempDir(), "lance"));
    const chunks = await db.createEmptyTable("chunks", chunkSchema(DIMENSIONS));
    await fc.assert(
      fc.asyncProperty(fc.array(chunkRow, { minLength: 1, maxLength: 20 }), async (rows: Row[]) => {
        await chunks.delete("true");
        await chunks.add(await toArrowTable(chunks, rows));
        const table = await chunks.query().toArrow();
        expect(table.numRows).toBe(rows.length);
        for (const [i, row] of rows.entries()) {
          const back = table.get(i)?.toJSON() as Row;
          for (const key of [
            "id",
            "doc_id",
            "source",
            "title",
            "text",
            "start_offset",
            "end_offset",
            "idx",
            "metadata",
            "embed_hash",
            "terms",
          ])
            expect(back[key], key).toEqual(row[key]);
          expect(Array.from((back.vector as { toArray(): Float32Array }).toArray())).toEqual(Array.from(row.vector as Float32Array));
          const labels = back.labels as { toArray(): string[] } | null;
          expect(labels ? Array.from(labels.toArray()) : null).toEqual(row.labels);
        }
      }),
      { numRuns: 25 },
    );
    const documents = await db.createEmptyTable("documents", documentSchema());
    const doc = {
      id: "d",
      source: "s",
      title: null,
      content_hash: "h",
      chunker_key: "k",
      metadata: "{}",
      chunk_count: 2,
      chars: 9,
      updated_at: 1.5,
      text: "naïve 🎉",
    };
    await documents.add(await toArrowTable(documents, [doc]));
    expect((await documents.query().toArray())[0]).toMatchObject(doc);
  });

  it("refuses a vector of the wrong length instead of shifting every row after it", async () => {
    const db = await lancedb.connect(path.join(await tempDir(), "lance"));
    const chunks = await db.createEmptyTable("chunks", chunkSchema(DIMENSIONS));
    const row = {
      id: "a",
      doc_id: "d",
      source: "s",
      title: null,
      text: "t",
      start_offset: 0,
      end_offset: 1,
      idx: 0,
      metadata: "{}",
      embed_hash: "e",
      terms: "t",
      labels: [],
    };
    await expect(toArrowTable(chunks, [{ ...row, vector: new Float32Array(3) }])).rejects.toThrow(/3 numbers for a column of 4/);
  });
});
