#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { RagkitError } from "../errors.js";
import { Rag } from "../rag.js";
import { VERSION } from "../version.js";
import { registerAsk } from "./commands/ask.js";
import { registerChat } from "./commands/chat.js";
import { registerCopy } from "./commands/copy.js";
import { registerDemo } from "./commands/demo.js";
import { registerDocs } from "./commands/docs.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerEval } from "./commands/eval.js";
import { registerIngest } from "./commands/ingest.js";
import { registerMcp } from "./commands/mcp.js";
import { registerMigrate } from "./commands/migrate.js";
import { registerModels } from "./commands/models.js";
import { registerReindex } from "./commands/reindex.js";
import { registerReview } from "./commands/review.js";
import { registerSearch } from "./commands/search.js";
import { registerServe } from "./commands/serve.js";
import { registerStats } from "./commands/stats.js";
import { registerTune } from "./commands/tune.js";
import { registerWatch } from "./commands/watch.js";
import { downloadProgress } from "./progress.js";

const program = new Command("ragkit")
  .description("Retrieval-augmented generation over your documents: ingest, search, ask — offline by default.")
  .version(VERSION)
  .option("--index <dir>", "index directory (default ./.ragkit, or RAGKIT_INDEX)")
  .option(
    "--store <url>",
    "keep the index in PostgreSQL + pgvector (postgres://user:password@host:port/db) instead of the --index folder; or RAGKIT_STORE_URL",
  )
  .option("--store-schema <name>", "the Postgres schema of this index (default ragkit): several indexes share one database")
  .option("--config <file>", "JSON config file (default ./ragkit.config.json if present)")
  .option("--json", "machine-readable output on stdout")
  .option("--no-wait", "fail with INDEX_LOCKED instead of waiting while another process writes the index")
  .option("--embedder <provider:model>", "embedder for a new index: bundled (default) or openai:<model>; an index remembers its own")
  .option("--embedder-base-url <url>", "OpenAI-compatible endpoint for the embedder, e.g. http://127.0.0.1:11434/v1")
  .option("--rerank <provider:model>", "rerank search results: cross-encoder:<hub id or folder>, http:<model>, or llm (the --model)")
  .option("--rerank-base-url <url>", "API root of an http reranker (/rerank is appended), e.g. https://api.cohere.com/v2")
  .showHelpAfterError()
  .exitOverride();

// `ragkit docs list | head`: once the reader has gone, stop quietly instead of crashing on EPIPE.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

// A first use of a hub model downloads it: show that, whichever command caused it.
Rag.onModelDownload(downloadProgress());

registerDemo(program);
registerIngest(program);
registerTune(program);
registerWatch(program);
registerSearch(program);
registerAsk(program);
registerChat(program);
registerDocs(program);
registerStats(program);
registerDoctor(program);
registerReindex(program);
registerMigrate(program);
registerCopy(program);
registerEval(program);
registerModels(program);
registerServe(program);
registerMcp(program);
registerReview(program);

function fail(error: unknown): void {
  const json = process.argv.includes("--json");
  const e = RagkitError.isInstance(error)
    ? error
    : new RagkitError("INVALID_ARGUMENT", error instanceof Error ? error.message : String(error), { cause: error });
  if (json) process.stdout.write(`${JSON.stringify({ error: e.toJSON() }, null, 2)}\n`);
  process.stderr.write(`ragkit: ${e.code}: ${e.message}\n`);
  if (!RagkitError.isInstance(error) && process.env.RAGKIT_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are "errors" to commander; commander already printed what is needed.
    process.exitCode = error.exitCode;
  } else {
    fail(error);
  }
}
