import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { exited, runCli, spawnCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/fs.js";

interface ProgressLine {
  event: string;
  phase: string;
  chunksEmbedded: number;
  chunksReused: number;
  chunksTotal: number;
  filesDone: number;
  filesTotal: number;
  documentsWritten: number;
  etaSeconds?: number;
}

/** 120 files of three paragraphs each: a few hundred chunks, tens of seconds of embedding. */
async function bigFolder(): Promise<{ dir: string; files: number }> {
  const dir = await tempDir();
  const files = 120;
  for (let i = 0; i < files; i++) {
    const paragraphs = Array.from(
      { length: 3 },
      (_, p) => `Topic ${i}.${p}: ${Array.from({ length: 90 }, (_, w) => `word${(i * 31 + p * 7 + w) % 997}`).join(" ")}.`,
    );
    await writeFile(path.join(dir, `doc-${i}.md`), `# Document ${i}\n\n${paragraphs.join("\n\n")}\n`);
  }
  return { dir, files };
}

describe("ingest progress and Ctrl-C", () => {
  it("reports chunks embedded out of the total while embedding; a first Ctrl-C stops soon and keeps a consistent index the next run completes", async () => {
    const { dir, files } = await bigFolder();
    const index = path.join(await tempDir(), "index");
    const started = Date.now();
    const child = spawnCli(["--index", index, "ingest", dir, "--json"]);
    const lines: ProgressLine[] = [];
    let buffered = "";
    let interruptedAt = 0;
    child.stderr.on("data", (data) => {
      buffered += data;
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      for (const part of parts) {
        if (!part.startsWith("{")) continue;
        const line = JSON.parse(part) as ProgressLine;
        lines.push(line);
        // Interrupt once embedding is visibly under way but far from done.
        if (!interruptedAt && line.chunksEmbedded > 0 && line.chunksEmbedded < line.chunksTotal / 2) {
          interruptedAt = Date.now();
          child.kill("SIGINT");
        }
      }
    });
    const code = await exited(child);
    const stopSeconds = (Date.now() - interruptedAt) / 1000;
    expect(interruptedAt).toBeGreaterThan(0);
    // 130: stopped by SIGINT, as shells report it.
    expect(code).toBe(130);
    // Structured lines on a non-terminal: the total is known while embedding, and it moves.
    const during = lines.filter((l) => l.event === "ingest" && l.phase === "ingest" && l.chunksEmbedded > 0);
    expect(during.length).toBeGreaterThan(0);
    for (const l of during) expect(l.chunksTotal).toBeGreaterThanOrEqual(l.chunksEmbedded + l.chunksReused);
    expect(during.some((l) => typeof l.etaSeconds === "number")).toBe(true);
    // It stopped after the batches in hand, not after the whole run. The bound scales with this
    // machine's speed: the time to start and embed the first batch (8 s at least, for a busy CI).
    const firstBatchSeconds = (interruptedAt - started) / 1000;
    expect(stopSeconds).toBeLessThan(Math.max(8, 3 * firstBatchSeconds));

    const listed = JSON.parse((await runCli(["--index", index, "docs", "list", "--json"])).stdout) as { documents: unknown[] };
    const kept = listed.documents.length;
    expect(kept).toBeLessThan(files);
    // Every document kept is whole and searchable; the next run adds exactly the rest.
    const again = await runCli(["--index", index, "ingest", dir, "--json"]);
    const report = JSON.parse(again.stdout) as { added: number; unchanged: number; aborted: boolean };
    expect(report).toMatchObject({ added: files - kept, unchanged: kept, aborted: false });
  }, 300_000);
});
