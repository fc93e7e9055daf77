import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export type Pooling = "mean" | "cls";

/** How a model wants to be used; read from its folder where it says, else from the table below. */
export interface ModelRecipe {
  pooling: Pooling;
  queryPrefix: string;
  documentPrefix: string;
  /** Word pieces the model reads. */
  maxTokens: number;
}

const BGE_QUERY = "Represent this sentence for searching relevant passages: ";

// What well-known sentence-embedding families need when their folder does not say it.
const KNOWN: Array<{ match: RegExp; recipe: Partial<ModelRecipe> }> = [
  { match: /all-minilm|paraphrase-minilm|multi-qa-minilm/i, recipe: { pooling: "mean", maxTokens: 256 } },
  { match: /bge-(small|base|large)-en/i, recipe: { pooling: "cls", queryPrefix: BGE_QUERY, maxTokens: 512 } },
  { match: /bge-m3/i, recipe: { pooling: "cls", maxTokens: 8192 } },
  { match: /(^|\/)(multilingual-)?e5-/i, recipe: { pooling: "mean", queryPrefix: "query: ", documentPrefix: "passage: ", maxTokens: 512 } },
  { match: /gte-/i, recipe: { pooling: "mean", maxTokens: 512 } },
  {
    match: /nomic-embed-text/i,
    recipe: { pooling: "mean", queryPrefix: "search_query: ", documentPrefix: "search_document: ", maxTokens: 2048 },
  },
  { match: /snowflake-arctic-embed/i, recipe: { pooling: "cls", queryPrefix: BGE_QUERY, maxTokens: 512 } },
  { match: /mxbai-embed/i, recipe: { pooling: "cls", queryPrefix: BGE_QUERY, maxTokens: 512 } },
];

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A model's recipe: sentence-transformers' `1_Pooling/config.json` (pooling),
 * `config_sentence_transformers.json` (prompts), `sentence_bert_config.json` and
 * `tokenizer_config.json` (length) when the folder has them; the table of known families for the rest.
 */
export function modelRecipe(name: string, folder?: string): ModelRecipe {
  const known = KNOWN.find((k) => k.match.test(name))?.recipe ?? {};
  const recipe: ModelRecipe = { pooling: "mean", queryPrefix: "", documentPrefix: "", maxTokens: 512, ...known };
  if (!folder) return recipe;
  const pooling = readJson(path.join(folder, "1_Pooling", "config.json"));
  if (pooling?.pooling_mode_cls_token === true) recipe.pooling = "cls";
  else if (pooling?.pooling_mode_mean_tokens === true) recipe.pooling = "mean";
  const prompts = readJson(path.join(folder, "config_sentence_transformers.json"))?.prompts as Record<string, string> | undefined;
  if (prompts) {
    recipe.queryPrefix = prompts.query ?? recipe.queryPrefix;
    recipe.documentPrefix = prompts.document ?? prompts.passage ?? recipe.documentPrefix;
  }
  const sbert = readJson(path.join(folder, "sentence_bert_config.json"))?.max_seq_length;
  const tokenizer = readJson(path.join(folder, "tokenizer_config.json"))?.model_max_length;
  const limits = [sbert, tokenizer].filter((n): n is number => typeof n === "number" && n > 0 && n < 1e6);
  if (limits.length > 0) recipe.maxTokens = Math.min(...limits);
  return recipe;
}
