import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { meanMetrics } from "../src/eval/metrics.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/fs.js";

const DOCS = [
  ["d1", "Jet engines", "A turbofan jet engine compresses air, burns fuel and produces thrust."],
  ["d2", "Wing design", "Swept wings delay shock waves at high subsonic speeds."],
  ["d3", "Heat shields", "Ablative heat shields protect capsules during atmospheric re-entry."],
  ["d4", "Propellers", "Propeller blades produce thrust by accelerating a large mass of air slowly."],
  ["d5", "Landing gear", "Retractable landing gear reduces drag in cruise flight."],
  ["d6", "Bread", "Sourdough bread rises slowly because of wild yeast."],
];
const QUERIES = [
  ["q1", "how is thrust produced"],
  ["q2", "protection during re-entry heating"],
  ["q3", "shock waves on swept wings"],
];
const QRELS = [
  ["q1", "d1", 2],
  ["q1", "d4", 1],
  ["q2", "d3", 1],
  ["q3", "d2", 1],
];

async function beir(): Promise<string> {
  const dir = await tempDir();
  await mkdir(path.join(dir, "qrels"));
  await writeFile(path.join(dir, "corpus.jsonl"), DOCS.map(([_id, title, text]) => JSON.stringify({ _id, title, text })).join("\n"));
  await writeFile(path.join(dir, "queries.jsonl"), QUERIES.map(([_id, text]) => JSON.stringify({ _id, text })).join("\n"));
  await writeFile(path.join(dir, "qrels", "test.tsv"), `query-id\tcorpus-id\tscore\n${QRELS.map((r) => r.join("\t")).join("\n")}\n`);
  return dir;
}

describe("ragkit eval retrieval", () => {
  it("prints trec_eval metrics that the written run file reproduces", async () => {
    const dataset = await beir();
    const runFile = path.join(await tempDir(), "run.trec");
    const index = path.join(await tempDir(), "idx");
    const jsonRun = path.join(await tempDir(), "run.json");
    const result = await runCli([
      "eval",
      "retrieval",
      "--dataset",
      dataset,
      "--run-out",
      runFile,
      "--out",
      jsonRun,
      "--index",
      index,
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as {
      dataset: string;
      queries: number;
      metrics: Record<string, number>;
      config: { mode: string };
    };
    expect(out.queries).toBe(3);
    expect(Object.keys(out.metrics).sort()).toEqual(["map@100", "mrr@10", "ndcg@10", "recall@10", "recall@100"]);
    expect(out.config.mode).toBe("hybrid");
    expect(out.metrics["mrr@10"]).toBeGreaterThan(0.5);

    const lines = (await readFile(runFile, "utf8")).trim().split("\n");
    const run = new Map<string, string[]>();
    for (const line of lines) {
      const [qid, q0, docid, rank, score, tag] = line.split(" ");
      expect(q0).toBe("Q0");
      expect(tag).toBe("ragkit");
      expect(Number.isFinite(Number(score))).toBe(true);
      const list = run.get(qid as string) ?? [];
      expect(Number(rank)).toBe(list.length + 1);
      list.push(docid as string);
      run.set(qid as string, list);
    }
    const qrels = new Map<string, Map<string, number>>();
    for (const [q, d, s] of QRELS) qrels.set(q as string, (qrels.get(q as string) ?? new Map()).set(d as string, s as number));
    const rescored = meanMetrics(run, qrels).metrics;
    for (const [key, value] of Object.entries(out.metrics)) expect(rescored[key as keyof typeof rescored]).toBeCloseTo(value, 10);

    const saved = JSON.parse(await readFile(jsonRun, "utf8"));
    expect(saved).toMatchObject({ kind: "retrieval", metrics: out.metrics });
    expect(saved.results.map((r: { id: string }) => r.id).sort()).toEqual(["q1", "q2", "q3"]);
    expect(saved.results[0].metrics).toHaveProperty("ndcg@10");

    const missing = await runCli(["eval", "retrieval", "--dataset", path.join(dataset, "nope"), "--index", index]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/DATASET_INVALID/);
  });
});
