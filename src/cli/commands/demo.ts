import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { answerJson } from "../../json.js";
import { Rag } from "../../rag.js";
import { printJson } from "../common.js";
import { formatAnswer } from "../format.js";

export const SAMPLES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../samples");
const DEFAULT_QUESTION = "How do I rotate API keys?";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("ingest the bundled sample documents into a temporary index and answer a question")
    .argument("[question]", "what to ask", DEFAULT_QUESTION)
    .action(async (question: string, _options: unknown, command: Command) => {
      const json = Boolean(command.optsWithGlobals().json);
      const dir = await mkdtemp(path.join(tmpdir(), "ragkit-demo-"));
      const rag = await Rag.open({ dir });
      try {
        const report = await rag.ingest([SAMPLES_DIR]);
        if (!json) {
          process.stdout.write(
            `Indexed ${report.added} sample documents from ${SAMPLES_DIR} (${report.chunksEmbedded} chunks embedded).\n\n`,
          );
          process.stdout.write(`Q: ${question}\n\n`);
        }
        const answer = await rag.ask(question);
        if (json) printJson({ question, ingest: { added: report.added, chunksEmbedded: report.chunksEmbedded }, ...answerJson(answer) });
        else process.stdout.write(formatAnswer(answer));
      } finally {
        await rag.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
}
