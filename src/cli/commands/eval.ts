import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { RagkitError } from "../../errors.js";
import { evaluateAnswers } from "../../eval/answers.js";
import { compareRuns, readRunFile } from "../../eval/compare.js";
import { generateQuestions } from "../../eval/questions.js";
import { type ReportRun, writeReport } from "../../eval/report.js";
import { evaluateRetrieval } from "../../eval/retrieval.js";
import { shortId } from "../../text/hash.js";
import { abortOnInterrupt, parseIntOption, parseMode, parseNumberOption, printJson, withRag } from "../common.js";
import { type AskFlags, generateOverrides, withModelOptions } from "./ask.js";

interface RetrievalFlags {
  dataset: string;
  runOut?: string;
  out?: string;
  report?: string;
  mode?: string;
  denseWeight?: number;
  fusion?: string;
  split?: string;
  tune: boolean;
}

/** The index a BEIR dataset gets (per embedder) unless --index says otherwise: `eval retrieval` and `tune` share it. */
export function evalIndexDir(dataset: string, embedder: string | undefined): string {
  return path.join(tmpdir(), "ragkit-eval", shortId(`${path.resolve(dataset)}\u0000${embedder ?? ""}`));
}

export function registerEval(program: Command): void {
  const evaluate = program.command("eval").description("measure retrieval quality");
  evalRetrieval(evaluate);
  evalAnswers(evaluate);
  evalCompare(evaluate);
  evalQuestions(evaluate);
}

/** `eval retrieval`: nDCG and recall of search on a BEIR dataset. */
function evalRetrieval(evaluate: Command): void {
  evaluate
    .command("retrieval")
    .description("nDCG@10, Recall@10/100, MRR@10 and MAP@100 on a BEIR dataset (corpus.jsonl, queries.jsonl, qrels/test.tsv)")
    .requiredOption("--dataset <dir>", "BEIR folder")
    .option("--run-out <file>", "write the TREC run (top 100 documents per query)")
    .option("--out <file>", "write the JSON run file (per-query results, for `eval compare`)")
    .option("--report <file>", "write a self-contained HTML report with charts")
    .option("--mode <mode>", "hybrid (default), dense or lexical")
    .option("--dense-weight <w>", "dense weight in hybrid fusion", parseNumberOption("--dense-weight"))
    .option("--fusion <kind>", "convex (default) or rrf")
    .option("--split <name>", "qrels split", "test")
    .option("--no-tune", "search as if `ragkit tune` had never run")
    .action(async (options: RetrievalFlags, command: Command) => {
      const globals = command.optsWithGlobals() as { json?: boolean; index?: string; embedder?: string };
      const mode = parseMode(options.mode);
      if (options.fusion && options.fusion !== "convex" && options.fusion !== "rrf") {
        throw new RagkitError("INVALID_ARGUMENT", `--fusion must be convex or rrf, not "${options.fusion}"`);
      }
      // A dataset (per embedder) gets its own index, kept between runs so re-evaluating only re-runs queries.
      const dir = globals.index ?? evalIndexDir(options.dataset, globals.embedder);
      const result = await withRag(
        command,
        (rag) =>
          evaluateRetrieval(rag, options.dataset, {
            ...(options.split ? { split: options.split } : {}),
            ...(options.runOut ? { runOut: options.runOut } : {}),
            ...(options.out ? { out: options.out } : {}),
            search: {
              ...(mode ? { mode } : {}),
              ...(options.denseWeight !== undefined ? { denseWeight: options.denseWeight } : {}),
              ...(options.fusion ? { fusion: options.fusion as "convex" | "rrf" } : {}),
              ...(options.tune ? {} : { tune: false }),
            },
            onIngestProgress: (p) => {
              if (p.phase === "done" && !globals.json)
                process.stderr.write(`indexed ${p.documentsWritten} documents, ${p.chunksEmbedded} chunks embedded\n`);
            },
            onQuery: (done, total) => {
              if (!globals.json && process.stderr.isTTY) process.stderr.write(`\rqueries ${done}/${total}`);
            },
          }),
        { dir },
      );
      if (!globals.json && process.stderr.isTTY) process.stderr.write("\n");
      if (options.report) await writeReport(options.report, [result], [path.basename(options.dataset)]);
      if (globals.json) {
        const { results: _results, kind: _kind, ...summary } = result;
        printJson(summary);
        return;
      }
      const m = result.metrics;
      process.stdout.write(
        `${[
          `dataset     ${result.dataset} (${result.queries} queries)`,
          `config      ${JSON.stringify(result.config)}`,
          `nDCG@10     ${m["ndcg@10"].toFixed(4)}`,
          `Recall@10   ${m["recall@10"].toFixed(4)}`,
          `Recall@100  ${m["recall@100"].toFixed(4)}`,
          `MRR@10      ${m["mrr@10"].toFixed(4)}`,
          `MAP@100     ${m["map@100"].toFixed(4)}`,
          `search      ${result.timings.queriesPerSecond.toFixed(1)} queries/s`,
          ...(options.runOut ? [`run file    ${path.resolve(options.runOut)}`] : []),
          ...(options.report ? [`report      ${path.resolve(options.report)}`] : []),
        ].join("\n")}\n`,
      );
    });
}

