import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCrash } from "../scripts/proof/crash.js";
import { Rag } from "../src/rag.js";
import type { FaultPoint } from "../src/store/faults.js";
import { runCli } from "./helpers/cli.js";
import { writeCorpus } from "./helpers/corpus.js";
import { tempDir } from "./helpers/fs.js";

const POINTS: FaultPoint[] = ["upsert:journaled", "upsert:chunks-written", "upsert:documents-written", "optimize:start", "manifest:write"];

describe("kill -9 inside writes", () => {
  it("at every point of an update, the index stays consistent: each document with its own version's chunks", async () => {
    const root = await tempDir();
    const docs = path.join(root, "docs");
    const files = await writeCorpus(docs, 12);
    const index = path.join(root, "idx");
    expect((await runCli(["ingest", docs, "--index", index])).code).toBe(0);
    for (const [round, point] of POINTS.entries()) {
      // Every file changes, and grows to more chunks, so old and new versions cannot line up by accident.
      for (const [i, file] of files.entries()) {
        await writeFile(
          file,
          `# Note ${i}\n\nRound ${round} text for note ${i}.\n\n${`Paragraph about round${round} and ferries. `.repeat(20 * (round + 1))}\n`,
        );
      }
      const killed = await runCli(["ingest", docs, "--index", index], { env: { RAGKIT_FAULT: point } });
      expect(killed.code, `${point}: ${killed.stderr}`).toBeNull();
      const doctor = await runCli(["doctor", "--index", index, "--json"]);
      expect(doctor.code, `${point}: ${doctor.stdout}`).toBe(0);
      const rag = await Rag.open({ dir: index, mustExist: true });
      try {
        // Whatever version a document is at, its chunks quote its own text.
        for (const d of await rag.documents()) {
          const document = await rag.getDocument(d.id);
          for (const chunk of await rag.getChunks(d.id)) expect(document?.text.slice(chunk.start, chunk.end)).toBe(chunk.text);
        }
        // Vectors restored from the journal are the ones the text was embedded to: a chunk's text is
        // close to its own document's vectors (a garbled vector scores near 0).
        for (const d of (await rag.documents()).slice(0, 3)) {
          const [chunk] = await rag.getChunks(d.id);
          const [top] = await rag.search(chunk?.text ?? "", { mode: "dense", k: 1, filter: { documentId: d.id } });
          expect(top?.scores.dense, `${point}: ${d.id}`).toBeGreaterThan(0.9);
        }
      } finally {
        await rag.close();
      }
    }
  });

  it("killed between the two tables' appends of new documents: the append is undone, nothing else lost, and the next ingest adds them", async () => {
    const root = await tempDir();
    const docs = path.join(root, "docs");
    await writeCorpus(docs, 8);
    const index = path.join(root, "idx");
    expect((await runCli(["ingest", docs, "--index", index])).code).toBe(0);
    const fresh = path.join(docs, "fresh");
    await writeCorpus(fresh, 6, "fresh");
    // New documents are appended without a copy of their rows on disk: a crash is undone, not redone.
    const killed = await runCli(["ingest", docs, "--index", index], { env: { RAGKIT_FAULT: "upsert:chunks-written" } });
    expect(killed.code, killed.stderr).toBeNull();
    const rag = await Rag.open({ dir: index, mustExist: true });
    try {
      const stored = await rag.documents();
      expect(stored.length).toBe(8);
      expect(stored.every((d) => !d.source.includes("fresh"))).toBe(true);
      // No chunk is left without its document: a fresh note's own word finds nothing.
      expect(await rag.search("freshtopic3", { mode: "lexical", k: 5 })).toEqual([]);
      expect((await rag.stats()).chunks).toBe(stored.reduce((n, d) => n + d.chunkCount, 0));
      const again = await rag.ingest([docs]);
      expect(again).toMatchObject({ added: 6, updated: 0, failed: [] });
      expect(await rag.doctor()).toMatchObject({ ok: true, documents: 14, orphanChunks: [], duplicateChunks: [] });
      expect((await rag.search("freshtopic3", { mode: "lexical", k: 1 }))[0]?.chunk.source).toMatch(/fresh-3\.md$/);
      for (const d of await rag.documents()) {
        const document = await rag.getDocument(d.id);
        for (const chunk of await rag.getChunks(d.id)) expect(document?.text.slice(chunk.start, chunk.end)).toBe(chunk.text);
      }
    } finally {
      await rag.close();
    }
  });

  it("the crash harness (short CI run): random kills in ingest, docs rm, watch and reindex; doctor clean and search answering after each; final ingest exact", async () => {
    const result = await runCrash({ kills: 5, seed: 7, files: 30 });
    expect(result.doctorFailures).toEqual([]);
    expect(result.finalMatches).toBe(true);
    expect(result.kills).toBe(5);
    expect(result.atFaultPoints).toBeGreaterThan(0);
  });
});
