import { existsSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { RagkitError } from "../../errors.js";
import type { QaItem } from "../../eval/answers.js";
import { beirPaths, ingestCorpus, readJsonl } from "../../eval/beir.js";
import { compareRuns } from "../../eval/compare.js";
import { evaluateRetrieval, type RetrievalRun } from "../../eval/retrieval.js";
import type { Rag } from "../../rag.js";
import { pairsFromDataset } from "../../tune/pairs.js";
import { writeTuneReport } from "../../tune/report.js";
import type { ExportFormat, TuneComparison, TuneReport } from "../../types.js";
import { parseIntOption, parseNumberOption, printJson, withRag } from "../common.js";
import { tuneProgress } from "../progress.js";
import { evalIndexDir } from "./eval.js";

interface TuneFlags {
  dataset?: string;
  split: string;
  heldOut?: string;
  synthetic?: number;
  feedback?: boolean;
  adapter: boolean;
  seed?: number;
  minGain?: number;
  report?: string;
}

const DEFAULT_SYNTHETIC = 200;

export function registerTune(program: Command): void {
  const tune = program.command("tune").description("fit retrieval to this corpus; `tune status | reset | export`");
  tuneRun(tune);
  tuneStatus(tune);
  tuneReset(tune);
  tuneExport(tune);
}

/** `tune` (the default subcommand): train, and keep what cross-validation says helps. */
function tuneRun(tune: Command): void {
  // The training run is the default subcommand, so `tune export --dataset` keeps its own --dataset.
  tune
    .command("run", { isDefault: true })
    .description("fit retrieval to this corpus: a query adapter and fusion settings, kept only when cross-validation says they help")
    .option("--dataset <path>", "labelled pairs: a BEIR folder (its corpus is indexed first) or a questions JSONL with gold_ids")
    .option("--split <name>", "qrels split of a BEIR folder to train on", "train")
    .option("--held-out <name>", "qrels split to report before/after on (default: test, when it exists and is not --split)")
    .option(
      "--synthetic <n>",
      `also train on N synthetic questions drawn from the index (default ${DEFAULT_SYNTHETIC} when nothing else is given)`,
      parseIntOption("--synthetic"),
    )
    .option("--feedback", "also train on the thumbs up/down stored through the web UI or POST /api/feedback")
    .option("--no-adapter", "tune the fusion settings only")
    .option("--seed <n>", "seed of folds and training (default 7)", parseIntOption("--seed"))
    .option("--min-gain <x>", "smallest cross-validated nDCG@10 gain worth applying (default 0.005)", parseNumberOption("--min-gain"))
    .option("--report <file>", "write a self-contained HTML report")
    .action(async (options: TuneFlags, command: Command) => {
      const globals = command.optsWithGlobals() as { json?: boolean; index?: string; embedder?: string };
      const beir = options.dataset !== undefined && isBeirFolder(options.dataset);
      const dir = globals.index ?? (beir && options.dataset ? evalIndexDir(options.dataset, globals.embedder) : undefined);
      const { report, heldOut } = await withRag(command, (rag) => runTuneCommand(rag, options, beir, !globals.json), dir ? { dir } : {});
      if (options.report) await writeTuneReport(options.report, report, heldOut);
      if (globals.json) return printJson({ ...report, ...(heldOut ? { heldOut } : {}) });
      process.stdout.write(describe(report, heldOut, options.report));
    });
}

/** `tune status`: the active tuning and the earlier ones. */
function tuneStatus(tune: Command): void {
  tune
    .command("status")
    .description("the active tuning: what it was trained on and how it scored; every earlier one")
    .action(async (_options: unknown, command: Command) => {
      const globals = command.optsWithGlobals() as { json?: boolean };
      const status = await withRag(command, (rag) => rag.tuneStatus(), { mustExist: true });
      if (globals.json) return printJson(status);
      const v = status.validation;
      const lines = status.active
        ? [
            `active      version ${status.version} of ${status.createdAt}`,
            `settings    ${JSON.stringify(status.settings)}, adapter ${status.adapter ? "on" : "off"}`,
            `trained on  ${status.pairs?.total} pairs ${JSON.stringify(status.pairs?.bySource)} (data ${status.pairs?.hash})`,
            ...(v ? [`validation  nDCG@10 ${v.untuned.toFixed(4)} → ${v.tuned.toFixed(4)} on ${v.queries} queries`] : []),
          ]
        : [status.stale ? `not applied: version ${status.version} was trained for another embedder; run tune again` : "untuned"];
      for (const h of status.history) lines.push(`  v${h.version} ${h.createdAt} ${h.applied ? "applied" : "kept untuned"}: ${h.reason}`);
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}

/** `tune reset`: untuned search again. */
function tuneReset(tune: Command): void {
  tune
    .command("reset")
    .description("go back to untuned search (stored tunings stay in the history)")
    .action(async (_options: unknown, command: Command) => {
      const globals = command.optsWithGlobals() as { json?: boolean };
      const reset = await withRag(command, (rag) => rag.resetTune(), { mustExist: true });
      if (globals.json) return printJson({ reset });
      process.stdout.write(reset ? "untuned: search uses the configured settings again\n" : "nothing was tuned\n");
    });
}

/** `tune export`: training data for a generator. */
function tuneExport(tune: Command): void {
  tune
    .command("export")
    .description("training data for a generator: each question, the passages ragkit would send, a cited answer")
    .requiredOption("--dataset <file>", "questions JSONL ({_id, question, answers[], gold_ids[]})")
    .option("--format <name>", "openai-chat or alpaca", "openai-chat")
    .requiredOption("--out <file>", "the JSONL to write")
    .action(async (options: { dataset: string; format: string; out: string }, command: Command) => {
      const globals = command.optsWithGlobals() as { json?: boolean };
      if (options.format !== "openai-chat" && options.format !== "alpaca") {
        throw new RagkitError("INVALID_ARGUMENT", `--format must be openai-chat or alpaca, not "${options.format}"`);
      }
      const items = await readQuestions(options.dataset);
      const { lines, report } = await withRag(command, (rag) => rag.exportGeneratorData(items, options.format as ExportFormat), {
        mustExist: true,
      });
      await writeFile(options.out, lines.map((l) => JSON.stringify(l)).join("\n") + (lines.length ? "\n" : ""));
      if (globals.json) return printJson({ ...report, out: path.resolve(options.out) });
      process.stdout.write(
        `${report.written} examples (${report.fromGold} with gold answers, ${report.fromExtractive} extractive), ${report.skipped} skipped; ` +
          `${report.tokens.total} tokens (mean ${report.tokens.mean}, max ${report.tokens.max}); ${report.invalid} invalid → ${path.resolve(options.out)}\n`,
      );
    });
}

async function runTuneCommand(
  rag: Rag,
  options: TuneFlags,
  beir: boolean,
  human: boolean,
): Promise<{ report: TuneReport; heldOut?: TuneComparison }> {
  const dataset = options.dataset;
  if (dataset && beir) {
    const ingest = await ingestCorpus(rag, beirPaths(dataset, options.split).corpus);
    if (human) process.stderr.write(`indexed ${ingest.added + ingest.updated + ingest.unchanged} documents of ${dataset}\n`);
  }
  const pairs = dataset ? await pairsFromDataset(dataset, options.split) : [];
  const synthetic = options.synthetic ?? (pairs.length === 0 && !options.feedback ? DEFAULT_SYNTHETIC : 0);
  const progress = tuneProgress();
  const report = await rag.tune({
    pairs,
    synthetic,
    ...(options.feedback ? { feedback: true } : {}),
    adapter: options.adapter,
    ...(options.seed ? { seed: options.seed } : {}),
    ...(options.minGain !== undefined ? { minGain: options.minGain } : {}),
    onProgress: (p) => progress.update(p),
  });
  progress.stop();
  const heldOutSplit = options.heldOut ?? (options.split !== "test" ? "test" : undefined);
  if (!dataset || !beir || !heldOutSplit || !existsSync(path.join(dataset, "qrels", `${heldOutSplit}.tsv`))) return { report };
  const [before, after] = [await heldOutRun(rag, dataset, heldOutSplit, false), await heldOutRun(rag, dataset, heldOutSplit, true)];
  const ndcg = compareRuns(before, after).metrics.find((m) => m.metric === "ndcg@10");
  if (!ndcg) return { report };
  const heldOut: TuneComparison = {
    queries: after.queries,
    untuned: ndcg.base,
    tuned: ndcg.candidate,
    delta: ndcg.delta,
    ci: ndcg.ci,
    pValue: ndcg.pValue,
    wins: ndcg.wins,
    losses: ndcg.losses,
    ties: ndcg.ties,
  };
  return { report, heldOut };
}

function heldOutRun(rag: Rag, dataset: string, split: string, tuned: boolean): Promise<RetrievalRun> {
  // The corpus was ingested before tuning; the two held-out runs only search.
  return evaluateRetrieval(rag, dataset, { split, search: { tune: tuned }, skipIngest: true });
}

function describe(report: TuneReport, heldOut: TuneComparison | undefined, reportFile: string | undefined): string {
  const line = (c: TuneComparison) =>
    `${c.untuned.toFixed(4)} → ${c.tuned.toFixed(4)} (${c.delta >= 0 ? "+" : ""}${c.delta.toFixed(4)}, 95% CI ${c.ci[0].toFixed(4)} to ${c.ci[1].toFixed(4)}, ${c.queries} queries)`;
  return `${[
    `${report.applied ? `applied (version ${report.version})` : `not applied (version ${report.version} kept for the record)`}: ${report.reason}`,
    `pairs       ${report.pairs.total} ${JSON.stringify(report.pairs.bySource)}, ${report.pairs.dropped} dropped`,
    `settings    ${JSON.stringify(report.settings)}, adapter ${report.adapter.used ? `on (${report.adapter.history.length} epochs)` : "off"}`,
    `validation  nDCG@10 ${line(report.validation)}`,
    ...(heldOut ? [`held out    nDCG@10 ${line(heldOut)}`] : []),
    `time        ${report.seconds.toFixed(1)} s`,
    ...(reportFile ? [`report      ${path.resolve(reportFile)}`] : []),
  ].join("\n")}\n`;
}

function isBeirFolder(dataset: string): boolean {
  return existsSync(dataset) && statSync(dataset).isDirectory() && existsSync(path.join(dataset, "corpus.jsonl"));
}

async function readQuestions(file: string): Promise<QaItem[]> {
  if (!existsSync(file)) throw new RagkitError("DATASET_INVALID", `${file} does not exist; pass a questions JSONL file`);
  const items: QaItem[] = [];
  for await (const item of readJsonl<QaItem>(file)) {
    items.push({ ...item, _id: String(item._id ?? items.length + 1), answers: Array.isArray(item.answers) ? item.answers : [] });
  }
  return items;
}