/** `eval answers`: Answers to a QA set, scored. */
function evalAnswers(evaluate: Command): void {
  withModelOptions(
    evaluate
      .command("answers")
      .description("answer a QA set ({_id, question, answers[], gold_ids[]}) and score EM, F1, BLEU, ROUGE, retrieval and citations")
      .requiredOption("--dataset <path>", "folder with questions.jsonl and corpus.jsonl, or a questions JSONL file")
      .option("--corpus <path>", "corpus JSONL ({_id, title, text}) or a folder of documents to index first")
      .option("--limit <n>", "a fixed, seeded subsample of this many questions", parseIntOption("--limit"))
      .option("--seed <n>", "seed of the subsample (default 13)", parseIntOption("--seed"))
      .option("--out <file>", "write the run file (JSON, every question's answer and metrics)")
      .option("--report <file>", "write a self-contained HTML report with charts")
      .option("--judge", "also have the configured model judge faithfulness and relevance"),
  ).action(
    async (
      options: AskFlags & {
        dataset: string;
        corpus?: string;
        limit?: number;
        seed?: number;
        out?: string;
        report?: string;
        judge?: boolean;
      },
      command: Command,
    ) => {
      const globals = command.optsWithGlobals() as { json?: boolean; index?: string };
      const dir =
        globals.index ?? path.join(tmpdir(), "ragkit-eval", shortId(`answers:${path.resolve(options.corpus ?? options.dataset)}`));
      const interrupt = abortOnInterrupt("Stopping after this question; the partial run is still written.");
      try {
        const run = await withRag(
          command,
          (rag) =>
            evaluateAnswers(rag, options.dataset, {
              ...(options.corpus ? { corpus: options.corpus } : {}),
              ...(options.limit ? { limit: options.limit } : {}),
              ...(options.seed ? { seed: options.seed } : {}),
              ...(options.out ? { out: options.out } : {}),
              ...(options.judge ? { judge: true } : {}),
              signal: interrupt.signal,
              onProgress: (done, total) => {
                if (!globals.json && process.stderr.isTTY) process.stderr.write(`\rquestions ${done}/${total}`);
              },
            }),
          { dir, config: generateOverrides(options) },
        );
        if (!globals.json && process.stderr.isTTY) process.stderr.write("\n");
        if (options.report) await writeReport(options.report, [run], [String(run.config.model)]);
        if (globals.json) {
          const { results: _results, ...summary } = run;
          printJson(summary);
          return;
        }
        const lines = [
          `dataset     ${run.dataset} (${run.results.length} questions${run.partial ? ", partial" : ""})`,
          `model       ${String(run.config.model)}`,
        ];
        for (const [key, value] of Object.entries(run.metrics)) lines.push(`${key.padEnd(24)}${value.toFixed(4)}`);
        if (options.out) lines.push(`run file    ${path.resolve(options.out)}`);
        process.stdout.write(`${lines.join("\n")}\n`);
      } finally {
        interrupt.dispose();
      }
    },
  );
}

/** `eval compare`: Two run files compared, metric by metric. */
function evalCompare(evaluate: Command): void {
  evaluate
    .command("compare")
    .description("per-metric deltas of two run files with paired-bootstrap 95% intervals and p-values")
    .argument("<base>", "run file (from eval … --out)")
    .argument("<candidate>", "run file to compare with it")
    .option("--fail-if-worse", "exit 1 when any metric is significantly worse (for CI quality gates)")
    .option("--report <file>", "write a self-contained HTML report of both runs side by side")
    .action(async (baseFile: string, candidateFile: string, options: { failIfWorse?: boolean; report?: string }, command: Command) => {
      const json = Boolean(command.optsWithGlobals().json);
      const base = await readRunFile(baseFile);
      const candidate = await readRunFile(candidateFile);
      const comparison = compareRuns(base, candidate);
      if (options.report) {
        const runs: ReportRun[] = [base, candidate];
        await writeReport(options.report, runs, [path.basename(baseFile), path.basename(candidateFile)], comparison);
      }
      if (json) printJson(comparison);
      else {
        const lines = [
          `${comparison.kind} runs, ${comparison.queries} paired queries`,
          "metric                   base      cand      delta     95% CI                p       wins/losses",
        ];
        for (const m of comparison.metrics) {
          const flag = m.worse ? "  WORSE" : m.significant ? "  better" : "";
          lines.push(
            `${m.metric.padEnd(24)} ${m.base.toFixed(4).padStart(8)}  ${m.candidate.toFixed(4).padStart(8)}  ${(m.delta >= 0 ? "+" : "") + m.delta.toFixed(4)}   [${m.ci[0].toFixed(4)}, ${m.ci[1].toFixed(4)}]  ${m.pValue.toFixed(3)}   ${m.wins}/${m.losses}${flag}`,
          );
        }
        process.stdout.write(`${lines.join("\n")}\n`);
      }
      if (options.failIfWorse && comparison.metrics.some((m) => m.worse)) process.exitCode = 1;
    });
}

/** `eval questions`: Synthetic QA pairs drawn from the index. */
function evalQuestions(evaluate: Command): void {
  withModelOptions(
    evaluate
      .command("questions")
      .description("synthetic QA pairs from the index (a model writes them; extractive without one), gold = source document")
      .requiredOption("--out <file>", "QA JSONL to write ({_id, question, answers[], gold_ids[]})")
      .option("--count <n>", "how many (default 50)", parseIntOption("--count"), 50)
      .option("--seed <n>", "seed for picking passages", parseIntOption("--seed")),
  ).action(async (options: AskFlags & { out: string; count: number; seed?: number }, command: Command) => {
    const json = Boolean(command.optsWithGlobals().json);
    const items = await withRag(
      command,
      (rag) => generateQuestions(rag, { count: options.count, ...(options.seed ? { seed: options.seed } : {}) }),
      {
        mustExist: true,
        config: generateOverrides(options),
      },
    );
    await writeFile(options.out, `${items.map((i) => JSON.stringify(i)).join("\n")}\n`);
    if (json) printJson({ out: path.resolve(options.out), questions: items.length });
    else process.stdout.write(`${items.length} questions written to ${path.resolve(options.out)}\n`);
  });
}
