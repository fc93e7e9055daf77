import path from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { describe, expect, it } from "vitest";
import { HashEmbedder } from "../scripts/scale/hash-embedder.js";
import { syntheticDocument } from "../scripts/scale/text.js";
import type { IngestProgress } from "../src/index.js";
import { Rag } from "../src/rag.js";
import { LanceDbStore } from "../src/store/lancedb.js";
import { tempDir } from "./helpers/fs.js";

const TOTAL = 8_000;
const EVERY = 3_000;

// A copy of document `of` (same title and text, so the same chunk hash) placed at `at`.
const copies = [
  { of: 100, at: 2_700 }, // both written before the first upkeep, into an empty index
  { of: 200, at: 3_600 }, // the original inside the indexes after the first upkeep
  { of: 3_400, at: 5_900 }, // both written between the first and the second upkeep
];

function corpus() {
  const docs = Array.from({ length: TOTAL }, (_, i) => syntheticDocument(i));
  for (const { of, at } of copies) docs[at] = { ...(docs[of] as (typeof docs)[0]), id: `copy-of-${of}`, source: `copy://${of}` };
  return docs;
}

describe("a long ingest call", () => {
  it("updates the indexes as it goes, stores every document once, and still finds the vectors it wrote for re-use", async () => {
    const store = await LanceDbStore.open({ dir: await tempDir(), dimensions: 64 });
    // Which upkeeps the call asked for, and how far it had written then.
    let written = 0;
    const asked: Array<{ background: boolean; written: number }> = [];
    const optimize = store.optimize.bind(store);
    store.optimize = (options = {}) => {
      asked.push({ background: options.background === true, written });
      return optimize(options);
    };
    const rag = await Rag.open({ store, embedder: new HashEmbedder(64), config: { store: { upkeepEveryChunks: EVERY } } });
    try {
      const seen: IngestProgress[] = [];
      const report = await rag.ingest(corpus(), {
        onProgress: (p) => {
          written = p.documentsWritten;
          seen.push({ ...p });
        },
      });
      // One chunk per document: each copy's vector was found, not embedded again.
      expect(report).toMatchObject({ added: TOTAL, failed: [], chunksReused: copies.length, chunksEmbedded: TOTAL - copies.length });
      // Upkeeps while it wrote, at least EVERY chunks apart (counted in whole commits of up to
      // 2,048 chunks), left to the background so the commits go on beside them; one more at the end.
      const during = asked.filter((a) => a.written < TOTAL);
      expect(during.length).toBeGreaterThanOrEqual(1);
      expect(during.length).toBeLessThanOrEqual(Math.floor(TOTAL / EVERY));
      expect(during.every((a) => a.background)).toBe(true);
      expect(seen.some((p) => p.phase === "index")).toBe(false);
      expect(seen.at(-1)?.phase).toBe("done");
      expect(await rag.stats()).toMatchObject({ documents: TOTAL, chunks: TOTAL });

      const again = await rag.ingest(corpus());
      expect(again).toMatchObject({ added: 0, updated: 0, unchanged: TOTAL, chunksEmbedded: 0 });
      const hits = await rag.search(corpus()[4_321]?.text ?? "", { k: 1, mode: "lexical" });
      expect(hits[0]?.chunk.documentId).toBe("doc-4321");
    } finally {
      await rag.close();
      await store.close();
    }
  }, 120_000);

  it("many small ingest calls still leave the index covered: the ANN index once past its size, few rows outside BM25's", async () => {
    const dir = await tempDir();
    const rag = await Rag.open({ dir, embedder: new HashEmbedder(64), config: { store: { annMinRows: 3_500 } } });
    try {
      // Four calls of 1,000: each one commit, too few versions for the periodic check to come round.
      for (let at = 0; at < 4_000; at += 1_000) await rag.ingest(Array.from({ length: 1_000 }, (_, i) => syntheticDocument(at + i)));
    } finally {
      await rag.close();
    }
    const db = await lancedb.connect(path.join(dir, "lance"));
    const chunks = await db.openTable("chunks");
    try {
      expect(await chunks.countRows()).toBe(4_000);
      expect((await chunks.listIndices()).some((index) => index.columns.includes("vector"))).toBe(true);
      expect((await chunks.indexStats("terms_idx"))?.numUnindexedRows).toBeLessThan(2_000);
    } finally {
      chunks.close();
      db.close();
    }
  }, 120_000);

  it("calls that follow each other write while the last one's upkeep runs, and lose, duplicate or re-embed nothing", async () => {
    const dir = await tempDir();
    const rag = await Rag.open({ dir, embedder: new HashEmbedder(64), config: { store: { annMinRows: 3_000 } } });
    const doc = (i: number) => syntheticDocument(i);
    try {
      const reports = [];
      for (let at = 0; at < 6_000; at += 2_000) reports.push(await rag.ingest(Array.from({ length: 2_000 }, (_, i) => doc(at + i))));
      // One more call: copies of texts the last call wrote (their vectors must be found, in the
      // indexes or among the rows its upkeep may not cover yet), new texts for 500 documents of the
      // first call (a replacement, which must wait for that upkeep), and enough new documents that
      // its own upkeep compacts.
      const copies = Array.from({ length: 300 }, (_, i) => ({ ...doc(4_000 + i), id: `copy-${i}`, source: `copy://${i}` }));
      const changed = Array.from({ length: 500 }, (_, i) => ({ ...doc(i), text: `${doc(i).text} Changed ${i} tidewater.` }));
      const fresh = Array.from({ length: 1_500 }, (_, i) => doc(6_000 + i));
      const last = await rag.ingest([...copies, ...changed, ...fresh]);
      expect(reports.map((r) => r.added)).toEqual([2_000, 2_000, 2_000]);
      expect(last).toMatchObject({ added: 1_800, updated: 500, failed: [], chunksReused: 300, chunksEmbedded: 2_000 });
      // Searched at once, before any upkeep is known to be over: every row is there.
      const hits = await rag.search("Changed 321 tidewater", { k: 1, mode: "lexical" });
      expect(hits[0]?.chunk.documentId).toBe(doc(321).id);
    } finally {
      await rag.close();
    }
    // close() waited for the last upkeep: the indexes cover every row.
    const db = await lancedb.connect(path.join(dir, "lance"));
    const chunks = await db.openTable("chunks");
    try {
      const ids = ((await chunks.query().select(["id"]).toArray()) as Array<{ id: string }>).map((row) => row.id);
      expect(new Set(ids).size).toBe(7_800);
      expect(ids.length).toBe(7_800);
      for (const index of ["terms_idx", "vector_idx", "embed_hash_idx"]) expect((await chunks.indexStats(index))?.numUnindexedRows).toBe(0);
    } finally {
      chunks.close();
      db.close();
    }
  }, 120_000);
});
