import { describe, expect, it } from "vitest";
import { BundledEmbedder } from "../src/embed/bundled.js";

describe("embedding worker pool", () => {
  it("a query goes ahead of queued document batches, so a search is not starved by a large embedding job", async () => {
    const embedder = new BundledEmbedder({ workers: 1 });
    try {
      await embedder.embed(["warm up"], "query");
      const order: string[] = [];
      const batch = Array.from({ length: 16 }, (_, i) => `document text number ${i} about harbours and ferries`);
      const documents = Array.from({ length: 6 }, (_, i) => embedder.embed(batch, "document").then(() => order.push(`doc${i}`)));
      const query = embedder.embed(["where do ferries leave?"], "query").then(() => order.push("query"));
      await Promise.all([...documents, query]);
      // Only the batch already running when the query arrived finishes before it.
      expect(order.indexOf("query")).toBeLessThanOrEqual(1);
      expect(order.filter((o) => o !== "query")).toEqual(["doc0", "doc1", "doc2", "doc3", "doc4", "doc5"]);
    } finally {
      await embedder.close();
    }
  });
});
