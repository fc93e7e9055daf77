import { writeFile } from "node:fs/promises";
import type { IngestProgress, IngestReport } from "../ingest/types.js";
import type { Rag } from "../rag.js";
import type { SearchOptions } from "../rag-options.js";
import { VERSION } from "../version.js";
import { type BeirQuery, beirPaths, ingestCorpus, readJsonl, readQrels } from "./beir.js";
import { meanMetrics, queryMetrics, type RetrievalMetrics, type Run } from "./metrics.js";
import { formatRun, type ScoredDoc, trecOrder } from "./trec.js";

export interface RetrievalEvalOptions {
  split?: string;
  /** Where to write the TREC run file (top 100 per query). */
  runOut?: string;
  /** Where to write the JSON run file (configuration and per-query results, for `eval compare`). */
  out?: string;
  search?: Omit<SearchOptions, "k" | "collapse">;
  /** Queries searched at once. */
  concurrency?: number;
  onIngestProgress?: (progress: IngestProgress) => void;
  onQuery?: (done: number, total: number) => void;
  /** The caller has just ingested this corpus: do not read it again (the result's `ingest` counts nothing). */
  skipIngest?: boolean;
}

/** The `--json` shape of `ragkit eval retrieval`. */
export interface RetrievalEvalResult {
  dataset: string;
  metrics: RetrievalMetrics;
  queries: number;
  config: Record<string, unknown>;
  ingest: Pick<IngestReport, "added" | "updated" | "unchanged" | "chunksEmbedded" | "failed">;
  timings: { ingestSeconds: number; searchSeconds: number; queriesPerSecond: number };
}

/** The JSON run file of `eval retrieval --out`. */
export interface RetrievalRun extends RetrievalEvalResult {
  kind: "retrieval";
  results: Array<{ id: string; query: string; hits: Array<{ documentId: string; score: number }>; metrics: RetrievalMetrics }>;
}

const RUN_DEPTH = 100;

/**
 * Ingests a BEIR corpus (corpus `_id` as document id, unchanged documents skipped on re-runs),
 * runs every judged query at document level and scores the run with trec_eval's definitions.
 */
export async function evaluateRetrieval(rag: Rag, dataset: string, options: RetrievalEvalOptions = {}): Promise<RetrievalRun> {
  const paths = beirPaths(dataset, options.split);
  const ingestStart = performance.now();
  const ingest = options.skipIngest
    ? { added: 0, updated: 0, unchanged: 0, chunksEmbedded: 0, failed: [] }
    : await ingestCorpus(rag, paths.corpus, options.onIngestProgress);
  const ingestSeconds = (performance.now() - ingestStart) / 1000;

  const qrels = await readQrels(paths.qrels);
  const queries: BeirQuery[] = [];
  for await (const q of readJsonl<BeirQuery>(paths.queries))
    if (qrels.has(String(q._id))) queries.push({ _id: String(q._id), text: q.text });

  const searchStart = performance.now();
  const scored = new Map<string, ScoredDoc[]>();
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < queries.length) {
      const query = queries[next++] as BeirQuery;
      const hits = await rag.search(query.text, { ...options.search, k: RUN_DEPTH, collapse: true });
      scored.set(
        query._id,
        hits.map((h) => ({ id: h.chunk.documentId, score: h.score })),
      );
      options.onQuery?.(++done, queries.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, lane));
  const searchSeconds = (performance.now() - searchStart) / 1000;

  // Score the order an external trec_eval will read back from the run file.
  const run: Run = new Map([...scored].map(([q, results]) => [q, trecOrder(results).map((r) => r.id)]));
  if (options.runOut) await writeFile(options.runOut, formatRun(new Map([...scored].sort(([a], [b]) => (a < b ? -1 : 1)))));
  const { metrics, queries: count } = meanMetrics(run, qrels);
  const result: RetrievalEvalResult = {
    dataset: paths.root,
    metrics,
    queries: count,
    config: {
      mode: options.search?.mode ?? rag.config.search.mode,
      denseWeight: options.search?.denseWeight ?? rag.config.search.denseWeight,
      candidates: options.search?.candidates ?? rag.config.search.candidates,
      fusion: options.search?.fusion ?? "convex",
      chunk: rag.config.chunk,
      embedder: rag.embedder.id,
      reranker: (await rag.reranker())?.id ?? "none",
      tune: options.search?.tune === false ? "off" : await tuneSummary(rag),
    },
    ingest,
    timings: { ingestSeconds, searchSeconds, queriesPerSecond: queries.length / Math.max(searchSeconds, 1e-9) },
  };
  const file: RetrievalRun = {
    kind: "retrieval",
    ...result,
    config: { ...result.config, ragkitVersion: VERSION },
    results: queries
      .filter((q) => [...(qrels.get(q._id)?.values() ?? [])].some((g) => g > 0))
      .map((q) => ({
        id: q._id,
        query: q.text,
        hits: trecOrder(scored.get(q._id) ?? []).map((r) => ({ documentId: r.id, score: r.score })),
        metrics: queryMetrics(run.get(q._id) ?? [], qrels.get(q._id) as Map<string, number>),
      })),
  };
  if (options.out) await writeFile(options.out, JSON.stringify(file, null, 2));
  return file;
}

/** What `tune` changed, for the run's record: its version and settings, or "untuned". */
async function tuneSummary(rag: Rag): Promise<Record<string, unknown> | string> {
  const status = await rag.tuneStatus();
  return status.active ? { version: status.version, ...status.settings, adapter: status.adapter } : "untuned";
}
