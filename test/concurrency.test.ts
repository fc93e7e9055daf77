import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { Rag } from "../src/rag.js";
import { exited, runCli, spawnCli } from "./helpers/cli.js";
import { writeCorpus } from "./helpers/corpus.js";
import { tempDir } from "./helpers/fs.js";

describe("many processes, one index", () => {
  it("a reader keeps answering while another process ingests and compacts, and sees the new documents", async () => {
    const root = await tempDir();
    const index = path.join(root, "idx");
    await writeCorpus(path.join(root, "docs"), 60);
    const reader = await Rag.open({ dir: index });
    try {
      await reader.ingest([{ id: "seed", source: "mem://seed", text: "The seed note mentions lanterns." }]);
      const child = spawnCli(["ingest", path.join(root, "docs"), "--index", index, "--json"]);
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      const done = exited(child);
      const errors: string[] = [];
      let reads = 0;
      let finished = false;
      void done.then(() => {
        finished = true;
      });
      const deadline = Date.now() + 90_000;
      // Keep reading through the ingest, its compaction and cleanup, and a little after.
      for (let after = 0; after < 10 && Date.now() < deadline; ) {
        try {
          await reader.search("harbour ferry lantern", { k: 3, mode: reads % 2 ? "lexical" : "hybrid" });
          await reader.documents();
          await reader.stats();
          reads++;
        } catch (error) {
          errors.push(String(error));
        }
        if (finished) after++;
        await sleep(50);
      }
      expect(await done, stderr).toBe(0);
      expect(errors).toEqual([]);
      expect(reads).toBeGreaterThan(10);
      expect((await reader.documents()).length).toBe(61);
      const hits = await reader.search("doctopic42", { k: 1, mode: "lexical" });
      expect(hits[0]?.chunk.source).toBe(path.join(root, "docs", "doc-42.md"));
      expect((await reader.doctor()).ok).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it("two ingests at once, of one folder or of two, both succeed with no duplicate and no missing file", async () => {
    const root = await tempDir();
    const index = path.join(root, "idx");
    await writeCorpus(path.join(root, "a"), 40, "a");
    await writeCorpus(path.join(root, "b"), 40, "b");
    const same = await Promise.all([
      runCli(["ingest", path.join(root, "a"), "--index", index, "--json"]),
      runCli(["ingest", path.join(root, "a"), "--index", index, "--json"]),
    ]);
    for (const r of same) expect(r.code, r.stderr).toBe(0);
    const reports = same.map((r) => JSON.parse(r.stdout) as { added: number; unchanged: number });
    // One wrote the folder; the other waited for it and then found everything unchanged.
    expect(reports.map((r) => r.added).sort()).toEqual([0, 40]);
    expect(same.some((r) => r.stderr.includes("Waiting for the index"))).toBe(true);

    const both = await Promise.all([
      runCli(["ingest", path.join(root, "a"), "--index", index, "--json"]),
      runCli(["ingest", path.join(root, "b"), "--index", index, "--json"]),
    ]);
    for (const r of both) expect(r.code, r.stderr).toBe(0);
    const doctor = await runCli(["doctor", "--index", index, "--json"]);
    expect(doctor.code, doctor.stdout).toBe(0);
    expect(JSON.parse(doctor.stdout)).toMatchObject({ ok: true, documents: 80, duplicateDocuments: [], duplicateChunks: [] });
  });

  it("--no-wait fails fast with INDEX_LOCKED while another process writes; a dead holder's lock is taken over", async () => {
    const root = await tempDir();
    const index = path.join(root, "idx");
    await writeCorpus(path.join(root, "a"), 200, "a");
    const first = spawnCli(["ingest", path.join(root, "a"), "--index", index]);
    const lockFile = path.join(index, "write.lock");
    const { existsSync } = await import("node:fs");
    const start = Date.now();
    while (!existsSync(lockFile) && Date.now() - start < 60_000) await sleep(20);
    const refused = await runCli(["ingest", path.join(root, "a"), "--index", index, "--no-wait", "--json"]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error.code).toBe("INDEX_LOCKED");
    expect(refused.stderr).toMatch(/process \d+ on .* \(ragkit ingest/);
    first.kill("SIGKILL");
    await exited(first);
    expect(existsSync(lockFile)).toBe(true);
    // The holder is dead: the next writer takes over at once and finishes the job.
    const next = await runCli(["ingest", path.join(root, "a"), "--index", index, "--no-wait", "--json"]);
    expect(next.code, next.stderr).toBe(0);
    const doctor = await runCli(["doctor", "--index", index, "--json"]);
    expect(JSON.parse(doctor.stdout)).toMatchObject({ ok: true, documents: 200 });
  });
});
