import { pairedBootstrap } from "../eval/compare.js";
import { queryMetrics } from "../eval/metrics.js";
import { collapseToDocuments, type Fusion, fuse } from "../retrieve/fuse.js";
import type { ScoredRef } from "../store/types.js";
import type { TuneComparison, TunedSettings } from "../types.js";

/** One query's two first-stage rankings, with the dense one from the adapter that did not train on it. */
export interface QueryRuns {
  id: string;
  query: string;
  gold: Map<string, number>;
  lexical: ScoredRef[];
  dense: ScoredRef[];
  adaptedDense?: ScoredRef[];
}

export interface Candidate extends TunedSettings {
  adapter: boolean;
}

const WEIGHTS = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
const FUSIONS: Fusion[] = ["convex", "rrf"];

/** nDCG@10 per query of a configuration, replaying fusion on stored rankings (no search runs). */
export function scoreCandidate(runs: QueryRuns[], candidate: Candidate): number[] {
  return runs.map((run) => {
    const dense = candidate.adapter && run.adaptedDense ? run.adaptedDense : run.dense;
    const hits = collapseToDocuments(fuse(run.lexical, dense, { denseWeight: candidate.denseWeight, fusion: candidate.fusion }));
    return queryMetrics(
      hits.slice(0, 10).map((h) => h.chunk.documentId),
      run.gold,
    )["ndcg@10"];
  });
}

export function candidates(withAdapter: boolean): Candidate[] {
  return [false, ...(withAdapter ? [true] : [])].flatMap((adapter) =>
    FUSIONS.flatMap((fusion) => WEIGHTS.map((denseWeight) => ({ adapter, fusion, denseWeight }))),
  );
}

export interface Selection {
  best: Candidate;
  tried: Array<Candidate & { ndcg: number }>;
  comparison: TuneComparison;
  perQuery: Array<{ untuned: number; tuned: number }>;
}

/**
 * The configuration with the best mean nDCG@10, compared with the untuned one query by query.
 * Ties go to the simpler choice (no adapter, the untuned weight), so noise never moves settings.
 */
export function selectCandidate(runs: QueryRuns[], untuned: Candidate, withAdapter: boolean): Selection {
  const base = scoreCandidate(runs, untuned);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  let best = { candidate: untuned, scores: base, ndcg: mean(base) };
  const tried: Selection["tried"] = [];
  for (const candidate of candidates(withAdapter)) {
    const scores = scoreCandidate(runs, candidate);
    const ndcg = mean(scores);
    tried.push({ ...candidate, ndcg });
    if (ndcg > best.ndcg + 1e-9) best = { candidate, scores, ndcg };
  }
  const deltas = best.scores.map((s, i) => s - (base[i] as number));
  const { ci, pValue } = pairedBootstrap(deltas);
  return {
    best: best.candidate,
    tried,
    comparison: {
      queries: runs.length,
      untuned: mean(base),
      tuned: best.ndcg,
      delta: best.ndcg - mean(base),
      ci,
      pValue,
      wins: deltas.filter((d) => d > 1e-9).length,
      losses: deltas.filter((d) => d < -1e-9).length,
      ties: deltas.filter((d) => Math.abs(d) <= 1e-9).length,
    },
    perQuery: best.scores.map((tuned, i) => ({ untuned: base[i] as number, tuned })),
  };
}
