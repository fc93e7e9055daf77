import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateAnswers, parseJudge, subsample } from "../src/eval/answers.js";
import { Rag } from "../src/rag.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/fs.js";
import { tinyModelFile } from "./helpers/models.js";

const CORPUS = [
  { _id: "p1", title: "Tides", text: "High tide at the north pier comes at 06:40 on Mondays. The south pier floods an hour later." },
  { _id: "p2", title: "Ferries", text: "The harbour ferry leaves at dawn every Tuesday and returns at noon." },
  { _id: "p3", title: "Gulls", text: "Gulls nest on the western cliffs in spring." },
];
const QUESTIONS = [
  { _id: "q1", question: "When is high tide at the north pier?", answers: ["06:40 on Mondays", "06:40"], gold_ids: ["p1"] },
  { _id: "q2", question: "When does the harbour ferry leave?", answers: ["at dawn every Tuesday"], gold_ids: ["p2"] },
  { _id: "q3", question: "Where do gulls nest?", answers: ["on the western cliffs"], gold_ids: ["p3"] },
];

describe("ragkit eval answers", () => {
  it("writes a run file with per-question SQuAD, BLEU, ROUGE, retrieval and citation metrics", async () => {
    const dataset = await tempDir();
    await writeFile(path.join(dataset, "corpus.jsonl"), CORPUS.map((c) => JSON.stringify(c)).join("\n"));
    await writeFile(path.join(dataset, "questions.jsonl"), QUESTIONS.map((q) => JSON.stringify(q)).join("\n"));
    const out = path.join(await tempDir(), "run.json");
    const result = await runCli([
      "eval",
      "answers",
      "--dataset",
      dataset,
      "--out",
      out,
      "--index",
      path.join(await tempDir(), "idx"),
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ kind: "answers", partial: false, config: { model: "ragkit-extractive", questions: 3, seed: 13 } });
    const run = JSON.parse(await readFile(out, "utf8"));
    expect(run.results).toHaveLength(3);
    for (const r of run.results) {
      expect(r.metrics.goldInTopK).toBe(1);
      expect(r.metrics.containsAnswer).toBe(1);
      expect(r.metrics.hasCitation).toBe(1);
      expect(r.metrics.f1).toBeGreaterThan(0);
      expect(r.metrics.f1).toBeLessThan(1);
      expect(Object.keys(r.metrics)).toEqual(
        expect.arrayContaining(["em", "bleu", "rouge1", "rouge2", "rougeL", "abstained", "citationSupportsAnswer"]),
      );
    }
    expect(run.metrics.goldInTopK).toBe(1);
    expect(typeof run.metrics.corpusBleu).toBe("number");
    expect(run.config.datasetHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it("the subsample is fixed by the seed", () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ _id: `q${i}` }));
    expect(subsample(items, 10, 13)).toEqual(subsample(items, 10, 13));
    expect(subsample(items, 10, 13)).not.toEqual(subsample(items, 10, 14));
    expect(subsample(items, 10, 13)).toHaveLength(10);
    expect(subsample(items, undefined, 13)).toBe(items);
  });
});

describe("synthetic questions and the LLM judge", () => {
  it("eval questions writes QA pairs whose gold documents the index retrieves", async () => {
    const dataset = await tempDir();
    await writeFile(path.join(dataset, "corpus.jsonl"), CORPUS.map((c) => JSON.stringify(c)).join("\n"));
    await writeFile(path.join(dataset, "questions.jsonl"), QUESTIONS.map((q) => JSON.stringify(q)).join("\n"));
    const index = path.join(await tempDir(), "idx");
    expect((await runCli(["eval", "answers", "--dataset", dataset, "--index", index, "--json"])).code).toBe(0);
    const qa = path.join(await tempDir(), "qa.jsonl");
    const made = await runCli(["eval", "questions", "--index", index, "--out", qa, "--count", "2", "--json"]);
    expect(made.code, made.stderr).toBe(0);
    const items = (await readFile(qa, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(items).toHaveLength(2);
    for (const item of items) {
      expect(item.question).toMatch(/\?$/);
      expect(CORPUS.map((c) => c._id)).toContain(item.gold_ids[0]);
      expect(CORPUS.find((c) => c._id === item.gold_ids[0])?.text).toContain(item.answers[0]);
    }
    const scored = JSON.parse((await runCli(["eval", "answers", "--dataset", qa, "--index", index, "--json"])).stdout);
    expect(scored.metrics.goldInTopK).toBe(1);
  });

  it("the judge reads only well-formed verdicts and refuses to run without a model", async () => {
    expect(parseJudge('Sure. {"faithful": 1, "relevance": 4}')).toEqual({ faithful: 1, relevance: 4 });
    expect(parseJudge('{"faithful": 2, "relevance": 4}')).toBeUndefined();
    expect(parseJudge("[1] [1] [1]")).toBeUndefined();
    const dataset = await tempDir();
    await writeFile(path.join(dataset, "corpus.jsonl"), CORPUS.map((c) => JSON.stringify(c)).join("\n"));
    await writeFile(path.join(dataset, "questions.jsonl"), QUESTIONS.map((q) => JSON.stringify(q)).join("\n"));
    const index = path.join(await tempDir(), "idx");
    const noModel = await runCli(["eval", "answers", "--dataset", dataset, "--index", index, "--judge"]);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toMatch(/INVALID_CONFIG.*judge needs a model/);
    const model = await tinyModelFile({ favour: "▁[1]" });
    const out = path.join(await tempDir(), "run.json");
    const judged = await runCli(
      ["eval", "answers", "--dataset", dataset, "--index", index, "--judge", "--model", model, "--out", out, "--limit", "2"],
      {
        env: { RAGKIT_GENERATE_MAX_TOKENS: "4" },
      },
    );
    expect(judged.code, judged.stderr).toBe(0);
    const run = JSON.parse(await readFile(out, "utf8"));
    expect(run.config.judgePrompt).toMatch(/faithful/);
    // A random model never writes a valid verdict: every answer is unjudged, none counts as a pass.
    expect(run.results.map((r: { metrics: { judged: number } }) => r.metrics.judged)).toEqual([0, 0]);
    expect(run.metrics).not.toHaveProperty("judgeFaithful");
  });
});

describe("interrupted answer evaluation", () => {
  it("an abort keeps what was scored and marks the run partial", async () => {
    const dataset = await tempDir();
    await writeFile(path.join(dataset, "corpus.jsonl"), CORPUS.map((c) => JSON.stringify(c)).join("\n"));
    await writeFile(path.join(dataset, "questions.jsonl"), QUESTIONS.map((q) => JSON.stringify(q)).join("\n"));
    const rag = await Rag.open({ dir: path.join(await tempDir(), "idx") });
    const out = path.join(await tempDir(), "partial.json");
    try {
      const controller = new AbortController();
      const run = await evaluateAnswers(rag, dataset, {
        out,
        signal: controller.signal,
        onProgress: (done) => done === 1 && controller.abort(),
      });
      expect(run.partial).toBe(true);
      expect(run.results).toHaveLength(1);
      expect(JSON.parse(await readFile(out, "utf8")).partial).toBe(true);
    } finally {
      await rag.close();
    }
  });
});
