import { readFile } from "node:fs/promises";
import { RagkitError } from "../errors.js";
import { random } from "./random.js";

export interface RunFile {
  kind: "answers" | "retrieval";
  dataset: string;
  config: Record<string, unknown>;
  metrics: Record<string, number>;
  results: Array<{ id: string; metrics: Record<string, number> }>;
}

export interface MetricComparison {
  metric: string;
  base: number;
  candidate: number;
  delta: number;
  /** 95% paired-bootstrap interval of the delta. */
  ci: [number, number];
  pValue: number;
  significant: boolean;
  /** Whether the candidate is significantly worse (direction-aware: lower abstention is better). */
  worse: boolean;
  wins: number;
  losses: number;
  ties: number;
}

export interface Comparison {
  kind: string;
  queries: number;
  onlyInBase: number;
  onlyInCandidate: number;
  metrics: MetricComparison[];
  /** Largest per-query changes of the first metric, both ways. */
  biggestChanges: Array<{ id: string; delta: number }>;
}

const LOWER_IS_BETTER = new Set(["abstained"]);
const RESAMPLES = 10_000;

/** Paired bootstrap over queries: resample query indices, recompute the mean delta. */
export function pairedBootstrap(deltas: number[], seed = 1): { ci: [number, number]; pValue: number } {
  const n = deltas.length;
  if (n === 0 || deltas.every((d) => d === 0)) return { ci: [0, 0], pValue: 1 };
  const next = random(seed);
  const means: number[] = [];
  for (let r = 0; r < RESAMPLES; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += deltas[Math.floor(next() * n)] as number;
    means.push(sum / n);
  }
  means.sort((a, b) => a - b);
  const below = means.filter((m) => m <= 0).length / RESAMPLES;
  const above = means.filter((m) => m >= 0).length / RESAMPLES;
  return {
    ci: [means[Math.floor(0.025 * RESAMPLES)] as number, means[Math.ceil(0.975 * RESAMPLES) - 1] as number],
    pValue: Math.min(1, 2 * Math.min(below, above)),
  };
}

export function compareRuns(base: RunFile, candidate: RunFile): Comparison {
  if (base.kind !== candidate.kind)
    throw new RagkitError("INVALID_ARGUMENT", `Cannot compare a ${base.kind} run with a ${candidate.kind} run`);
  const byId = new Map(candidate.results.map((r) => [r.id, r]));
  const paired = base.results.filter((r) => byId.has(r.id)).map((r) => [r, byId.get(r.id) as RunFile["results"][number]] as const);
  if (paired.length === 0)
    throw new RagkitError("INVALID_ARGUMENT", "The two runs share no question ids: were they made on the same dataset?");
  const keys = Object.keys(paired[0]?.[0].metrics ?? {}).filter((k) => k in (paired[0]?.[1].metrics ?? {}));
  const metrics = keys.map((metric) => {
    const deltas = paired.map(([b, c]) => (c.metrics[metric] ?? 0) - (b.metrics[metric] ?? 0));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const { ci, pValue } = pairedBootstrap(deltas);
    const significant = pValue < 0.05;
    const delta = mean(deltas);
    return {
      metric,
      base: mean(paired.map(([b]) => b.metrics[metric] ?? 0)),
      candidate: mean(paired.map(([, c]) => c.metrics[metric] ?? 0)),
      delta,
      ci,
      pValue,
      significant,
      worse: significant && (LOWER_IS_BETTER.has(metric) ? delta > 0 : delta < 0),
      wins: deltas.filter((d) => (LOWER_IS_BETTER.has(metric) ? d < 0 : d > 0)).length,
      losses: deltas.filter((d) => (LOWER_IS_BETTER.has(metric) ? d > 0 : d < 0)).length,
      ties: deltas.filter((d) => d === 0).length,
    };
  });
  const first = keys[0];
  const changes = first
    ? paired.map(([b, c]) => ({ id: b.id, delta: (c.metrics[first] ?? 0) - (b.metrics[first] ?? 0) })).filter((x) => x.delta !== 0)
    : [];
  changes.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta));
  return {
    kind: base.kind,
    queries: paired.length,
    onlyInBase: base.results.length - paired.length,
    onlyInCandidate: candidate.results.length - paired.length,
    metrics,
    biggestChanges: changes.slice(0, 10),
  };
}

export async function readRunFile(file: string): Promise<RunFile> {
  let parsed: RunFile;
  try {
    parsed = JSON.parse(await readFile(file, "utf8")) as RunFile;
  } catch (error) {
    throw new RagkitError("INVALID_ARGUMENT", `${file} is not a readable run file: ${(error as Error).message}`);
  }
  if ((parsed.kind !== "answers" && parsed.kind !== "retrieval") || !Array.isArray(parsed.results)) {
    throw new RagkitError("INVALID_ARGUMENT", `${file} is not a ragkit run file (write one with \`ragkit eval … --out FILE\`)`);
  }
  return parsed;
}
