import { tmpdir } from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { RagkitError } from "../../errors.js";
import { evaluateRetrieval } from "../../eval/retrieval.js";
import { shortId } from "../../text/hash.js";
import { parseMode, parseNumberOption, printJson, withRag } from "../common.js";

interface RetrievalFlags {
  dataset: string;
  runOut?: string;
  mode?: string;
  denseWeight?: number;
  fusion?: string;
  split?: string;
}

export function registerEval(program: Command): void {
  const evaluate = program.command("eval").description("measure retrieval quality");
  evaluate
    .command("retrieval")
    .description("nDCG@10, Recall@10/100, MRR@10 and MAP@100 on a BEIR dataset (corpus.jsonl, queries.jsonl, qrels/test.tsv)")
    .requiredOption("--dataset <dir>", "BEIR folder")
    .option("--run-out <file>", "write the TREC run (top 100 documents per query)")
    .option("--mode <mode>", "hybrid (default), dense or lexical")
    .option("--dense-weight <w>", "dense weight in hybrid fusion", parseNumberOption("--dense-weight"))
    .option("--fusion <kind>", "convex (default) or rrf")
    .option("--split <name>", "qrels split", "test")
    .action(async (options: RetrievalFlags, command: Command) => {
      const globals = command.optsWithGlobals() as { json?: boolean; index?: string };
      const mode = parseMode(options.mode);
      if (options.fusion && options.fusion !== "convex" && options.fusion !== "rrf") {
        throw new RagkitError("INVALID_ARGUMENT", `--fusion must be convex or rrf, not "${options.fusion}"`);
      }
      // A dataset gets its own index, kept between runs so re-evaluating only re-runs queries.
      const dir = globals.index ?? path.join(tmpdir(), "ragkit-eval", shortId(path.resolve(options.dataset)));
      const result = await withRag(
        command,
        (rag) =>
          evaluateRetrieval(rag, options.dataset, {
            ...(options.split ? { split: options.split } : {}),
            ...(options.runOut ? { runOut: options.runOut } : {}),
            search: {
              ...(mode ? { mode } : {}),
              ...(options.denseWeight !== undefined ? { denseWeight: options.denseWeight } : {}),
              ...(options.fusion ? { fusion: options.fusion as "convex" | "rrf" } : {}),
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
      if (globals.json) {
        printJson(result);
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
        ].join("\n")}\n`,
      );
    });
}
