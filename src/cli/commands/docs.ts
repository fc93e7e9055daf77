import type { Command } from "commander";
import { printJson, withRag } from "../common.js";
import { displayPath } from "../format.js";

export function registerDocs(program: Command): void {
  const docs = program.command("docs").description("list or remove indexed documents");
  docs
    .command("list")
    .description("list indexed documents")
    .action(async (_options: unknown, command: Command) => {
      const json = Boolean(command.optsWithGlobals().json);
      const documents = await withRag(command, (rag) => rag.documents(), { mustExist: true });
      documents.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.id < b.id ? -1 : 1));
      if (json) {
        printJson({
          documents: documents.map((d) => ({
            id: d.id,
            source: d.source,
            title: d.title ?? null,
            chunks: d.chunkCount,
            chars: d.chars,
            updatedAt: new Date(d.updatedAt).toISOString(),
            metadata: d.metadata,
          })),
        });
        return;
      }
      if (documents.length === 0) process.stdout.write("The index is empty.\n");
      for (const d of documents) {
        process.stdout.write(
          `${d.id}  ${String(d.chunkCount).padStart(4)} chunks  ${displayPath(d.source)}${d.title ? `  "${d.title}"` : ""}\n`,
        );
      }
    });
  docs
    .command("rm")
    .description("remove documents by id, file path, or directory")
    .argument("<idsOrPaths...>", "document ids or paths")
    .action(async (items: string[], _options: unknown, command: Command) => {
      const json = Boolean(command.optsWithGlobals().json);
      const result = await withRag(command, (rag) => rag.remove(items), { mustExist: true });
      if (json) printJson(result);
      else {
        process.stdout.write(`${result.removed} document(s) removed\n`);
        for (const item of result.notFound) process.stderr.write(`not found: ${item}\n`);
      }
      if (result.removed === 0 && result.notFound.length > 0) process.exitCode = 1;
    });
}
