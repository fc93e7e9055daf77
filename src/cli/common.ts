import type { Command } from "commander";
import type { RagkitConfig } from "../config.js";
import { RagkitError } from "../errors.js";
import { Rag } from "../rag.js";
import type { RagOpenOptions } from "../rag-options.js";
import type { LockOptions, SearchFilter, SearchMode } from "../types.js";
import { downloadProgress } from "./progress.js";

// A first use of a hub model downloads it: show that, whichever command caused it.
Rag.onModelDownload(downloadProgress());

export interface GlobalOptions {
  index?: string;
  config?: string;
  json?: boolean;
  /** false with --no-wait. */
  wait?: boolean;
  /** `provider:model`, e.g. openai:text-embedding-3-small. */
  embedder?: string;
  embedderBaseUrl?: string;
  /** `provider:model`, e.g. cross-encoder:Xenova/ms-marco-MiniLM-L-6-v2, http:rerank-v3.5, llm. */
  rerank?: string;
  rerankBaseUrl?: string;
  /** A postgres:// URL: the index lives in that database instead of the --index folder. */
  store?: string;
  storeSchema?: string;
}

/** `--store` and `--store-schema` as config overrides (RAGKIT_STORE_URL and the config file otherwise). */
export function storeOverrides(options: GlobalOptions): { store?: { url?: string; schema?: string } } {
  const store = {
    ...(options.store !== undefined ? { url: options.store } : {}),
    ...(options.storeSchema !== undefined ? { schema: options.storeSchema } : {}),
  };
  return Object.keys(store).length > 0 ? { store } : {};
}

/** Options every command shares, read from wherever commander put them. */
export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

export async function openRag(command: Command, extra: Partial<RagOpenOptions> = {}): Promise<Rag> {
  const options = globalOptions(command);
  const embedder = {
    ...(options.embedder ? parseProviderFlag<RagkitConfig["embedder"]["provider"]>(options.embedder) : {}),
    ...(options.embedderBaseUrl ? { baseUrl: options.embedderBaseUrl } : {}),
  };
  const rerank = {
    ...(options.rerank ? parseProviderFlag<RagkitConfig["rerank"]["provider"]>(options.rerank) : {}),
    ...(options.rerankBaseUrl ? { baseUrl: options.rerankBaseUrl } : {}),
  };
  return Rag.open({
    ...(options.index ? { dir: options.index } : {}),
    ...(options.config ? { configFile: options.config } : {}),
    lock: cliLockOptions(options.wait !== false),
    ...extra,
    config: {
      ...extra.config,
      ...storeOverrides(options),
      ...(Object.keys(embedder).length > 0 ? { embedder: { ...extra.config?.embedder, ...embedder } } : {}),
      ...(Object.keys(rerank).length > 0 ? { rerank: { ...extra.config?.rerank, ...rerank } } : {}),
    },
  });
}

/**
 * `--embedder provider:model` / `--rerank provider:model` as config; the config's schema then
 * refuses an unknown provider by name.
 */
export function parseProviderFlag<P extends string>(value: string): { provider: P; model?: string } {
  const at = value.indexOf(":");
  const provider = (at < 0 ? value : value.slice(0, at)) as P;
  const model = at < 0 ? "" : value.slice(at + 1);
  return { provider, ...(model ? { model } : {}) };
}

/** Warnings of a search or answer (e.g. a reranker that failed), one line each on stderr. */
export function printWarning(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

/** Writers wait for one another, saying once who they wait for; `--no-wait` fails instead. */
export function cliLockOptions(wait: boolean): LockOptions {
  return {
    wait,
    command: `ragkit ${process.argv.slice(2).join(" ")}`.slice(0, 200),
    onWait: (holder) =>
      process.stderr.write(
        `Waiting for the index: process ${holder.pid} on ${holder.host} (${holder.command || "unknown"}) is writing it since ${holder.since}…\n`,
      ),
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function parseMode(value: string | undefined): SearchMode | undefined {
  if (value === undefined) return undefined;
  if (value === "hybrid" || value === "dense" || value === "lexical") return value;
  throw new RagkitError("INVALID_ARGUMENT", `--mode must be hybrid, dense or lexical, not "${value}"`);
}

export function parseIntOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new RagkitError("INVALID_ARGUMENT", `${name} must be a positive integer, not "${value}"`);
    return n;
  };
}

export function parseNumberOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new RagkitError("INVALID_ARGUMENT", `${name} must be a number, not "${value}"`);
    return n;
  };
}

/**
 * `--filter key=value`, repeatable: `source=<glob>`, `id=<document id>` (repeat for several),
 * anything else is a metadata equality.
 */
export function parseFilters(values: string[] | undefined): SearchFilter | undefined {
  if (!values || values.length === 0) return undefined;
  const filter: SearchFilter = {};
  const ids: string[] = [];
  for (const value of values) {
    const at = value.indexOf("=");
    if (at <= 0) throw new RagkitError("INVALID_ARGUMENT", `--filter takes key=value (e.g. source=docs/**/*.md), not "${value}"`);
    const key = value.slice(0, at).trim();
    const wanted = value.slice(at + 1).trim();
    if (key === "source") filter.source = wanted;
    else if (key === "id" || key === "documentId") ids.push(wanted);
    else filter.metadata = { ...filter.metadata, [key]: wanted };
  }
  if (ids.length > 0) filter.documentId = ids;
  return filter;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Runs a command body with the Rag closed afterwards and errors printed the one way. */
export async function withRag<T>(command: Command, body: (rag: Rag) => Promise<T>, extra: Partial<RagOpenOptions> = {}): Promise<T> {
  const rag = await openRag(command, extra);
  try {
    return await body(rag);
  } finally {
    await rag.close();
  }
}

/** `--k`, `--mode` and `--filter`, the retrieval options shared by `search` and `ask`. */
export function withRetrievalOptions(command: Command, kHelp: string): Command {
  return command
    .option("-k, --k <n>", kHelp, parseIntOption("--k"))
    .option("--mode <mode>", "retrieval mode: hybrid (default), dense or lexical")
    .option("--filter <key=value>", "source=<glob>, id=<document id>, or <metadata key>=<value> (repeatable)", collect);
}

/**
 * The first Ctrl-C asks long work to stop at a safe point (the signal aborts); a second one exits
 * at once. Call `dispose` when the work is done.
 */
export function abortOnInterrupt(message: string): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\n${message}\n`);
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  return { signal: controller.signal, dispose: () => process.off("SIGINT", onSigint) };
}

/** Resolves on SIGINT or SIGTERM, so a server can close cleanly on either. */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

export interface WalkFlags {
  include?: string[];
  exclude?: string[];
  gitignore: boolean;
}

/** `--include`, `--exclude`, `--no-gitignore`: which files of a folder count (ingest and watch). */
export function withWalkOptions(command: Command): Command {
  return command
    .option("--include <glob>", "only files matching this glob (repeatable)", collect)
    .option("--exclude <glob>", "skip files matching this glob (repeatable)", collect)
    .option("--no-gitignore", "do not honour .gitignore files");
}

/** The walk flags as config overrides. */
export function walkOverrides(options: WalkFlags) {
  return {
    load: {
      ...(options.include ? { include: options.include } : {}),
      ...(options.exclude ? { exclude: options.exclude } : {}),
      ...(options.gitignore === false ? { gitignore: false } : {}),
    },
  };
}
