import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/fs.js";
import { makePdf } from "./helpers/pdf.js";

interface IngestJson {
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  chunksEmbedded: number;
  failed: Array<{ path: string; code: string; message: string }>;
  warnings: Array<{ path: string; code: string; message: string }>;
}

describe("ragkit CLI", () => {
  it("demo ingests the samples and prints an answer whose quotes are in the cited files", async () => {
    const result = await runCli(["demo", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as {
      answer: string;
      citations: Array<{ source: string; start: number; end: number; quote: string }>;
    };
    expect(out.citations.length).toBeGreaterThan(0);
    for (const c of out.citations) expect((await readFile(c.source, "utf8")).slice(c.start, c.end)).toBe(c.quote);
    expect(out.answer).toMatch(/rotate/i);
  });

  it("bad input is reported file by file while good files are indexed; exit 0 unless everything failed", async () => {
    const docs = await tempDir();
    const index = path.join(await tempDir(), "idx");
    await writeFile(path.join(docs, "good.md"), "# Good\n\nThe lighthouse keeper logs the weather every hour.\n");
    await writeFile(path.join(docs, "second.pdf"), makePdf(["Ferries leave the harbour at dawn."]));
    await writeFile(path.join(docs, "corrupt.pdf"), "%PDF-1.7\n garbage garbage");
    await writeFile(path.join(docs, "binary.txt"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x00]));
    await writeFile(path.join(docs, "empty.txt"), "");
    await writeFile(
      path.join(docs, "latin1.txt"),
      Buffer.from("Caf\xe9 cr\xe8me br\xfbl\xe9e: the harbour caf\xe9 opens at noon.", "latin1"),
    );
    await writeFile(path.join(docs, "nofield.json"), JSON.stringify([{ note: "no text field here" }]));
    await writeFile(path.join(docs, "huge.txt"), Buffer.alloc(50 * 1024 * 1024, "a"));

    const result = await runCli(["ingest", docs, "--index", index, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as IngestJson;
    expect(report.added).toBe(3);
    const failures = Object.fromEntries(report.failed.map((f) => [path.basename(f.path), f.code]));
    expect(failures).toEqual({
      "binary.txt": "BINARY_FILE",
      "corrupt.pdf": "PARSE_FAILED",
      "empty.txt": "EMPTY_DOCUMENT",
      "huge.txt": "FILE_TOO_LARGE",
      "nofield.json": "MISSING_FIELD",
    });
    for (const f of report.failed) expect(f.message.length).toBeGreaterThan(10);
    expect(report.warnings.map((w) => [path.basename(w.path), w.code])).toEqual([["latin1.txt", "INVALID_ENCODING"]]);

    const search = await runCli(["search", "ferries harbour", "--index", index, "--json", "--k", "3"]);
    expect(search.code, search.stderr).toBe(0);
    const { hits } = JSON.parse(search.stdout) as {
      hits: Array<{
        source: string;
        text: string;
        start: number;
        end: number;
        chunkId: string;
        documentId: string;
        score: number;
        metadata: object;
      }>;
    };
    expect(hits[0]?.source).toBe(path.join(docs, "second.pdf"));
    expect(Object.keys(hits[0] ?? {})).toEqual(
      expect.arrayContaining(["documentId", "chunkId", "source", "score", "text", "start", "end", "metadata"]),
    );

    const list = JSON.parse((await runCli(["docs", "list", "--index", index, "--json"])).stdout) as {
      documents: Array<{ id: string; source: string }>;
    };
    expect(list.documents.map((d) => path.basename(d.source)).sort()).toEqual(["good.md", "latin1.txt", "second.pdf"]);

    const allBad = await tempDir();
    await writeFile(path.join(allBad, "empty.md"), "");
    const failed = await runCli(["ingest", allBad, "--index", index, "--json"]);
    expect(failed.code).toBe(1);
    // Nothing already indexed is lost by a failed run.
    expect((JSON.parse((await runCli(["stats", "--index", index, "--json"])).stdout) as { documents: number }).documents).toBe(3);
  });

  it("ask, search filters, docs rm and stats work against one index", async () => {
    const docs = await tempDir();
    const index = path.join(await tempDir(), "idx");
    await mkdir(path.join(docs, "guides"));
    await writeFile(path.join(docs, "guides", "backup.md"), "# Backups\n\nBackups run nightly at 02:00 and are kept for thirty days.\n");
    await writeFile(path.join(docs, "notes.txt"), "Backups of the laptop are manual. Plug in the drive on Fridays.\n");
    expect((await runCli(["ingest", docs, "--index", index])).code).toBe(0);

    const ask = await runCli(["ask", "How long are backups kept?", "--index", index, "--json"]);
    expect(ask.code, ask.stderr).toBe(0);
    const answer = JSON.parse(ask.stdout) as {
      answer: string;
      model: string;
      citations: Array<{ marker: number; source: string; quote: string; start: number; end: number; documentId: string }>;
      hits: unknown[];
    };
    expect(answer.citations[0]?.quote).toContain("thirty days");
    expect(answer.model).toBe("ragkit-extractive");
    expect(answer.hits.length).toBeGreaterThan(0);

    const filtered = await runCli(["search", "backups", "--index", index, "--json", "--filter", "source=**/guides/**"]);
    const filteredHits = (JSON.parse(filtered.stdout) as { hits: Array<{ source: string }> }).hits;
    expect(filteredHits.length).toBeGreaterThan(0);
    expect(filteredHits.every((h) => h.source.includes(`${path.sep}guides${path.sep}`))).toBe(true);

    const human = await runCli(["search", "backups", "--index", index, "--mode", "lexical"]);
    expect(human.stdout).toMatch(/^1\. /m);
    expect((await runCli(["search", "x", "--index", index, "--mode", "fuzzy"])).stderr).toMatch(/INVALID_ARGUMENT/);

    const rm = await runCli(["docs", "rm", path.join(docs, "notes.txt"), "--index", index, "--json"]);
    expect(JSON.parse(rm.stdout)).toEqual({ removed: 1, notFound: [] });
    const stats = JSON.parse((await runCli(["stats", "--index", index, "--json"])).stdout) as {
      documents: number;
      embedder: { dimensions: number };
    };
    expect(stats).toMatchObject({ documents: 1, embedder: { dimensions: 512 } });

    const missing = await runCli(["search", "x", "--index", path.join(docs, "nope"), "--json"]);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: "INDEX_NOT_FOUND" } });
  });
});
