import type { Command } from "commander";
import { RagkitError } from "../../errors.js";
import { Rag } from "../../rag.js";
import { abortOnInterrupt, cliLockOptions, type GlobalOptions, parseProviderFlag, printJson, storeOverrides } from "../common.js";
import { documentsProgress } from "../progress.js";

export function registerReindex(program: Command): void {
  program
    .command("reindex")
    .description("re-embed the stored chunks with another embedder (--embedder), then swap atomically; Ctrl-C resumes later")
    .action(async (_options: unknown, command: Command) => {
      const globals = command.optsWithGlobals() as GlobalOptions;
      if (!globals.embedder)
        throw new RagkitError("INVALID_ARGUMENT", "Say which embedder to reindex with: ragkit reindex --embedder provider:model");
      const target = {
        ...parseProviderFlag<"bundled" | "transformers" | "openai" | "gguf">(globals.embedder),
        ...(globals.embedderBaseUrl ? { baseUrl: globals.embedderBaseUrl } : {}),
      };
      // Opened with the index's own embedder; the new one is only the target.
      const rag = await Rag.open({
        ...(globals.index ? { dir: globals.index } : {}),
        ...(globals.config ? { configFile: globals.config } : {}),
        config: storeOverrides(globals),
        lock: cliLockOptions(globals.wait !== false),
        mustExist: true,
      });
      const interrupt = abortOnInterrupt(
        "Stopping after the current batch; run the same command again to resume (the old embedder keeps answering)…",
      );
      const progress = documentsProgress("reindex");
      try {
        const report = await rag.reindex({ config: target }, { signal: interrupt.signal, onProgress: (p) => progress.update(p) });
        progress.stop();
        if (globals.json) printJson(report);
        else
          process.stdout.write(
            report.aborted
              ? `Interrupted: ${report.from} still answers; run the same command again to resume.\n`
              : `Reindexed ${report.documents} documents (${report.chunksEmbedded} chunks embedded${report.resumed ? `, ${report.resumed} resumed` : ""}): ${report.from} → ${report.to}\n`,
          );
        if (report.aborted) process.exitCode = 130;
      } finally {
        progress.stop();
        interrupt.dispose();
        await rag.close();
      }
    });
}
