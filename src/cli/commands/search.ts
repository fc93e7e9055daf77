import type { Command } from "commander";
import { hitJson } from "../../json.js";
import { parseFilters, parseMode, printJson, printWarning, withRag, withRetrievalOptions } from "../common.js";
import { formatHits } from "../format.js";

export function registerSearch(program: Command): void {
  withRetrievalOptions(
    program.command("search").description("find the passages that best match a query").argument("<query>", "what to look for"),
    "number of results",
  )
    .option("--documents", "one result per document (its best passage)")
    .action(async (query: string, options: { k?: number; mode?: string; filter?: string[]; documents?: boolean }, command: Command) => {
      const json = Boolean(command.optsWithGlobals().json);
      const mode = parseMode(options.mode);
      const filter = parseFilters(options.filter);
      const hits = await withRag(
        command,
        (rag) =>
          rag.search(query, {
            ...(options.k ? { k: options.k } : {}),
            ...(mode ? { mode } : {}),
            ...(filter ? { filter } : {}),
            ...(options.documents ? { collapse: true } : {}),
            onWarning: printWarning,
          }),
        { mustExist: true },
      );
      if (json) printJson({ hits: hits.map(hitJson) });
      else process.stdout.write(formatHits(hits));
    });
}
