import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import type { ChatMessage } from "../../generate/types.js";
import type { Answer } from "../../types.js";
import { collect, parseFilters, parseIntOption, withRag } from "../common.js";
import { formatSources } from "../format.js";
import { type AskFlags, generateOverrides, withModelOptions } from "./ask.js";

const HELP = "Commands: /sources (sources of the last answer), /reset (forget the conversation), /exit";

export function registerChat(program: Command): void {
  withModelOptions(
    program
      .command("chat")
      .description("a conversation over the indexed documents; follow-up questions are understood in context")
      .option("-k, --k <n>", "passages to read per question", parseIntOption("--k"))
      .option("--filter <key=value>", "restrict the passages, as in `search` (repeatable)", collect),
  ).action(async (options: AskFlags, command: Command) => {
    const filter = parseFilters(options.filter);
    await withRag(
      command,
      async (rag) => {
        const generator = await rag.generator();
        const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: Boolean(process.stdin.isTTY) });
        process.stdout.write(
          `ragkit chat (${generator ? generator.model : "extractive answers; pass --model for a language model"}). ${HELP}\n`,
        );
        let history: ChatMessage[] = [];
        let last: Answer | undefined;
        rl.setPrompt("you> ");
        rl.prompt();
        for await (const line of rl) {
          const input = line.trim();
          if (input === "/exit" || input === "/quit") break;
          if (input === "/reset") {
            history = [];
            last = undefined;
            process.stdout.write("(conversation cleared)\n");
          } else if (input === "/sources") {
            process.stdout.write(last ? formatSources(last) || "(the last answer cited nothing)\n" : "(no answer yet)\n");
          } else if (input === "/help") {
            process.stdout.write(`${HELP}\n`);
          } else if (input.length > 0) {
            process.stdout.write("ragkit> ");
            const controller = new AbortController();
            const stop = () => controller.abort();
            rl.once("SIGINT", stop);
            try {
              for await (const event of rag.chatStream([...history, { role: "user", content: input }], {
                ...(options.k ? { k: options.k } : {}),
                ...(filter ? { filter } : {}),
                signal: controller.signal,
              })) {
                if (event.type === "token") process.stdout.write(event.text);
                if (event.type === "answer") last = event.answer;
              }
              process.stdout.write("\n");
              history.push({ role: "user", content: input }, { role: "assistant", content: last?.text ?? "" });
            } catch (error) {
              process.stdout.write(`\n(${error instanceof Error ? error.message : String(error)})\n`);
            } finally {
              rl.off("SIGINT", stop);
            }
          }
          rl.prompt();
        }
        rl.close();
      },
      { mustExist: true, config: generateOverrides(options) },
    );
  });
}
