/**
 * Answer metrics, each following a reference implementation exactly so numbers are comparable:
 * SQuAD v1.1's official script (EM, F1), sacrebleu (BLEU, 13a tokenisation), Google's rouge-score
 * (ROUGE-1/2/L F-measure, no stemming).
 */

// --- SQuAD v1.1 (evaluate-v1.1.py) ---------------------------------------------------------------

const PUNCTUATION = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");

export function normalizeSquad(text: string): string {
  const lower = text.toLowerCase();
  let noPunct = "";
  for (const ch of lower) if (!PUNCTUATION.has(ch)) noPunct += ch;
  return noPunct
    .replace(/\b(a|an|the)\b/g, " ")
    .split(/\s+/)
    .filter(Boolean)
    .join(" ");
}

export function exactMatch(prediction: string, gold: string): number {
  return normalizeSquad(prediction) === normalizeSquad(gold) ? 1 : 0;
}

export function tokenF1(prediction: string, gold: string): number {
  const predicted = normalizeSquad(prediction).split(" ").filter(Boolean);
  const wanted = normalizeSquad(gold).split(" ").filter(Boolean);
  const counts = new Map<string, number>();
  for (const t of wanted) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of predicted) {
    const left = counts.get(t) ?? 0;
    if (left > 0) {
      same++;
      counts.set(t, left - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / predicted.length;
  const recall = same / wanted.length;
  return (2 * precision * recall) / (precision + recall);
}

/** The official script scores a prediction against every gold answer and keeps the best. */
export function maxOverGold(metric: (prediction: string, gold: string) => number, prediction: string, golds: string[]): number {
  return golds.length === 0 ? 0 : Math.max(...golds.map((g) => metric(prediction, g)));
}

// --- BLEU (sacrebleu: 13a tokeniser, exponential smoothing) -----------------------------------

const TOKENIZE_13A: Array<[RegExp, string]> = [
  [/([{-~[-` -&(-+:-@/])/g, " $1 "],
  [/([^0-9])([.,])/g, "$1 $2 "],
  [/([.,])([^0-9])/g, " $1 $2"],
  [/([0-9])(-)/g, "$1 $2 "],
];

export function tokenize13a(text: string): string[] {
  let line = text.replaceAll("<skipped>", "").replaceAll("-\n", "").replaceAll("\n", " ");
  if (line.includes("&")) line = line.replaceAll("&quot;", '"').replaceAll("&amp;", "&").replaceAll("&lt;", "<").replaceAll("&gt;", ">");
  line = ` ${line} `;
  for (const [pattern, replacement] of TOKENIZE_13A) line = line.replace(pattern, replacement);
  return line.split(/\s+/).filter(Boolean);
}

function ngrams(tokens: string[], n: number): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join(" ");
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

interface BleuStats {
  correct: number[];
  total: number[];
  sysLen: number;
  refLen: number;
}

function sentenceStats(hypothesis: string, references: string[]): BleuStats {
  const hyp = tokenize13a(hypothesis);
  const refs = references.map(tokenize13a);
  // The closest reference length, the shorter one on ties.
  let refLen = refs[0]?.length ?? 0;
  for (const r of refs) {
    const d = Math.abs(r.length - hyp.length);
    const best = Math.abs(refLen - hyp.length);
    if (d < best || (d === best && r.length < refLen)) refLen = r.length;
  }
  const correct: number[] = [];
  const total: number[] = [];
  for (let n = 1; n <= 4; n++) {
    const maxRef = new Map<string, number>();
    for (const r of refs) for (const [g, c] of ngrams(r, n)) maxRef.set(g, Math.max(maxRef.get(g) ?? 0, c));
    let matched = 0;
    for (const [g, c] of ngrams(hyp, n)) matched += Math.min(c, maxRef.get(g) ?? 0);
    correct.push(matched);
    total.push(Math.max(0, hyp.length - n + 1));
  }
  return { correct, total, sysLen: hyp.length, refLen };
}

function bleuFromStats(stats: BleuStats, effectiveOrder: boolean): number {
  // sacrebleu: no matching unigram at all scores 0, whatever the smoothing.
  if ((stats.correct[0] as number) === 0) return 0;
  const precisions = [0, 0, 0, 0];
  let smooth = 1;
  let order = 4;
  for (let n = 1; n <= 4; n++) {
    if ((stats.total[n - 1] as number) === 0) break;
    if (effectiveOrder) order = n;
    if ((stats.correct[n - 1] as number) === 0) {
      smooth *= 2;
      precisions[n - 1] = 100 / (smooth * (stats.total[n - 1] as number));
    } else {
      precisions[n - 1] = (100 * (stats.correct[n - 1] as number)) / (stats.total[n - 1] as number);
    }
  }
  const bp = stats.sysLen < stats.refLen ? (stats.sysLen > 0 ? Math.exp(1 - stats.refLen / stats.sysLen) : 0) : 1;
  const log = (p: number) => (p === 0 ? -9999999999 : Math.log(p));
  const mean = precisions.slice(0, order).reduce((sum, p) => sum + log(p), 0) / order;
  return bp * Math.exp(mean);
}

/** Corpus BLEU (0-100). `references[k][i]` is the k-th reference for hypothesis i, as in sacrebleu. */
export function corpusBleu(hypotheses: string[], references: string[][]): number {
  const sum: BleuStats = { correct: [0, 0, 0, 0], total: [0, 0, 0, 0], sysLen: 0, refLen: 0 };
  hypotheses.forEach((hypothesis, i) => {
    const s = sentenceStats(
      hypothesis,
      references.map((stream) => stream[i] ?? ""),
    );
    for (let n = 0; n < 4; n++) {
      (sum.correct[n] as number) += s.correct[n] as number;
      (sum.total[n] as number) += s.total[n] as number;
    }
    sum.sysLen += s.sysLen;
    sum.refLen += s.refLen;
  });
  return bleuFromStats(sum, false);
}

/** Sentence BLEU (0-100) with effective order, as `sacrebleu.sentence_bleu`. */
export function sentenceBleu(hypothesis: string, references: string[]): number {
  return bleuFromStats(sentenceStats(hypothesis, references), true);
}

// --- ROUGE (rouge-score, use_stemmer=False) ----------------------------------------------------

export function tokenizeRouge(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .split(/\s+/)
    .filter((t) => /^[a-z0-9]+$/.test(t));
}

export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

function score(overlap: number, predicted: number, wanted: number): RougeScore {
  const precision = predicted > 0 ? overlap / predicted : 0;
  const recall = wanted > 0 ? overlap / wanted : 0;
  const fmeasure = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, fmeasure };
}

export function rougeN(target: string, prediction: string, n: number): RougeScore {
  const t = ngrams(tokenizeRouge(target), n);
  const p = ngrams(tokenizeRouge(prediction), n);
  let overlap = 0;
  for (const [g, c] of p) overlap += Math.min(c, t.get(g) ?? 0);
  const count = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return score(overlap, count(p), count(t));
}

export function rougeL(target: string, prediction: string): RougeScore {
  const t = tokenizeRouge(target);
  const p = tokenizeRouge(prediction);
  if (t.length === 0 || p.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  let previous = new Array<number>(p.length + 1).fill(0);
  for (let i = 1; i <= t.length; i++) {
    const row = new Array<number>(p.length + 1).fill(0);
    for (let j = 1; j <= p.length; j++) {
      row[j] = t[i - 1] === p[j - 1] ? (previous[j - 1] as number) + 1 : Math.max(previous[j] as number, row[j - 1] as number);
    }
    previous = row;
  }
  return score(previous[p.length] as number, p.length, t.length);
}
