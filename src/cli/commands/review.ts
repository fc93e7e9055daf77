import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { RagkitError } from "../../errors.js";
import { readRunFile } from "../../eval/compare.js";
import { writeReport } from "../../eval/report.js";
import { createServer } from "../../server/app.js";
import { VERSION } from "../../version.js";
import { parseIntOption, printJson, untilStopped, withRag } from "../common.js";

interface AnswerRow {
  id: string;
  question?: string;
  answer?: string;
  gold?: string[];
  citations?: Array<{ marker: number; documentId: string; quote: string }>;
}

function csvCell(value: unknown): string {
  const text = String(value ?? "");
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function registerReview(program: Command): void {
  const review = program.command("review").description("human review of answers from an `eval answers --out` run");
  reviewServe(review);
  reviewExport(review);
}

/** `review serve`: the Review page of the web UI for one run file. */
function reviewServe(review: Command): void {
  review
    .command("serve")
    .description("the web UI's Review page for a run: one answer at a time to rate (ratings persist in the index folder)")
    .requiredOption("--run <file>", "run file from `ragkit eval answers --out`")
    .option("--host <host>", "address (default 127.0.0.1)", "127.0.0.1")
    .option("--port <port>", "port (default 8090)", (v) => (v === "0" ? 0 : parseIntOption("--port")(v)), 8090)
    .action(async (options: { run: string; host: string; port: number }, command: Command) => {
      const runFile = await readRunFile(options.run);
      const name = path.basename(options.run);
      await withRag(command, async (rag) => {
        const rows = runFile.results as unknown as AnswerRow[];
        (await rag.reviews()).addItems(
          rows.map((r) => ({
            id: r.id,
            question: r.question ?? "",
            answer: r.answer ?? "",
            gold: r.gold ?? [],
            citations: r.citations ?? [],
          })),
          name,
        );
        // The same server and UI as `ragkit serve`, opened on its Review page.
        const app = await createServer(rag, {
          server: { ...rag.config.server, host: options.host },
          maxFileBytes: rag.config.load.maxBytes,
          version: VERSION,
        });
        const address = await app.listen({ host: options.host, port: options.port });
        process.stderr.write(`ragkit review of ${name} at ${address}/#review\n`);
        await untilStopped();
        await app.close();
      });
    });
}

/** `review export`: the ratings, with agreement between reviewers. */
function reviewExport(review: Command): void {
  review
    .command("export")
    .description("ratings as CSV or JSONL, with inter-reviewer agreement (Cohen's kappa)")
    .option("--run <name>", "only this run (the run file's name)")
    .option("--format <format>", "csv or jsonl", "jsonl")
    .option("--out <file>", "write to a file instead of stdout")
    .option("--report <file>", "with --run-file: an HTML report of that run including the reviewers' agreement")
    .option("--run-file <file>", "the run file the ratings were given on")
    .action(async (options: { run?: string; format: string; out?: string; report?: string; runFile?: string }, command: Command) => {
      const json = Boolean(command.optsWithGlobals().json);
      await withRag(command, async (rag) => {
        const store = await rag.reviews();
        const runName = options.run ?? (options.runFile ? path.basename(options.runFile) : undefined);
        const ratings = store.ratings(runName);
        if (options.report) {
          if (!options.runFile || !runName) throw new RagkitError("INVALID_ARGUMENT", "--report needs --run-file <run.json>");
          const runFile = await readRunFile(options.runFile);
          const mean = ratings.length > 0 ? ratings.reduce((sum, r) => sum + r.correctness, 0) / ratings.length : null;
          await writeReport(options.report, [runFile], [runName], undefined, {
            ratings: ratings.length,
            meanCorrectness: mean,
            agreement: store.agreement(runName),
          });
        }
        if (json) {
          const runs = options.run ? [options.run] : store.runs();
          printJson({ ratings, agreement: Object.fromEntries(runs.map((r) => [r, store.agreement(r)])) });
          return;
        }
        const text =
          options.format === "csv"
            ? [
                "run,item_id,reviewer,correctness,grounded,citations_correct,comment,created_at",
                ...ratings.map((r) =>
                  [r.run, r.itemId, r.reviewer, r.correctness, r.grounded, r.citationsCorrect, r.comment, r.createdAt]
                    .map(csvCell)
                    .join(","),
                ),
              ].join("\n")
            : ratings.map((r) => JSON.stringify(r)).join("\n");
        if (options.out) await writeFile(options.out, `${text}\n`);
        else process.stdout.write(`${text}\n`);
      });
    });
}
