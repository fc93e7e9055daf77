import path from "node:path";
import { describe, expect, it } from "vitest";
import { HashEmbedder } from "../scripts/scale/hash-embedder.js";
import { Rag } from "../src/rag.js";
import { tempDir } from "./helpers/fs.js";

// 1,100 documents in group "a" and 100 in group "b": a broad filter and a narrow one must both
// return only allowed documents, and the best of them.
async function groupedIndex(): Promise<Rag> {
  const rag = await Rag.open({ dir: path.join(await tempDir(), "index"), embedder: new HashEmbedder(64) });
  const documents = [
    ...Array.from({ length: 1100 }, (_, i) => ({
      id: `a${i}`,
      source: `mem://a${i}`,
      text: `zebra note ${i} ${i % 7 === 0 ? "lighthouse" : "harbour"}`,
      metadata: { group: "a" },
    })),
    ...Array.from({ length: 100 }, (_, i) => ({
      id: `b${i}`,
      source: `mem://b${i}`,
      text: `zebra memo ${i} lighthouse keeper`,
      metadata: { group: "b" },
    })),
  ];
  await rag.ingest(documents);
  return rag;
}

describe("filters on many documents", () => {
  it("a broad filter returns only allowed documents and the best of them; a narrow one too; when nothing allowed matches, nothing is returned", async () => {
    const rag = await groupedIndex();
    try {
      for (const mode of ["lexical", "dense", "hybrid"] as const) {
        const hits = await rag.search("lighthouse keeper", { k: 10, mode, filter: { metadata: { group: "a" } } });
        expect(hits, mode).toHaveLength(10);
        for (const h of hits) expect(h.chunk.documentId.startsWith("a"), mode).toBe(true);
        if (mode === "lexical") for (const h of hits) expect(h.chunk.text).toContain("lighthouse");
        const narrow = await rag.search("lighthouse keeper", { k: 10, mode, filter: { metadata: { group: "b" } } });
        for (const h of narrow) expect(h.chunk.documentId.startsWith("b"), mode).toBe(true);
      }
      // Only group b holds "memo": group a's lexical candidates are empty, dense still finds a's.
      const none = await rag.search("memo", { k: 5, mode: "lexical", filter: { metadata: { group: "a" } } });
      expect(none).toEqual([]);
      const dense = await rag.search("memo", { k: 5, mode: "dense", filter: { metadata: { group: "a" } } });
      expect(dense).toHaveLength(5);
      for (const h of dense) expect(h.chunk.documentId.startsWith("a")).toBe(true);
    } finally {
      await rag.close();
    }
  }, 120_000);
});
