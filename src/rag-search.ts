import type { RagkitConfig } from "./config.js";
import type { QueryVectorCache } from "./embed/embed-batches.js";
import type { Embedder } from "./embed/types.js";
import { RagkitError } from "./errors.js";
import type { SearchOptions } from "./rag-options.js";
import { rerankHits } from "./rerank/rerank.js";
import type { Reranker } from "./rerank/types.js";
import { retrieve } from "./retrieve/retrieve.js";
import type { Store } from "./store/types.js";
import type { ActiveTune } from "./tune/state.js";
import type { Hit } from "./types.js";

export interface SearchContext {
  config: RagkitConfig;
  store: Store;
  embedder: Embedder;
  queryCache: QueryVectorCache;
  /** The active tuning, unless the search leaves it out. */
  tuned: ActiveTune | undefined;
  reranker: Reranker | undefined;
}

/**
 * Hybrid (or dense, or lexical) retrieval with the tuned settings and query adapter, then the
 * reranker over the first `rerank.candidates` hits. A failing reranker keeps the first-stage order
 * and says so through `onWarning` (unless `rerank.strict`).
 */
export async function searchIndex(context: SearchContext, query: string, options: SearchOptions): Promise<Hit[]> {
  const { config, tuned, reranker } = context;
  const s = config.search;
  const k = options.k ?? s.k;
  if (options.rerank === true && !reranker) {
    throw new RagkitError("INVALID_ARGUMENT", "No reranker is configured: set rerank.provider (or pass --rerank provider:model)");
  }
  const adapter = tuned?.adapter;
  const deps = {
    store: context.store,
    embedder: context.embedder,
    queryCache: context.queryCache,
    ...(adapter ? { adapt: (v: Float32Array) => adapter.apply(v) } : {}),
  };
  const fusion = options.fusion ?? tuned?.settings.fusion;
  const hits = await retrieve(deps, query, {
    k: reranker ? Math.max(k, config.rerank.candidates) : k,
    mode: options.mode ?? s.mode,
    denseWeight: options.denseWeight ?? tuned?.settings.denseWeight ?? s.denseWeight,
    candidates: options.candidates ?? s.candidates,
    ...(fusion ? { fusion } : {}),
    ...(options.filter ? { filter: options.filter } : {}),
    ...(options.collapse !== undefined ? { collapse: options.collapse } : {}),
  });
  if (!reranker) return hits;
  const reranked = await rerankHits(reranker, query, hits, {
    k,
    strict: config.rerank.strict,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for (const warning of reranked.warnings) options.onWarning?.(warning);
  return reranked.hits;
}

/** Names of what answers and reranks, from the config (no model is loaded to say it); "custom" when given to `open`. */
export function partNames(
  config: RagkitConfig,
  custom: { generator: boolean; reranker: boolean },
): { answerer: string; reranker: string | null } {
  const { provider, model } = config.generate;
  const kind = provider !== "auto" ? provider : model && /\.gguf$|^hf:/i.test(model) ? "llama-cpp" : "openai";
  const answerer = custom.generator ? "custom" : provider === "extractive" || !model ? "extractive" : `${kind}:${model}`;
  const r = config.rerank;
  const reranker = custom.reranker ? "custom" : r.provider === "none" ? null : r.model ? `${r.provider}:${r.model}` : r.provider;
  return { answerer, reranker };
}
