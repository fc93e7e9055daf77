import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { terminalText } from "../src/cli/format.js";
import { exited, runCli, spawnCli } from "./helpers/cli.js";
import { writeCorpus } from "./helpers/corpus.js";
import { tempDir } from "./helpers/fs.js";
import { makePdf } from "./helpers/pdf.js";

describe("CLI output", () => {
  it("says when a folder holds nothing it can read, and stops quietly when its reader goes away (| head)", async () => {
    const root = await tempDir();
    const empty = path.join(root, "empty");
    await mkdir(empty);
    const none = await runCli(["ingest", empty, "--index", path.join(root, "idx")]);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe(`no supported files found under ${empty}\n`);

    const docs = path.join(root, "docs");
    await writeCorpus(docs, 60);
    expect((await runCli(["ingest", docs, "--index", path.join(root, "idx")])).code).toBe(0);
    // The reader is gone before the listing is written, as with `| head -0`.
    const child = spawnCli(["docs", "list", "--index", path.join(root, "idx")]);
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    expect(await exited(child)).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|Error/);
  }, 120_000);

  it("keeps pdf.js's own repair notes off stderr: a PDF with a broken cross-reference table is still read", async () => {
    const root = await tempDir();
    const docs = path.join(root, "docs");
    await mkdir(docs);
    // A wrong startxref offset makes pdf.js rebuild the table ("Indexing all PDF objects").
    const pdf = makePdf(["Ferries leave the harbour at dawn."])
      .toString("latin1")
      .replace(/startxref\n\d+/, "startxref\n9");
    await writeFile(path.join(docs, "ferries.pdf"), Buffer.from(pdf, "latin1"));
    const run = await runCli(["ingest", docs, "--index", path.join(root, "idx"), "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ added: 1, failed: [] });
    expect(run.stderr).not.toMatch(/Warning|Indexing all PDF objects/);
  }, 60_000);

  it("an answer's Markdown heading path prints bold on a terminal and as plain words in a pipe", async () => {
    expect(terminalText("**Factory › `bodyLimit`**\n\nDefault: `1048576` [1]", false)).toBe(
      "Factory › `bodyLimit`\n\nDefault: `1048576` [1]",
    );
    expect(terminalText("**Factory**", true)).toBe("\u001b[1mFactory\u001b[22m");
    const root = await tempDir();
    const docs = path.join(root, "docs");
    await mkdir(docs);
    await writeFile(path.join(docs, "keys.md"), "# Keys\n\n## Rotating\n\nRotate the signing key every ninety days.\n");
    const index = path.join(root, "idx");
    expect((await runCli(["ingest", docs, "--index", index])).code).toBe(0);
    const asked = await runCli(["ask", "How often do I rotate the signing key?", "--index", index]);
    expect(asked.stdout.startsWith("Keys › Rotating\n\nRotate the signing key every ninety days. [1]")).toBe(true);
    const json = JSON.parse((await runCli(["ask", "How often do I rotate the signing key?", "--index", index, "--json"])).stdout);
    expect(json.citations[0]).toMatchObject({ quote: "Rotate the signing key every ninety days.", headings: ["Keys", "Rotating"] });
  }, 60_000);
});
