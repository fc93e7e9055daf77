import type { Embedder } from "../embed/types.js";
import { random } from "../eval/random.js";
import type { Store } from "../store/types.js";
import type { EpochLog, TrainingPair, TrainingSource, TunedSettings, TuneProgress, TuneReport } from "../types.js";
import type { QueryAdapter } from "./adapter.js";
import { type PreparedPair, preparePairs } from "./examples.js";
import { pairsHash } from "./pairs.js";
import { type QueryRuns, selectCandidate } from "./select.js";
import type { TuneRecord } from "./state.js";
import { type AdapterExample, DEFAULT_TRAINING, rankingScore, type TrainAdapterOptions, trainAdapter } from "./train-adapter.js";

export interface TuneDeps {
  store: Store;
  embedder: Embedder;
  /** The settings search uses untuned (the config's). */
  untuned: TunedSettings;
  /** Candidates per retriever that search asks for. */
  depth: number;
}

export interface RunTuneOptions {
  seed?: number;
  /** Cross-validation folds for choosing and checking (2: each half is scored by what the other half trained). */
  folds?: number;
  /** The smallest cross-validated nDCG@10 gain worth applying. */
  minGain?: number;
  /** false: tune the settings only. */
  adapter?: boolean;
  training?: Partial<TrainAdapterOptions>;
  dropped?: number;
  onProgress?: (progress: TuneProgress) => void;
}

const VALIDATION_SHARE = 0.15;
const MAX_VALIDATION_EXAMPLES = 300;

/**
 * Chooses, on the training pairs only, whether a query adapter and which fusion settings beat the
 * untuned search: each fold's queries are ranked by an adapter trained on the other folds, every
 * configuration is replayed on those rankings, and the best is kept only when it wins by `minGain`
 * with a paired-bootstrap interval above zero. Otherwise the untuned settings stay, and it says so.
 */
export async function runTune(
  deps: TuneDeps,
  pairs: TrainingPair[],
  options: RunTuneOptions = {},
): Promise<{ report: TuneReport; record: Omit<TuneRecord, "version"> }> {
  const started = performance.now();
  const seed = options.seed ?? 7;
  const training = { ...DEFAULT_TRAINING, seed, ...options.training };
  const progress = options.onProgress;
  const prepared = await preparePairs(deps.store, deps.embedder, pairs, {
    depth: deps.depth,
    positivesPerQuery: 4,
    negatives: 7,
    onProgress: (done, total) => progress?.({ phase: "prepare", done, total }),
  });
  const withAdapter = (options.adapter ?? true) && prepared.filter((p) => p.examples.length > 0).length >= 8;
  const foldCount = options.folds ?? 2;
  const folds = assignFolds(prepared.length, foldCount, seed);
  const runs: QueryRuns[] = prepared.map((p) => ({
    id: p.pair.id,
    query: p.pair.query,
    gold: p.pair.gold,
    lexical: p.lexical,
    dense: p.dense,
  }));
  const bestEpochs = withAdapter ? await crossFit(deps, prepared, runs, { folds, count: foldCount, seed }, training, progress) : [];
  progress?.({ phase: "select", done: 0, total: 1 });
  const untuned = { ...deps.untuned, adapter: false };
  const selection = selectCandidate(runs, untuned, withAdapter && bestEpochs.some((e) => e > 0));
  progress?.({ phase: "select", done: 1, total: 1 });
  const minGain = options.minGain ?? 0.005;
  const c = selection.comparison;
  const applied = c.delta >= minGain && c.ci[0] > 0;
  const adapter = applied && selection.best.adapter ? finalAdapter(prepared, bestEpochs, training, progress) : undefined;
  const settings: TunedSettings = applied ? { denseWeight: selection.best.denseWeight, fusion: selection.best.fusion } : deps.untuned;
  const reason = applied
    ? `cross-validated nDCG@10 ${c.untuned.toFixed(4)} → ${c.tuned.toFixed(4)} (${signed(c.delta)}, 95% CI ${signed(c.ci[0])} to ${signed(c.ci[1])}) on ${c.queries} training queries`
    : `no configuration beat the untuned search by ${minGain} with confidence (best ${signed(c.delta)}, 95% CI ${signed(c.ci[0])} to ${signed(c.ci[1])} on ${c.queries} training queries): the untuned settings stay`;
  const report: TuneReport = {
    applied,
    reason,
    pairs: { total: pairs.length, dropped: options.dropped ?? 0, bySource: countSources(pairs), hash: pairsHash(pairs) },
    settings,
    adapter: { used: adapter !== undefined, bestEpoch: adapter?.bestEpoch ?? 0, history: adapter?.history ?? [] },
    validation: c,
    tried: selection.tried,
    perQuery: selection.perQuery.map((q, i) => ({ id: runs[i]?.id ?? "", query: runs[i]?.query ?? "", ...q })),
    seconds: (performance.now() - started) / 1000,
  };
  const record: Omit<TuneRecord, "version"> = {
    createdAt: new Date().toISOString(),
    embedderId: deps.embedder.id,
    applied,
    reason,
    settings,
    ...(adapter ? { adapter: adapter.weights.toJSON() } : {}),
    pairs: report.pairs,
    validation: c,
  };
  return { report, record };
}

