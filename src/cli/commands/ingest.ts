import type { Command } from "commander";
import type { IngestReport } from "../../ingest/types.js";
import { abortOnInterrupt, printJson, type WalkFlags, walkOverrides, withRag, withWalkOptions } from "../common.js";
import { ingestProgressReporter } from "../progress.js";

function summary(report: IngestReport, paths: string[]): string {
  const touched = report.added + report.updated + report.unchanged + report.removed + report.failed.length + report.warnings.length;
  if (touched === 0 && !report.aborted) return `no supported files found under ${paths.join(", ")}\n`;
  const lines = [
    `${report.added} added, ${report.updated} updated, ${report.unchanged} unchanged, ${report.removed} removed; ${report.chunksEmbedded} chunks embedded${report.chunksReused ? `, ${report.chunksReused} re-used` : ""}`,
  ];
  if (report.aborted) lines.push("Interrupted: everything written so far is complete; run the same command again to finish.");
  for (const w of report.warnings) lines.push(`warning ${w.code}: ${w.message}`);
  for (const f of report.failed) lines.push(`failed ${f.code}: ${f.message}`);
  return `${lines.join("\n")}\n`;
}

export function registerIngest(program: Command): void {
  withWalkOptions(
    program
      .command("ingest")
      .description("add or update documents from files and folders (unchanged files are skipped; deleted files are removed)")
      .argument("<paths...>", "files or directories"),
  )
    .option("--no-prune", "keep documents whose files were deleted")
    .action(async (paths: string[], options: WalkFlags & { prune: boolean }, command: Command) => {
      const json = Boolean(command.optsWithGlobals().json);
      const config = walkOverrides(options);
      const report = await withRag(
        command,
        async (rag) => {
          const interrupt = abortOnInterrupt(
            "Stopping after the current batch (Ctrl-C again to stop now; the index stays consistent either way)…",
          );
          const progress = ingestProgressReporter();
          try {
            return await rag.ingest(paths, {
              signal: interrupt.signal,
              onProgress: (p) => progress.update(p),
              prune: options.prune,
              waitForIndexes: true,
            });
          } finally {
            progress.stop();
            interrupt.dispose();
          }
        },
        { config },
      );
      if (json) {
        const { added, updated, unchanged, removed, chunksEmbedded, chunksReused, failed, warnings, aborted } = report;
        printJson({ added, updated, unchanged, removed, chunksEmbedded, chunksReused, failed, warnings, aborted });
      } else {
        process.stdout.write(summary(report, paths));
      }
      // Failing is only an error when nothing at all could be done.
      const succeeded = report.added + report.updated + report.unchanged + report.removed;
      if (report.failed.length > 0 && succeeded === 0) process.exitCode = 1;
      if (report.aborted) process.exitCode = 130;
    });
}
