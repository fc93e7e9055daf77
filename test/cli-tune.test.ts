import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { syntheticDocument } from "../scripts/scale/text.js";
import { checkChatLine } from "../src/tune/export.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/fs.js";

/** A small BEIR folder: each query is a document's title words, judged relevant to that document. */
async function writeBeir(dir: string, documents: number): Promise<void> {
  await mkdir(path.join(dir, "qrels"), { recursive: true });
  const docs = Array.from({ length: documents }, (_, i) => syntheticDocument(i));
  await writeFile(path.join(dir, "corpus.jsonl"), docs.map((d) => JSON.stringify({ _id: d.id, title: d.title, text: d.text })).join("\n"));
  const queries = docs.map((d, i) => ({ _id: `q${i}`, text: `${d.text.split(". ")[1]}` }));
  await writeFile(path.join(dir, "queries.jsonl"), queries.map((q) => JSON.stringify(q)).join("\n"));
  const qrels = (keep: (i: number) => boolean) =>
    `query-id\tcorpus-id\tscore\n${docs
      .map((d, i) => (keep(i) ? `q${i}\t${d.id}\t1` : ""))
      .filter(Boolean)
      .join("\n")}\n`;
  await writeFile(
    path.join(dir, "qrels", "train.tsv"),
    qrels((i) => i % 2 === 0),
  );
  await writeFile(
    path.join(dir, "qrels", "test.tsv"),
    qrels((i) => i % 2 === 1),
  );
}

describe("ragkit tune (CLI)", () => {
  it("tunes on a BEIR train split, reports the held-out split, shows status, evaluates with --no-tune, exports and resets", async () => {
    const root = await tempDir();
    const dataset = path.join(root, "beir");
    const index = path.join(root, "idx");
    await writeBeir(dataset, 60);

    const tuned = await runCli([
      "tune",
      "--dataset",
      dataset,
      "--split",
      "train",
      "--index",
      index,
      "--report",
      path.join(root, "tune.html"),
      "--json",
    ]);
    expect(tuned.stderr).not.toMatch(/Error/);
    expect(tuned.code).toBe(0);
    const report = JSON.parse(tuned.stdout);
    expect(report).toMatchObject({ version: 1, pairs: { total: 30, bySource: { qrels: 30 } }, heldOut: { queries: 30 } });
    expect(typeof report.applied).toBe("boolean");
    // Held out: when nothing was applied, tuned and untuned search are the same search.
    if (!report.applied) expect(report.heldOut.delta).toBe(0);
    const html = await readFile(path.join(root, "tune.html"), "utf8");
    expect(html).toContain("ragkit tune");
    expect(html).toContain(report.reason.slice(0, 40).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"));

    const status = JSON.parse((await runCli(["tune", "status", "--index", index, "--json"])).stdout);
    expect(status).toMatchObject({ active: report.applied, history: [{ version: 1, applied: report.applied }] });

    const plain = JSON.parse((await runCli(["eval", "retrieval", "--dataset", dataset, "--index", index, "--no-tune", "--json"])).stdout);
    expect(plain.config.tune).toBe("off");
    expect(plain.queries).toBe(30);

    const qa = path.join(root, "qa.jsonl");
    const three = syntheticDocument(3).text.split(" ");
    const question = {
      _id: "a",
      question: `Where is ${three.slice(0, 6).join(" ")}?`,
      answers: [three.slice(2, 5).join(" ")],
      gold_ids: ["doc-3"],
    };
    await writeFile(qa, `${JSON.stringify(question)}\n`);
    const out = path.join(root, "train.jsonl");
    const exported = await runCli(["tune", "export", "--dataset", qa, "--format", "openai-chat", "--out", out, "--index", index, "--json"]);
    expect(JSON.parse(exported.stdout)).toMatchObject({ written: 1, fromGold: 1, invalid: 0 });
    const lines = (await readFile(out, "utf8")).trim().split("\n");
    for (const line of lines) expect(checkChatLine(JSON.parse(line))).toEqual([]);

    const reset = JSON.parse((await runCli(["tune", "reset", "--index", index, "--json"])).stdout);
    expect(reset).toEqual({ reset: report.applied });
    expect(existsSync(path.join(index, "meta", "tune-v1.json"))).toBe(true);
  }, 240_000);
});
