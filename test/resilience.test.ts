import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Rag } from "../src/rag.js";
import { spawnCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/fs.js";

const TOPICS = ["volcano", "glacier", "desert", "rainforest", "tundra", "savanna", "reef", "canyon"];

async function manyFiles(count: number): Promise<string> {
  const dir = await tempDir();
  for (let i = 0; i < count; i++) {
    const topic = TOPICS[i % TOPICS.length] as string;
    await writeFile(
      path.join(dir, `note-${String(i).padStart(4, "0")}.txt`),
      `Field note ${i} about the ${topic}: sample ${i * 7} was logged at station ${i}.`,
    );
  }
  return dir;
}

describe("interrupted and changing runs", () => {
  it("a kill -9 during ingest leaves an index that opens and answers; the next run finishes without duplicates", async () => {
    const docs = await manyFiles(400);
    const index = path.join(await tempDir(), "idx");
    const child = spawnCli(["ingest", docs, "--index", index]);
    // Kill once some batches are likely committed, but long before 400 files are done.
    await new Promise<void>((resolve) => {
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
        const written = [...stderr.matchAll(/"documentsWritten":(\d+)/g)].map((m) => Number(m[1]));
        if (written.some((n) => n > 0)) resolve();
      });
      child.on("close", () => resolve());
    });
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("close", resolve));

    const rag = await Rag.open({ dir: index });
    try {
      const partial = await rag.stats();
      expect(partial.documents).toBeGreaterThan(0);
      expect(partial.documents).toBeLessThan(400);
      expect((await rag.search("glacier station", { k: 3 })).length).toBeGreaterThan(0);

      const report = await rag.ingest([docs]);
      expect(report.added + report.unchanged).toBe(400);
      expect(report.failed).toEqual([]);
      const stats = await rag.stats();
      expect(stats.documents).toBe(400);
      // One chunk per note: any duplicate would show up here.
      expect(stats.chunks).toBe(400);
      const ids = (await rag.documents()).map((d) => d.id);
      expect(new Set(ids).size).toBe(400);
    } finally {
      await rag.close();
    }
  });

  it("an abort signal stops after the current batch; what was written is complete", async () => {
    const docs = await manyFiles(300);
    const rag = await Rag.open({ dir: path.join(await tempDir(), "idx") });
    try {
      const controller = new AbortController();
      const report = await rag.ingest([docs], {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.filesDone >= 150) controller.abort();
        },
      });
      expect(report.aborted).toBe(true);
      expect(report.removed).toBe(0);
      const stats = await rag.stats();
      expect(stats.documents).toBe(report.added);
      expect(stats.chunks).toBe(report.added);
      const rest = await rag.ingest([docs]);
      expect(rest).toMatchObject({ added: 300 - report.added, unchanged: report.added, aborted: false });
    } finally {
      await rag.close();
    }
  });

  it("a file removed mid-run is reported and the rest goes on", async () => {
    const docs = await manyFiles(20);
    const victim = path.join(docs, "note-0015.txt");
    const rag = await Rag.open({ dir: path.join(await tempDir(), "idx") });
    try {
      let removed = false;
      const report = await rag.ingest([docs], {
        onProgress: (p) => {
          if (!removed && p.current?.endsWith("note-0005.txt")) {
            removed = true;
            void rm(victim);
          }
        },
      });
      expect(report.failed).toEqual([
        { path: victim, code: "FILE_NOT_FOUND", message: expect.stringContaining("removed while ingesting") },
      ]);
      expect(report.added).toBe(19);
    } finally {
      await rag.close();
    }
  });
});