type Progress = RunTuneOptions["onProgress"];

/**
 * Each fold's queries ranked by an adapter trained on the other folds (so no query is scored by
 * what it trained); returns each fold's best epoch.
 */
async function crossFit(
  deps: TuneDeps,
  prepared: PreparedPair[],
  runs: QueryRuns[],
  folds: { folds: number[]; count: number; seed: number },
  training: TrainAdapterOptions,
  progress: Progress,
): Promise<number[]> {
  const bestEpochs: number[] = [];
  for (let fold = 0; fold < folds.count; fold++) {
    const train = prepared.filter((_, i) => folds.folds[i] !== fold);
    const trained = fitWithValidation(train, training, folds.seed + fold, (epoch) =>
      progress?.({ phase: "train", stage: `fold ${fold + 1}`, done: epoch.epoch, total: training.epochs, epoch }),
    );
    bestEpochs.push(trained.bestEpoch);
    for (const [i, p] of prepared.entries()) {
      if (folds.folds[i] !== fold) continue;
      (runs[i] as QueryRuns).adaptedDense = await deps.store.rankDense(trained.adapter.apply(p.vector), { k: deps.depth });
    }
  }
  return bestEpochs;
}

/** The adapter that is kept learns from every pair, for as many epochs as the folds found best. */
function finalAdapter(
  prepared: PreparedPair[],
  bestEpochs: number[],
  training: TrainAdapterOptions,
  progress: Progress,
): { weights: QueryAdapter; history: EpochLog[]; bestEpoch: number } {
  const epochs = Math.max(1, Math.round(bestEpochs.reduce((a, b) => a + b, 0) / bestEpochs.length));
  const all = prepared.flatMap((p) => p.examples);
  const final = trainAdapter(all, undefined, {
    ...training,
    epochs,
    onEpoch: (epoch) => progress?.({ phase: "train", stage: "final", done: epoch.epoch, total: epochs, epoch }),
  });
  return { weights: final.adapter, history: final.history, bestEpoch: final.bestEpoch };
}

/** Trains on most of `pairs`, stopping early on the rest. */
function fitWithValidation(pairs: PreparedPair[], training: TrainAdapterOptions, seed: number, onEpoch: (e: EpochLog) => void) {
  const rank = permutation(pairs.length, seed);
  const cut = Math.max(1, Math.round(pairs.length * VALIDATION_SHARE));
  const isValidation = (i: number) => (rank[i] as number) < cut;
  const fit: AdapterExample[] = pairs.filter((_, i) => !isValidation(i)).flatMap((p) => p.examples);
  const held = pairs
    .filter((_, i) => isValidation(i))
    .flatMap((p) => p.examples)
    .slice(0, MAX_VALIDATION_EXAMPLES);
  return trainAdapter(fit, (adapter) => rankingScore(held, adapter), { ...training, seed, onEpoch });
}

/** Each item's place in a shuffle fixed by the seed. */
function permutation(n: number, seed: number): number[] {
  const next = random(seed);
  const order = Array.from({ length: n }, (_, i) => ({ i, r: next() })).sort((a, b) => a.r - b.r);
  const rank = new Array<number>(n).fill(0);
  order.forEach(({ i }, r) => {
    rank[i] = r;
  });
  return rank;
}

/** A fold per item, balanced and fixed by the seed. */
function assignFolds(n: number, folds: number, seed: number): number[] {
  return permutation(n, seed).map((r) => r % folds);
}

function countSources(pairs: TrainingPair[]): Partial<Record<TrainingSource, number>> {
  const out: Partial<Record<TrainingSource, number>> = {};
  for (const p of pairs) out[p.source] = (out[p.source] ?? 0) + 1;
  return out;
}

function signed(x: number): string {
  return `${x >= 0 ? "+" : ""}${x.toFixed(4)}`;
}
