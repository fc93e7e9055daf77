import { countTokens as count } from "gpt-tokenizer";

/** Token count with the o200k tokenizer, the one current OpenAI-compatible models use. */
export function countTokens(text: string): number {
  return count(text);
}
