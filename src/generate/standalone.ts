import { rewriteMessages } from "./prompt.js";
import type { ChatMessage, Generator } from "./types.js";

/**
 * A follow-up ("and the second one?") as a question that stands on its own, for retrieval: the
 * model rewrites it; without a model, the previous question carries the topic it refers to.
 */
export async function standaloneQuestion(
  history: ChatMessage[],
  previous: string,
  question: string,
  generator: Generator | undefined,
): Promise<string> {
  const fallback = `${previous} ${question}`;
  if (!generator) return fallback;
  let rewritten = "";
  for await (const delta of generator.stream(rewriteMessages(history, question), { maxTokens: 96, temperature: 0 })) rewritten += delta;
  rewritten = rewritten.trim().split("\n")[0]?.trim() ?? "";
  return rewritten.length > 0 && rewritten.length < question.length * 4 + 200 ? rewritten : fallback;
}
