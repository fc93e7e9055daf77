import { createRequire } from "node:module";

type Count = (text: string) => number;

const require = createRequire(import.meta.url);
let count: Count | undefined;

/**
 * Token count with the o200k tokenizer, the one current OpenAI-compatible models use. Its tables
 * take ~150 ms to load, so they load on the first count: a search that never chunks never pays.
 */
export function countTokens(text: string): number {
  count ??= (require("gpt-tokenizer") as { countTokens: Count }).countTokens;
  return count(text);
}
