import type { Command } from "commander";
import { answerJson } from "../../json.js";
import type { Rag } from "../../rag.js";
import type { Answer } from "../../types.js";
import { parseFilters, parseMode, printJson, printWarning, withRag, withRetrievalOptions } from "../common.js";
import { formatAnswer, formatSources } from "../format.js";

export interface AskFlags {
  k?: number;
  mode?: string;
  filter?: string[];
  model?: string;
  baseUrl?: string;
  stream?: boolean;
}

/** Config overrides from the model flags shared by `ask` and `chat`. */
export function generateOverrides(flags: AskFlags) {
  return {
    generate: {
      ...(flags.model ? { model: flags.model } : {}),
      ...(flags.baseUrl ? { baseUrl: flags.baseUrl } : {}),
    },
  };
}

export function withModelOptions(command: Command): Command {
  return command
    .option("--model <model>", "model name on an OpenAI-compatible server, a .gguf file, or hf:<user>/<repo>/<file> (RAGKIT_MODEL)")
    .option("--base-url <url>", "OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 (OPENAI_BASE_URL)");
}

export async function askAndPrint(rag: Rag, question: string, options: AskFlags, json: boolean): Promise<Answer> {
  const mode = parseMode(options.mode);
  const filter = parseFilters(options.filter);
  const stream = rag.askStream(question, {
    ...(options.k ? { k: options.k } : {}),
    ...(mode ? { mode } : {}),
    ...(filter ? { filter } : {}),
    onWarning: printWarning,
  });
  let answer: Answer | undefined;
  for await (const event of stream) {
    if (event.type === "token" && options.stream && !json) process.stdout.write(event.text);
    if (event.type === "answer") answer = event.answer;
  }
  const final = answer as Answer;
  if (json) printJson(answerJson(final));
  else if (options.stream) process.stdout.write(`\n${formatSources(final)}`);
  else process.stdout.write(formatAnswer(final));
  return final;
}

export function registerAsk(program: Command): void {
  withModelOptions(
    withRetrievalOptions(
      program
        .command("ask")
        .description("answer a question from the indexed documents, with citations")
        .argument("<question>", "the question"),
      "passages to read",
    ).option("--stream", "print the answer as it is generated, then the sources"),
  ).action(async (question: string, options: AskFlags, command: Command) => {
    const json = Boolean(command.optsWithGlobals().json);
    await withRag(command, (rag) => askAndPrint(rag, question, options, json), { mustExist: true, config: generateOverrides(options) });
  });
}
