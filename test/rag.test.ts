import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BundledEmbedder } from "../src/embed/bundled.js";
import type { Embedder } from "../src/embed/types.js";
import { RagkitError } from "../src/errors.js";
import { Rag } from "../src/rag.js";
import { tempDir } from "./helpers/fs.js";

const FILES: Record<string, string> = {
  "keys.md":
    "# Key management\n\n## Rotating keys\n\nTo rotate an API key, create the new key first, deploy it to every client, then revoke the old key.\n\n## Storage\n\nKeys are stored encrypted at rest with AES-256.\n",
  "cooking/pasta.txt": "Boil the pasta in salted water for nine minutes. Drain it and toss it with olive oil and garlic.\n",
  "garden.html": "<html><body><main><h1>Roses</h1><p>Prune roses in late winter, just before new growth begins.</p></main></body></html>",
};

async function corpus(): Promise<string> {
  const dir = await tempDir();
  for (const [name, text] of Object.entries(FILES)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

describe("Rag on the embedded default", () => {
  it("ingests a folder, finds passages in every mode, answers with verbatim citations", async () => {
    const docs = await corpus();
    const rag = await Rag.open({ dir: path.join(await tempDir(), "index") });
    try {
      const report = await rag.ingest([docs]);
      expect(report).toMatchObject({ added: 3, updated: 0, unchanged: 0, removed: 0, failed: [] });
      expect(report.chunksEmbedded).toBeGreaterThanOrEqual(3);

      for (const mode of ["hybrid", "lexical", "dense"] as const) {
        const hits = await rag.search("how do I rotate an API key", { mode, k: 3 });
        expect(hits[0]?.chunk.source, mode).toBe(path.join(docs, "keys.md"));
      }
      const [hit] = await rag.search("pasta water", { k: 1 });
      expect(hit?.chunk.text).toContain("Boil the pasta");
      expect(hit?.scores.lexical).toBeGreaterThan(0);
      expect(hit?.scores.dense).toBeGreaterThan(0);

      const answer = await rag.ask("How do I rotate an API key?");
      expect(answer.grounded).toBe(true);
      expect(answer.citations.length).toBeGreaterThan(0);
      for (const c of answer.citations) {
        const file = await readFile(c.source, "utf8");
        expect(file.slice(c.start, c.end)).toBe(c.quote);
        expect(answer.text).toContain(`[${c.marker}]`);
      }
      expect(answer.citations[0]?.quote).toContain("rotate an API key");

      const nothing = await rag.ask("What is the airspeed velocity of an unladen swallow?");
      expect(nothing.grounded).toBe(false);
      expect(nothing.citations).toEqual([]);
      expect(nothing.text).toMatch(/could not find/);
    } finally {
      await rag.close();
    }
  });

  it("re-ingesting embeds nothing; a changed file is updated alone; a deleted file is removed", async () => {
    const docs = await corpus();
    const dir = path.join(await tempDir(), "index");
    let rag = await Rag.open({ dir });
    await rag.ingest([docs]);
    await rag.close();

    rag = await Rag.open({ dir });
    try {
      expect(await rag.ingest([docs])).toMatchObject({ added: 0, updated: 0, unchanged: 3, removed: 0, chunksEmbedded: 0 });

      await writeFile(path.join(docs, "cooking/pasta.txt"), `${FILES["cooking/pasta.txt"]}\nServe with grated parmesan cheese.\n`);
      const changed = await rag.ingest([docs]);
      expect(changed).toMatchObject({ added: 0, updated: 1, unchanged: 2, removed: 0, chunksEmbedded: 1 });
      expect((await rag.search("parmesan", { mode: "lexical", k: 1 }))[0]?.chunk.source).toBe(path.join(docs, "cooking/pasta.txt"));

      await rm(path.join(docs, "garden.html"));
      expect(await rag.ingest([docs])).toMatchObject({ removed: 1, unchanged: 2, added: 0, updated: 0 });
      const roses = await rag.search("prune roses winter", { k: 5 });
      expect(roses.some((h) => h.chunk.source.endsWith("garden.html"))).toBe(false);
      expect((await rag.stats()).documents).toBe(2);

      // A folder whose files were all deleted is pruned too.
      await rm(path.join(docs, "cooking/pasta.txt"));
      expect(await rag.ingest([path.join(docs, "cooking")])).toMatchObject({ removed: 1, added: 0 });
      expect((await rag.stats()).documents).toBe(1);

      const removed = await rag.remove([path.join(docs, "keys.md")]);
      expect(removed).toEqual({ removed: 1, notFound: [] });
      expect((await rag.search("rotate API key", { k: 5 })).some((h) => h.chunk.source.endsWith("keys.md"))).toBe(false);
      expect((await rag.stats()).chunks).toBe(0);
      await rag.ingest([{ id: "note", source: "mem://note", text: "A note kept in memory." }]);
      expect(await rag.remove(["note", "no-such-doc"])).toEqual({ removed: 1, notFound: ["no-such-doc"] });
      expect((await rag.stats()).documents).toBe(0);
    } finally {
      await rag.close();
    }
  });

  it("filters by source glob, document id and metadata", async () => {
    const docs = await corpus();
    const rag = await Rag.open({ dir: path.join(await tempDir(), "index") });
    try {
      await rag.ingest([docs]);
      await rag.ingest([
        { id: "note-1", source: "memory://notes/1", text: "Rotate the tyres of the car every spring.", metadata: { team: "fleet" } },
      ]);
      const bySource = await rag.search("rotate", { filter: { source: "**/*.md" }, k: 10 });
      expect(bySource.length).toBeGreaterThan(0);
      expect(bySource.every((h) => h.chunk.source.endsWith(".md"))).toBe(true);
      const byMeta = await rag.search("rotate", { filter: { metadata: { team: "fleet" } }, k: 10 });
      expect(byMeta.map((h) => h.chunk.documentId)).toEqual(["note-1"]);
      const byId = await rag.search("rotate", { filter: { documentId: "note-1" }, mode: "dense", k: 10 });
      expect(new Set(byId.map((h) => h.chunk.documentId))).toEqual(new Set(["note-1"]));
      expect(await rag.search("rotate", { filter: { metadata: { team: "nobody" } } })).toEqual([]);
    } finally {
      await rag.close();
    }
  });

  it("takes in-memory documents with only an id or only a source; a malformed one is reported and the rest stored", async () => {
    const rag = await Rag.open({ dir: path.join(await tempDir(), "index") });
    try {
      const documents = [
        { id: "only-id", text: "Lighthouses guide ships past the rocks at night." },
        { source: "memory://only-source", text: "Bees carry pollen between the flowers of the orchard." },
        { id: "no-text", body: "the text is under another name" },
        { title: "neither id nor source", text: "This one cannot be cited." },
        { id: "bad-meta", text: "Metadata must be an object.", metadata: "team=fleet" },
      ] as unknown as Parameters<Rag["ingest"]>[0];
      const report = await rag.ingest(documents);
      expect(report.added).toBe(2);
      expect(report.failed.map((f) => [f.path, f.code])).toEqual([
        ["no-text", "INVALID_ARGUMENT"],
        ["(a document with neither id nor source)", "INVALID_ARGUMENT"],
        ["bad-meta", "INVALID_ARGUMENT"],
      ]);
      expect(report.failed[0]?.message).toMatch(/text/);
      const [lighthouse] = await rag.search("lighthouse ships rocks", { k: 1 });
      expect(lighthouse?.chunk).toMatchObject({ documentId: "only-id", source: "only-id" });
      const [bees] = await rag.search("bees pollen orchard", { k: 1 });
      expect(bees?.chunk.source).toBe("memory://only-source");
    } finally {
      await rag.close();
    }
  });

  it("refuses to mix vectors from another embedder and names `ragkit reindex`", async () => {
    const dir = path.join(await tempDir(), "index");
    const rag = await Rag.open({ dir });
    await rag.ingest([{ id: "a", source: "mem://a", text: "some text" }]);
    await rag.close();

    const inner = new BundledEmbedder({ workers: 1 });
    const other: Embedder = {
      id: "another-model",
      dimensions: inner.dimensions,
      maxBatchSize: inner.maxBatchSize,
      concurrency: 1,
      embed: (texts, purpose) => inner.embed(texts, purpose),
      close: () => inner.close(),
    };
    try {
      await Rag.open({ dir, embedder: other });
      expect.unreachable();
    } catch (error) {
      expect(RagkitError.isInstance(error) && error.code).toBe("INDEX_EMBEDDER_MISMATCH");
      expect((error as Error).message).toMatch(/ragkit reindex --embedder/);
    } finally {
      await inner.close();
    }
    const reopened = await Rag.open({ dir });
    expect((await reopened.stats()).documents).toBe(1);
    await reopened.close();
  });
});
