#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { RagkitError } from "../errors.js";
import { VERSION } from "../version.js";

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
  .option(
    "--embedder <provider:model>",
    "embedder for a new index: bundled (default), transformers:<hub id or folder>, gguf:<file>, or openai:<model>; an index remembers its own",
  )
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

type Register = (program: Command) => void;

// Each command's module is imported only when that command runs (or help lists them all): a
// search does not pay for loading the server, the loaders or the language-model clients.
const COMMANDS: Record<string, () => Promise<Register>> = {
  demo: async () => (await import("./commands/demo.js")).registerDemo,
  ingest: async () => (await import("./commands/ingest.js")).registerIngest,
  tune: async () => (await import("./commands/tune.js")).registerTune,
  watch: async () => (await import("./commands/watch.js")).registerWatch,
  search: async () => (await import("./commands/search.js")).registerSearch,
  ask: async () => (await import("./commands/ask.js")).registerAsk,
  chat: async () => (await import("./commands/chat.js")).registerChat,
  docs: async () => (await import("./commands/docs.js")).registerDocs,
  stats: async () => (await import("./commands/stats.js")).registerStats,
  doctor: async () => (await import("./commands/doctor.js")).registerDoctor,
  reindex: async () => (await import("./commands/reindex.js")).registerReindex,
  migrate: async () => (await import("./commands/migrate.js")).registerMigrate,
  copy: async () => (await import("./commands/copy.js")).registerCopy,
  eval: async () => (await import("./commands/eval.js")).registerEval,
  models: async () => (await import("./commands/models.js")).registerModels,
  serve: async () => (await import("./commands/serve.js")).registerServe,
  mcp: async () => (await import("./commands/mcp.js")).registerMcp,
  review: async () => (await import("./commands/review.js")).registerReview,
};

/** The command named on the command line: the first argument that is not a global option or its value. */
function commandName(argv: string[]): string | undefined {
  const valued = new Set(program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short].filter(Boolean)));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("-")) return arg;
    if (valued.has(arg)) i++;
  }
  return undefined;
}

async function registerCommands(): Promise<void> {
  const named = commandName(process.argv.slice(2));
  const wanted = named && named in COMMANDS ? [named] : Object.keys(COMMANDS);
  for (const register of await Promise.all(wanted.map((name) => (COMMANDS[name] as () => Promise<Register>)()))) register(program);
}

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
  await registerCommands();
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are "errors" to commander; commander already printed what is needed.
    process.exitCode = error.exitCode;
  } else {
    fail(error);
  }
}
