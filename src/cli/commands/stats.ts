import type { Command } from "commander";
import { printJson, withRag } from "../common.js";

export function registerStats(program: Command): void {
  program
    .command("stats")
    .description("what the index holds and what built it")
    .action(async (_options: unknown, command: Command) => {
      const json = Boolean(command.optsWithGlobals().json);
      const stats = await withRag(command, (rag) => rag.stats(), { mustExist: true });
      if (json) {
        printJson(stats);
        return;
      }
      process.stdout.write(
        `${[
          `index      ${stats.location}${stats.store === "lancedb" ? "" : ` (${stats.store})`}`,
          `documents  ${stats.documents}`,
          `chunks     ${stats.chunks}`,
          `on disk    ${(stats.bytesOnDisk / 1e6).toFixed(1)} MB`,
          `embedder   ${stats.embedder.id} (${stats.embedder.dimensions} dimensions)`,
          `chunker    ${stats.chunker}`,
          `updated    ${stats.updatedAt ?? "never"}`,
        ].join("\n")}\n`,
      );
    });
}
