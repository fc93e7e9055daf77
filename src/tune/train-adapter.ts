import { random } from "../eval/random.js";
import type { EpochLog } from "../types.js";
import { dot, multiply, QueryAdapter } from "./adapter.js";

/** One training example: a query, the passage that answers it, and passages that look close but do not. */
export interface AdapterExample {
  query: Float32Array;
  positive: Float32Array;
  /** The document the positive comes from; in-batch positives from a gold document are not negatives. */
  positiveDocument: string;
  /** Every document that answers the query. */
  gold: ReadonlySet<string>;
  /** Hard negatives (e.g. BM25's top hits outside the gold documents), unit vectors. */
  negatives: Float32Array[];
}

export interface TrainAdapterOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Pull towards the identity: with a few hundred pairs, a free matrix would learn them by heart. */
  weightDecay: number;
  /** Temperature of the softmax over cosine scores (sentence-transformers uses 20). */
  scale: number;
  /** Epochs without a better validation score before training stops. */
  patience: number;
  seed: number;
  onEpoch?: (epoch: EpochLog) => void;
}

export interface TrainedAdapter {
  adapter: QueryAdapter;
  history: EpochLog[];
  /** The epoch whose weights were kept (0: the identity was never beaten). */
  bestEpoch: number;
}

export const DEFAULT_TRAINING: TrainAdapterOptions = {
  epochs: 40,
  batchSize: 32,
  learningRate: 3e-4,
  weightDecay: 0.05,
  scale: 20,
  patience: 6,
  seed: 7,
};

/**
 * Trains W with the multiple-negatives ranking loss (softmax over the in-batch positives and the
 * example's hard negatives), Adam, and early stopping on `validate` (higher is better), keeping the
 * best epoch's weights; without `validate`, all `epochs` run and the last weights are kept. Plain
 * loops over Float32Arrays: d² = 262,144 weights at 512 dimensions, about a second per thousand
 * examples and epoch on one core.
 */
export function trainAdapter(
  examples: AdapterExample[],
  validate: ((adapter: QueryAdapter) => number) | undefined,
  options: TrainAdapterOptions = DEFAULT_TRAINING,
): TrainedAdapter {
  const d = examples[0]?.query.length ?? 0;
  const adapter = QueryAdapter.identity(d);
  const history: EpochLog[] = [];
  let best = { score: validate ? validate(adapter) : 0, weights: adapter.weights.slice(), epoch: 0 };
  if (examples.length < 2) return { adapter, history, bestEpoch: 0 };
  const adam = new Adam(d * d, options.learningRate);
  const gradient = new Float32Array(d * d);
  const next = random(options.seed);
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const order = shuffled(examples.length, next);
    let loss = 0;
    for (let start = 0; start < order.length; start += options.batchSize) {
      const batch = order.slice(start, start + options.batchSize).map((i) => examples[i] as AdapterExample);
      gradient.fill(0);
      loss += batchGradient(adapter.weights, batch, options.scale, gradient) * batch.length;
      addDecay(adapter.weights, gradient, options.weightDecay, d);
      adam.step(adapter.weights, gradient);
    }
    const validation = validate ? validate(adapter) : Number.NaN;
    const log = { epoch, loss: loss / examples.length, validation };
    history.push(log);
    options.onEpoch?.(log);
    if (!validate || validation > best.score) best = { score: validation, weights: adapter.weights.slice(), epoch };
    else if (epoch - best.epoch >= options.patience) break;
  }
  adapter.weights.set(best.weights);
  return { adapter, history, bestEpoch: best.epoch };
}

/** Mean loss of the batch; adds dLoss/dW into `gradient`. */
function batchGradient(weights: Float32Array, batch: AdapterExample[], scale: number, gradient: Float32Array): number {
  const d = batch[0]?.query.length ?? 0;
  let loss = 0;
  for (let i = 0; i < batch.length; i++) {
    const example = batch[i] as AdapterExample;
    const u = multiply(weights, example.query, d);
    const norm = Math.sqrt(dot(u, u)) || 1;
    const h = u.map((x) => x / norm);
    // Candidates: every in-batch positive (other gold documents of this query left out), then the negatives.
    const candidates: Float32Array[] = [];
    for (let j = 0; j < batch.length; j++) {
      const other = batch[j] as AdapterExample;
      if (j === i || !example.gold.has(other.positiveDocument)) candidates.push(other.positive);
    }
    const target = candidates.indexOf(example.positive);
    candidates.push(...example.negatives);
    const scores = candidates.map((c) => scale * dot(h, c));
    const max = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - max));
    const total = exps.reduce((a, b) => a + b, 0);
    loss += -Math.log((exps[target] as number) / total);
    // dLoss/dh = scale · Σ_j (softmax_j − [j = target]) c_j, then through the normalisation.
    const gh = new Float32Array(d);
    candidates.forEach((c, j) => {
      const coefficient = (scale * ((exps[j] as number) / total - (j === target ? 1 : 0))) / batch.length;
      for (let k = 0; k < d; k++) gh[k] = (gh[k] as number) + coefficient * (c[k] as number);
    });
    const along = dot(gh, h);
    for (let r = 0; r < d; r++) {
      const gu = ((gh[r] as number) - along * (h[r] as number)) / norm;
      if (gu === 0) continue;
      const row = r * d;
      for (let c = 0; c < d; c++) gradient[row + c] = (gradient[row + c] as number) + gu * (example.query[c] as number);
    }
  }
  return loss / batch.length;
}

function addDecay(weights: Float32Array, gradient: Float32Array, decay: number, d: number): void {
  if (decay === 0) return;
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < d; c++) {
      const i = r * d + c;
      gradient[i] = (gradient[i] as number) + decay * ((weights[i] as number) - (r === c ? 1 : 0));
    }
  }
}

class Adam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;

  constructor(
    size: number,
    private readonly rate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
  ) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  step(weights: Float32Array, gradient: Float32Array): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    for (let i = 0; i < weights.length; i++) {
      const g = gradient[i] as number;
      const m = this.beta1 * (this.m[i] as number) + (1 - this.beta1) * g;
      const v = this.beta2 * (this.v[i] as number) + (1 - this.beta2) * g * g;
      this.m[i] = m;
      this.v[i] = v;
      weights[i] = (weights[i] as number) - (this.rate * (m / c1)) / (Math.sqrt(v / c2) + 1e-8);
    }
  }
}

function shuffled(n: number, next: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

/**
 * Mean reciprocal rank of each example's positive among every example's positive and its own hard
 * negatives, with the adapted query: the early-stopping signal (cheap, and it moves with nDCG).
 */
export function rankingScore(examples: AdapterExample[], adapter: QueryAdapter): number {
  if (examples.length === 0) return 0;
  let sum = 0;
  for (const example of examples) {
    const q = adapter.apply(example.query);
    const own = dot(q, example.positive);
    let rank = 1;
    for (const other of examples)
      if (other !== example && !example.gold.has(other.positiveDocument) && dot(q, other.positive) > own) rank++;
    for (const negative of example.negatives) if (dot(q, negative) > own) rank++;
    sum += 1 / rank;
  }
  return sum / examples.length;
}
