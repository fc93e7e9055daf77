import { describe, expect, it } from "vitest";
import { HashEmbedder } from "../scripts/scale/hash-embedder.js";
import { callerEmbedder } from "../src/embed/caller.js";
import { RagkitError } from "../src/errors.js";
import { Rag } from "../src/rag.js";
import { testEmbedder } from "./conformance/embedder.js";
import { tempDir } from "./helpers/fs.js";

/** What a user writes in a few lines: id, dimensions, and embed returning plain arrays of any length. */
function plainEmbedder(dimensions = 64, size = 3) {
  const words = new HashEmbedder(dimensions);
  return {
    id: `plain:${dimensions}`,
    dimensions,
    async embed(texts: string[]) {
      return (await words.embed(texts, "document")).map((v) => Array.from(v, (x) => x * size));
    },
  };
}

testEmbedder("a caller's own (id, dimensions, embed returning plain arrays, not unit length)", async () => callerEmbedder(plainEmbedder()));

describe("an embedder of the caller's own", () => {
  it("indexes and finds with only id, dimensions and embed; numbered documents keep their numbers as ids", async () => {
    const rag = await Rag.open({ dir: await tempDir(), embedder: plainEmbedder() });
    try {
      // More than one default batch (64), so batching without a declared batch size is exercised.
      const documents = Array.from({ length: 150 }, (_, i) => ({
        id: i,
        text: `record ${i} about ${i % 2 ? "ferries and islands" : "bread and ovens"}`,
      }));
      const report = await rag.ingest(documents as unknown as Parameters<Rag["ingest"]>[0]);
      expect(report).toMatchObject({ added: 150, failed: [] });
      expect((await rag.stats()).chunks).toBe(150);
      const [hit] = await rag.search("record 77 ferries islands", { mode: "dense", k: 1 });
      expect(hit?.chunk.documentId).toBe("77");
    } finally {
      await rag.close();
    }
  });

  it("vectors of the wrong size stop the ingest with EMBEDDING_FAILED and store nothing; a bad embedder is refused at open", async () => {
    const dir = await tempDir();
    const wrong = { id: "wrong", dimensions: 4, embed: async (texts: string[]) => texts.map(() => [1, 0, 0]) };
    const rag = await Rag.open({ dir, embedder: wrong });
    try {
      const error = await rag.ingest([{ id: "a", text: "hello there" }]).catch((e: unknown) => e);
      expect(RagkitError.isInstance(error) && error.code).toBe("EMBEDDING_FAILED");
      expect((error as Error).message).toMatch(/3 numbers .* not 4/);
      expect((await rag.stats()).documents).toBe(0);
    } finally {
      await rag.close();
    }
    const zeros = { id: "zeros", dimensions: 3, embed: async (texts: string[]) => texts.map(() => [0, 0, 0]) };
    const again = await Rag.open({ dir: await tempDir(), embedder: zeros });
    try {
      await expect(again.ingest([{ id: "a", text: "hello" }])).rejects.toThrow(/all zeros/);
    } finally {
      await again.close();
    }
    for (const bad of [
      { id: "", dimensions: 3, embed: wrong.embed },
      { id: "x", dimensions: 0, embed: wrong.embed },
      { id: "x", dimensions: 3 },
    ]) {
      const refused = await Rag.open({ dir: await tempDir(), embedder: bad as never }).catch((e: unknown) => e);
      expect(RagkitError.isInstance(refused) && refused.code).toBe("INVALID_ARGUMENT");
    }
  });
});
