import type { Command } from "commander";
import { RagkitError } from "../../errors.js";
import { Rag } from "../../rag.js";
import { cliLockOptions, type GlobalOptions, printJson } from "../common.js";
import { documentsProgress } from "../progress.js";

interface CopyOptions {
  from?: string;
  to?: string;
  fromSchema?: string;
  toSchema?: string;
}

export function registerCopy(program: Command): void {
  program
    .command("copy")
    .description("move an index between stores (a folder or a postgres:// URL each) without embedding again; run again to resume")
    .requiredOption("--from <dir|url>", "the index to copy: a LanceDB folder or a postgres:// URL")
    .requiredOption("--to <dir|url>", "where to: a LanceDB folder or a postgres:// URL (empty, or an earlier copy of the same index)")
    .option("--from-schema <name>", "Postgres schema of --from (default ragkit)")
    .option("--to-schema <name>", "Postgres schema of --to (default ragkit)")
    .action(async (options: CopyOptions, command: Command) => {
      const globals = command.optsWithGlobals() as GlobalOptions;
      if (!options.from || !options.to) throw new RagkitError("INVALID_ARGUMENT", "ragkit copy --from <dir|url> --to <dir|url>");
      const progress = documentsProgress("copy");
      try {
        const report = await Rag.copy(options.from, options.to, {
          ...(globals.config ? { configFile: globals.config } : {}),
          ...(options.fromSchema ? { fromSchema: options.fromSchema } : {}),
          ...(options.toSchema ? { toSchema: options.toSchema } : {}),
          lock: cliLockOptions(globals.wait !== false),
          onProgress: (p) => progress.update(p),
        });
        progress.stop();
        if (globals.json) printJson(report);
        else
          process.stdout.write(
            `Copied ${report.documents} documents (${report.chunks} chunks, no embedding)${report.skipped ? `; ${report.skipped} already there` : ""}: ${report.from} → ${report.to}\n`,
          );
      } finally {
        progress.stop();
      }
    });
}
