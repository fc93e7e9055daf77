import type { Command } from "commander";
import type { Rag } from "../../rag.js";
import { collect, parseFilters, parseIntOption, parseMode, printJson, withRag } from "../common.js";
import { answerJson, formatAnswer } from "../format.js";

interface AskFlags {
  k?: number;
  mode?: string;
  filter?: string[];
}

export async function askAndPrint(rag: Rag, question: string, options: AskFlags, json: boolean): Promise<void> {
  const mode = parseMode(options.mode);
  const filter = parseFilters(options.filter);
  const answer = await rag.ask(question, {
    ...(options.k ? { k: options.k } : {}),
    ...(mode ? { mode } : {}),
    ...(filter ? { filter } : {}),
  });
  if (json) printJson(answerJson(answer));
  else process.stdout.write(formatAnswer(answer));
}

export function registerAsk(program: Command): void {
  program
    .command("ask")
    .description("answer a question from the indexed documents, with citations")
    .argument("<question>", "the question")
    .option("-k, --k <n>", "passages to read", parseIntOption("--k"))
    .option("--mode <mode>", "retrieval mode: hybrid (default), dense or lexical")
    .option("--filter <key=value>", "restrict the passages, as in `search` (repeatable)", collect)
    .action(async (question: string, options: AskFlags, command: Command) => {
      const json = Boolean(command.optsWithGlobals().json);
      await withRag(command, (rag) => askAndPrint(rag, question, options, json), { mustExist: true });
    });
}
